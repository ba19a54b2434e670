//! The guest address space: one reserved host region of 1 TiB in which guest address `A` lives at
//! host address `base + A` (`base` is 0, so guest addresses are host addresses, unless the program
//! was translated with `--guest-base anywhere`; see `GuestBase`), the record of what the guest has mapped there (see `vma`), the brk and
//! mmap-area bounds, and checked access to guest memory for the runtime's own reads and writes.
//!
//! Host mappings are only ever made with MAP_FIXED inside the reservation; an unmapped guest range is
//! a PROT_NONE, MAP_NORESERVE mapping again, so nothing else in the host process can land there.
//! Guest pages are never host-executable: translated code runs from the host image, and the fallback
//! engine only reads guest code, so guest PROT_EXEC becomes host PROT_READ.

use std::ffi::CString;
use std::sync::{Mutex, MutexGuard};

use crate::errno::{host_result, Errno, EFAULT, EINVAL, ENAMETOOLONG, ENOMEM};
use crate::vma::{VmaMap, PROT_EXEC, PROT_READ, PROT_WRITE};

/// The size of the guest address space: guest addresses run from 0 to this, exclusive.
#[cfg(not(feature = "valgrind"))]
pub const GUEST_SPACE_SIZE: u64 = vmtrans_ir::a64::state::GUEST_SPACE;
/// The size of the guest address space in a runtime built to run under valgrind (the `valgrind`
/// feature, for `bench/icount.sh`), whose address-space manager refuses to reserve a terabyte.
/// Only the runtime's layout depends on it; translated code is the same.
#[cfg(feature = "valgrind")]
pub const GUEST_SPACE_SIZE: u64 = 1 << 34;
/// The guest's page size (AArch64 Linux with 4 KiB pages, as the host).
pub const PAGE_SIZE: u64 = 4096;
/// The end (exclusive) of the initial guest stack.
pub const STACK_TOP: u64 = GUEST_SPACE_SIZE - 0x1_0000;
/// The size of the initial guest stack.
pub const STACK_SIZE: u64 = 8 << 20;
/// The unmapped gap left between the lowest stack page and the mmap area, so an overflow faults.
pub const STACK_GUARD: u64 = 16 << 20;
/// The lowest address the mmap allocator hands out (below it only the image and brk live).
pub const MMAP_LOW: u64 = GUEST_SPACE_SIZE / 16;
/// The lowest guest address the guest can map with mmap or mremap (Linux's usual
/// `vm.mmap_min_addr`): fixed mappings below it fail with EPERM in either `GuestBase`, as they do
/// under the kernel. (An image linked below it loads, with `GuestBase::Anywhere`.)
pub const LOWEST_MAPPABLE: u64 = vmtrans_ir::a64::state::LOWEST_GUEST_MAPPING;
/// The length of the longest path or string the runtime reads from the guest.
pub const MAX_GUEST_STRING: usize = 4096;

/// The guest's layout and what is mapped in it.
#[derive(Debug)]
pub struct AddressSpace {
    /// The mapped areas with their guest protections.
    pub vmas: VmaMap,
    /// The initial program break: the page-aligned end of the highest PT_LOAD.
    pub brk_start: u64,
    /// The current program break (not page aligned: the guest's own value).
    pub brk: u64,
    /// Guest mmap placements without MAP_FIXED go top-down inside `[mmap_low, mmap_high)`.
    pub mmap_low: u64,
    pub mmap_high: u64,
}

static SPACE: Mutex<AddressSpace> = Mutex::new(AddressSpace {
    vmas: VmaMap::new(),
    brk_start: 0,
    brk: 0,
    mmap_low: MMAP_LOW,
    mmap_high: STACK_TOP - STACK_SIZE - STACK_GUARD,
});

/// Locks the address space record (a poisoned lock is still usable: the record stays consistent).
pub fn space() -> MutexGuard<'static, AddressSpace> {
    SPACE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The address space record if no one holds it (for code that must not wait, like a fault path).
pub fn try_space() -> Option<MutexGuard<'static, AddressSpace>> {
    SPACE.try_lock().ok()
}

/// The host address of guest address 0.
pub fn base() -> u64 {
    // SAFETY: a plain read of a word written once before the guest starts.
    unsafe { std::ptr::addr_of!(crate::abi::vmtrans_guest_base).read() }
}

/// Rounds `value` up to a page boundary (saturating at the top of the 64-bit space).
pub fn page_up(value: u64) -> u64 {
    value.saturating_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

/// Rounds `value` down to a page boundary.
pub fn page_down(value: u64) -> u64 {
    value & !(PAGE_SIZE - 1)
}

/// The host protection for a guest protection: readable when the guest may read or run it.
pub fn host_prot(guest_prot: u32) -> i32 {
    let mut prot = libc::PROT_NONE;
    if guest_prot & (PROT_READ | PROT_EXEC) != 0 {
        prot |= libc::PROT_READ;
    }
    if guest_prot & PROT_WRITE != 0 {
        prot |= libc::PROT_WRITE | libc::PROT_READ;
    }
    prot
}

/// Where the guest space lies in the host's address space, as the translated code expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestBase {
    /// Guest address `A` is host address `A` (the translated code adds nothing): the space is
    /// reserved at its own addresses, from `LOWEST_MAPPABLE` up.
    Zero,
    /// Guest address `A` is host address `vmtrans_guest_base + A`, wherever the host has room.
    Anywhere,
}

/// Reserves the guest address space where `mode` says and records its base in `vmtrans_guest_base`.
pub fn reserve_guest_space(mode: GuestBase) -> Result<u64, String> {
    let (hint, len, placement) = match mode {
        GuestBase::Zero => {
            (LOWEST_MAPPABLE as *mut libc::c_void, GUEST_SPACE_SIZE - LOWEST_MAPPABLE, libc::MAP_FIXED_NOREPLACE)
        }
        GuestBase::Anywhere => (std::ptr::null_mut(), GUEST_SPACE_SIZE, 0),
    };
    // SAFETY: a fresh anonymous mapping; MAP_FIXED_NOREPLACE fails rather than replace anything.
    let addr = unsafe {
        libc::mmap(
            hint,
            len as usize,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | placement,
            -1,
            0,
        )
    };
    let failure = if addr == libc::MAP_FAILED {
        let error = std::io::Error::last_os_error();
        Some(match error.raw_os_error() {
            Some(libc::EEXIST) => "part of it is already mapped".to_string(),
            _ => error.to_string(),
        })
    } else if mode == GuestBase::Zero && addr != hint {
        // A kernel older than Linux 4.17 takes MAP_FIXED_NOREPLACE for a hint and may place it elsewhere.
        // SAFETY: the mapping just made, which nothing uses.
        unsafe { libc::munmap(addr, len as usize) };
        Some("the host placed it elsewhere".to_string())
    } else {
        None
    };
    if let Some(why) = failure {
        return Err(match mode {
            GuestBase::Zero => format!(
                "cannot reserve the guest address space at host addresses {LOWEST_MAPPABLE:#x}-{GUEST_SPACE_SIZE:#x}, \
                 where this translation expects it ({why}); translate with --guest-base anywhere to run \
                 where that range is taken"
            ),
            GuestBase::Anywhere => format!("cannot reserve the guest address space: {why}"),
        });
    }
    let base = match mode {
        GuestBase::Zero => 0,
        GuestBase::Anywhere => addr as u64,
    };
    // SAFETY: written once, before any guest code or other thread runs.
    unsafe { std::ptr::addr_of_mut!(crate::abi::vmtrans_guest_base).write(base) };
    Ok(base)
}

/// Whether `[addr, addr + len)` lies inside the guest address space.
pub fn in_guest_space(addr: u64, len: u64) -> bool {
    addr.checked_add(len).is_some_and(|end| end <= GUEST_SPACE_SIZE)
}

/// The host pointer for guest range `[addr, addr + len)`, which must lie inside the guest space
/// (EFAULT otherwise). Whether it is mapped is not checked: host system calls given the pointer
/// answer EFAULT themselves for the reserved, inaccessible parts.
pub fn host_ptr(addr: u64, len: u64) -> Result<*mut u8, Errno> {
    if !in_guest_space(addr, len) {
        return Err(EFAULT);
    }
    Ok(base().wrapping_add(addr) as *mut u8)
}

/// Like `host_ptr`, but a guest null pointer stays null (for optional arguments of host calls).
pub fn host_ptr_or_null(addr: u64, len: u64) -> Result<*mut u8, Errno> {
    if addr == 0 {
        Ok(std::ptr::null_mut())
    } else {
        host_ptr(addr, len)
    }
}

/// Checks that the runtime may access `[addr, addr + len)` with `need` (guest protection bits).
fn check_access(addr: u64, len: u64, need: u32) -> Result<*mut u8, Errno> {
    let ptr = host_ptr(addr, len)?;
    if len > 0 && !space().vmas.check(page_down(addr), addr + len, need) {
        return Err(EFAULT);
    }
    Ok(ptr)
}

/// Checks that the guest has mapped `[addr, addr + len)` writable (EFAULT otherwise).
pub fn check_writable(addr: u64, len: u64) -> Result<(), Errno> {
    check_access(addr, len, PROT_WRITE).map(|_| ())
}

/// Copies guest bytes at `addr` into `out`.
pub fn read_into(addr: u64, out: &mut [u8]) -> Result<(), Errno> {
    let ptr = check_access(addr, out.len() as u64, PROT_READ)?;
    // SAFETY: the range is inside the reservation and mapped readable.
    unsafe { std::ptr::copy_nonoverlapping(ptr, out.as_mut_ptr(), out.len()) };
    Ok(())
}

/// Copies `bytes` into guest memory at `addr`.
pub fn write_bytes(addr: u64, bytes: &[u8]) -> Result<(), Errno> {
    let ptr = check_access(addr, bytes.len() as u64, PROT_WRITE)?;
    // SAFETY: the range is inside the reservation and mapped writable.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
    Ok(())
}

/// Reads a little-endian 64-bit word of guest memory.
pub fn read_u64(addr: u64) -> Result<u64, Errno> {
    let mut buf = [0u8; 8];
    read_into(addr, &mut buf)?;
    Ok(u64::from_le_bytes(buf))
}

/// Reads a little-endian 32-bit word of guest memory.
pub fn read_u32(addr: u64) -> Result<u32, Errno> {
    let mut buf = [0u8; 4];
    read_into(addr, &mut buf)?;
    Ok(u32::from_le_bytes(buf))
}

/// Writes a little-endian 64-bit word of guest memory.
pub fn write_u64(addr: u64, value: u64) -> Result<(), Errno> {
    write_bytes(addr, &value.to_le_bytes())
}

/// Writes a little-endian 32-bit word of guest memory.
pub fn write_u32(addr: u64, value: u32) -> Result<(), Errno> {
    write_bytes(addr, &value.to_le_bytes())
}

/// Reads a NUL-terminated guest string of at most `MAX_GUEST_STRING` bytes, one page at a time so
/// that a string ending just before an unmapped page is read without touching that page.
pub fn read_cstring(addr: u64) -> Result<CString, Errno> {
    let mut bytes = Vec::new();
    let mut cursor = addr;
    while bytes.len() < MAX_GUEST_STRING {
        let chunk = (page_down(cursor) + PAGE_SIZE - cursor).min((MAX_GUEST_STRING - bytes.len()) as u64);
        let mut buf = vec![0u8; chunk as usize];
        read_into(cursor, &mut buf)?;
        if let Some(nul) = buf.iter().position(|&b| b == 0) {
            bytes.extend_from_slice(&buf[..nul]);
            return CString::new(bytes).map_err(|_| EFAULT);
        }
        bytes.extend_from_slice(&buf);
        cursor += chunk;
    }
    Err(ENAMETOOLONG)
}

impl AddressSpace {
    /// Maps guest pages `[start, start + len)` (page aligned, inside the space) with MAP_FIXED on the
    /// host: anonymous when `fd` is -1, else from the host file descriptor at `offset`. Records the area.
    /// When the host refuses and the range was unmapped, it is reserved again.
    pub fn map_fixed(
        &mut self,
        start: u64,
        len: u64,
        guest_prot: u32,
        flags: i32,
        fd: i32,
        offset: i64,
    ) -> Result<(), Errno> {
        let ptr = host_ptr(start, len)?;
        // SAFETY: the range lies inside the reservation, which the runtime owns entirely.
        let got =
            unsafe { libc::mmap(ptr.cast(), len as usize, host_prot(guest_prot), flags | libc::MAP_FIXED, fd, offset) };
        if got == libc::MAP_FAILED {
            let errno = Errno::last();
            if !self.vmas.overlaps(start, start + len) {
                reserve_fixed(ptr, len)?;
            }
            return Err(errno);
        }
        self.vmas.insert(start, start + len, guest_prot);
        Ok(())
    }

    /// Returns guest pages `[start, start + len)` to the reservation and forgets them. With
    /// `GuestBase::Zero` the part below `LOWEST_MAPPABLE` is neither mapped nor reserved, and stays so.
    pub fn unmap(&mut self, start: u64, len: u64) -> Result<(), Errno> {
        let end = start.checked_add(len).ok_or(EINVAL)?;
        let start = if base() == 0 { start.max(LOWEST_MAPPABLE) } else { start };
        if start >= end {
            return Ok(());
        }
        let len = end - start;
        let ptr = host_ptr(start, len)?;
        reserve_fixed(ptr, len)?;
        self.vmas.remove(start, start + len);
        Ok(())
    }

    /// Changes the protection of mapped guest pages `[start, start + len)`: ENOMEM if part is unmapped.
    pub fn protect(&mut self, start: u64, len: u64, guest_prot: u32) -> Result<(), Errno> {
        let ptr = host_ptr(start, len)?;
        if !self.vmas.is_mapped(start, start + len) {
            return Err(ENOMEM);
        }
        // SAFETY: the range lies inside the reservation and is mapped.
        host_result(unsafe { libc::mprotect(ptr.cast(), len as usize, host_prot(guest_prot)) } as i64)?;
        self.vmas.protect(start, start + len, guest_prot);
        Ok(())
    }
}

/// Makes host range `[ptr, ptr + len)` an inaccessible reservation again.
pub fn reserve_fixed(ptr: *mut u8, len: u64) -> Result<(), Errno> {
    // SAFETY: callers pass ranges inside the guest reservation.
    let got = unsafe {
        libc::mmap(
            ptr.cast(),
            len as usize,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED,
            -1,
            0,
        )
    };
    if got == libc::MAP_FAILED {
        Err(Errno::last())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_protections_never_include_exec() {
        assert_eq!(host_prot(PROT_EXEC), libc::PROT_READ);
        assert_eq!(host_prot(PROT_READ | PROT_EXEC), libc::PROT_READ);
        assert_eq!(host_prot(PROT_WRITE), libc::PROT_READ | libc::PROT_WRITE);
        assert_eq!(host_prot(0), libc::PROT_NONE);
    }

    #[test]
    fn guest_space_bounds_are_checked_without_overflow() {
        assert!(in_guest_space(GUEST_SPACE_SIZE - 8, 8));
        assert!(!in_guest_space(GUEST_SPACE_SIZE - 8, 9));
        assert!(!in_guest_space(u64::MAX, 2));
        assert_eq!(page_up(1), PAGE_SIZE);
        assert_eq!(page_up(u64::MAX), u64::MAX & !(PAGE_SIZE - 1));
        assert_eq!(page_down(PAGE_SIZE + 1), PAGE_SIZE);
    }
}
