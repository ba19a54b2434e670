//! Guest memory management: brk, mmap, munmap, mprotect, mremap and madvise over the reserved
//! guest space. Placement is the runtime's: MAP_FIXED is honoured inside the space, other hints are
//! used when the range is free, and everything else goes top-down below the stack.

use super::Args;
use crate::errno::{host_result, Errno, SysResult, EEXIST, EFAULT, EINVAL, ENOMEM, EPERM};
use crate::memory::{self, host_ptr, in_guest_space, page_up, AddressSpace, PAGE_SIZE};
use crate::vma::{PROT_EXEC, PROT_READ, PROT_WRITE};

const MAP_TYPE: u64 = 0x0f;
const MAP_SHARED: u64 = 0x01;
const MAP_PRIVATE: u64 = 0x02;
const MAP_SHARED_VALIDATE: u64 = 0x03;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
/// Flags passed on to the host as they are (same values on both sides): the mapping type,
/// MAP_ANONYMOUS, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE,
/// MAP_NONBLOCK, MAP_STACK and MAP_SYNC. Placement flags are the runtime's business.
const MAP_PASSED: u64 =
    MAP_TYPE | MAP_ANONYMOUS | 0x800 | 0x1000 | 0x2000 | 0x4000 | 0x8000 | 0x1_0000 | 0x2_0000 | 0x8_0000;
/// AArch64's PROT_BTI: guarded pages for branch targets, meaningless on the host.
const PROT_BTI: u64 = 0x10;

const MREMAP_MAYMOVE: u64 = 1;
const MREMAP_FIXED: u64 = 2;
const MREMAP_DONTUNMAP: u64 = 4;

/// brk(addr): moves the program break when the pages between stay free; always returns the break.
pub fn brk(a: Args) -> SysResult {
    let mut space = memory::space();
    Ok(set_brk(&mut space, a[0]))
}

/// The brk logic over a locked address space.
pub fn set_brk(space: &mut AddressSpace, requested: u64) -> u64 {
    if requested < space.brk_start || !in_guest_space(requested, 0) {
        return space.brk;
    }
    let (old_end, new_end) = (page_up(space.brk), page_up(requested));
    if new_end > old_end {
        if space.vmas.overlaps(old_end, new_end) || new_end > space.mmap_low {
            return space.brk;
        }
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        if space.map_fixed(old_end, new_end - old_end, PROT_READ | PROT_WRITE, flags, -1, 0).is_err() {
            return space.brk;
        }
    } else if new_end < old_end && space.unmap(new_end, old_end - new_end).is_err() {
        return space.brk;
    }
    space.brk = requested;
    requested
}

/// The guest protection bits of an mmap/mprotect `prot` argument; EINVAL for unknown bits.
fn guest_prot(prot: u64) -> Result<u32, crate::errno::Errno> {
    let known = (PROT_READ | PROT_WRITE | PROT_EXEC) as u64;
    if prot & !(known | PROT_BTI) != 0 {
        return Err(EINVAL);
    }
    Ok((prot & known) as u32)
}

/// Chooses where a mapping of `len` bytes goes: the fixed address, the hint when it is free, or
/// the highest free range of the mmap area.
pub fn place(space: &AddressSpace, hint: u64, len: u64, flags: u64) -> SysResult {
    if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
        if hint % PAGE_SIZE != 0 {
            return Err(EINVAL);
        }
        if !in_guest_space(hint, len) {
            return Err(ENOMEM);
        }
        if hint < memory::LOWEST_MAPPABLE {
            return Err(EPERM);
        }
        if flags & MAP_FIXED == 0 && space.vmas.overlaps(hint, hint + len) {
            return Err(EEXIST);
        }
        return Ok(hint);
    }
    let hint = page_up(hint);
    if hint >= memory::LOWEST_MAPPABLE && in_guest_space(hint, len) && !space.vmas.overlaps(hint, hint + len) {
        return Ok(hint);
    }
    space.vmas.find_free_top_down(len, space.mmap_low, space.mmap_high).ok_or(ENOMEM)
}

pub fn mmap(a: Args) -> SysResult {
    let (hint, len, prot, flags, fd, offset) = (a[0], a[1], a[2], a[3], a[4] as i32, a[5]);
    if len == 0 || offset % PAGE_SIZE != 0 {
        return Err(EINVAL);
    }
    if !matches!(flags & MAP_TYPE, MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE) {
        return Err(EINVAL);
    }
    let prot = guest_prot(prot)?;
    let len = page_up(len);
    if len > memory::GUEST_SPACE_SIZE {
        return Err(ENOMEM);
    }
    let fd = if flags & MAP_ANONYMOUS != 0 { -1 } else { fd };
    let mut space = memory::space();
    let addr = place(&space, hint, len, flags)?;
    space.map_fixed(addr, len, prot, (flags & MAP_PASSED) as i32, fd, offset as i64)?;
    Ok(addr)
}

pub fn munmap(a: Args) -> SysResult {
    let (addr, len) = (a[0], page_up(a[1]));
    if addr % PAGE_SIZE != 0 || len == 0 || !in_guest_space(addr, len) {
        return Err(EINVAL);
    }
    memory::space().unmap(addr, len)?;
    Ok(0)
}

pub fn mprotect(a: Args) -> SysResult {
    let (addr, len) = (a[0], page_up(a[1]));
    if addr % PAGE_SIZE != 0 {
        return Err(EINVAL);
    }
    let prot = guest_prot(a[2])?;
    if len == 0 {
        return Ok(0);
    }
    if !in_guest_space(addr, len) {
        return Err(ENOMEM);
    }
    memory::space().protect(addr, len, prot)?;
    Ok(0)
}

/// mremap as the kernel does it: shrinks in place; grows in place when the pages after the mapping
/// are free (the host kernel grows its own mapping into a hole opened in the reservation, so file
/// and shared mappings grow as they would); otherwise, with MREMAP_MAYMOVE, moves the host pages to
/// a new guest range (MREMAP_FIXED: the one given; MREMAP_DONTUNMAP: leaving the old range mapped).
pub fn mremap(a: Args) -> SysResult {
    let (old, old_len, new_len, flags, new_addr) = (a[0], page_up(a[1]), page_up(a[2]), a[3], a[4]);
    let known = MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP;
    if old % PAGE_SIZE != 0 || new_len == 0 || old_len == 0 || flags & !known != 0 {
        return Err(EINVAL);
    }
    if flags & (MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(EINVAL);
    }
    if flags & MREMAP_DONTUNMAP != 0 && old_len != new_len {
        return Err(EINVAL);
    }
    let mut space = memory::space();
    if !in_guest_space(old, old_len) || !space.vmas.is_mapped(old, old + old_len) {
        return Err(EFAULT);
    }
    let prot = space.vmas.iter().find(|&(start, end, _)| start <= old && old < end).map_or(0, |(_, _, p)| p);
    if flags & (MREMAP_FIXED | MREMAP_DONTUNMAP) == 0 {
        if new_len <= old_len {
            if new_len < old_len {
                space.unmap(old + new_len, old_len - new_len)?;
            }
            return Ok(old);
        }
        let in_place = grow_in_place(&mut space, old, old_len, new_len, prot);
        if in_place.is_ok() || flags & MREMAP_MAYMOVE == 0 {
            return in_place.map(|()| old);
        }
    }
    let target = if flags & MREMAP_FIXED != 0 {
        if new_addr % PAGE_SIZE != 0 || !in_guest_space(new_addr, new_len) {
            return Err(EINVAL);
        }
        if new_addr < old + old_len && old < new_addr + new_len {
            return Err(EINVAL);
        }
        if new_addr < memory::LOWEST_MAPPABLE {
            return Err(EPERM);
        }
        new_addr
    } else {
        space.vmas.find_free_top_down(new_len, space.mmap_low, space.mmap_high).ok_or(ENOMEM)?
    };
    let (old_host, target_host) = (host_ptr(old, old_len)?, host_ptr(target, new_len)?);
    let dont_unmap = if flags & MREMAP_DONTUNMAP != 0 { libc::MREMAP_DONTUNMAP } else { 0 };
    // SAFETY: both ranges lie inside the reservation; the target's old contents are the runtime's to replace.
    let moved = unsafe {
        libc::mremap(
            old_host.cast(),
            old_len as usize,
            new_len as usize,
            libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED | dont_unmap,
            target_host,
        )
    };
    if moved == libc::MAP_FAILED {
        return Err(crate::errno::Errno::last());
    }
    if dont_unmap == 0 {
        // The move leaves a hole in the reservation where the pages were: reserve it again.
        memory::reserve_fixed(old_host, old_len)?;
        space.vmas.remove(old, old + old_len);
    }
    space.vmas.insert(target, target + new_len, prot);
    Ok(target)
}

/// Grows the mapping at `old` from `old_len` to `new_len` bytes where it is, when the guest pages
/// after it are free: ENOMEM when they are not, or the host kernel's answer (EFAULT when the range
/// spans several mappings, as on Linux).
fn grow_in_place(space: &mut AddressSpace, old: u64, old_len: u64, new_len: u64, prot: u32) -> Result<(), Errno> {
    let (extension, extension_len) = (old + old_len, new_len - old_len);
    if !in_guest_space(old, new_len) || space.vmas.overlaps(extension, extension + extension_len) {
        return Err(ENOMEM);
    }
    let (old_host, extension_host) = (host_ptr(old, old_len)?, host_ptr(extension, extension_len)?);
    // Open a hole in the reservation for the host kernel to grow its mapping into.
    // SAFETY: the range lies inside the reservation and no guest mapping uses it.
    if unsafe { libc::munmap(extension_host.cast(), extension_len as usize) } != 0 {
        return Err(Errno::last());
    }
    // SAFETY: `old_host` is the host mapping of the guest range; without MREMAP_MAYMOVE it stays put.
    let grown = unsafe { libc::mremap(old_host.cast(), old_len as usize, new_len as usize, 0) };
    if grown == libc::MAP_FAILED {
        let error = Errno::last();
        memory::reserve_fixed(extension_host, extension_len)?;
        return Err(error);
    }
    space.vmas.insert(old, old + new_len, prot);
    Ok(())
}

/// Whether the kernel knows `advice` (MADV_NORMAL 0 to MADV_COLLAPSE 25, less the unused 5 to 7, and
/// MADV_HWPOISON/MADV_SOFT_OFFLINE); it answers EINVAL to anything else.
fn known_advice(advice: u64) -> bool {
    matches!(advice, 0..=4 | 8..=25 | 100 | 101)
}

pub fn madvise(a: Args) -> SysResult {
    let (addr, len) = (a[0], page_up(a[1]));
    if addr % PAGE_SIZE != 0 || !known_advice(a[2]) {
        return Err(EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    if !in_guest_space(addr, len) || !memory::space().vmas.is_mapped(addr, addr + len) {
        return Err(ENOMEM);
    }
    let ptr = host_ptr(addr, len)?;
    // SAFETY: the range is mapped guest memory (MADV_DONTNEED then reads back as zero, as the guest expects).
    match host_result(unsafe { libc::madvise(ptr.cast(), len as usize, a[2] as i32) } as i64) {
        // The advice is known (checked above), so the host's EINVAL means a feature its kernel lacks
        // (huge pages, KSM) or one the host mapping cannot take: advice being a hint, the guest is told
        // it was taken. Other errors (EPERM, EAGAIN, ENOMEM, ...) are the guest's answer.
        Err(EINVAL) => Ok(0),
        result => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{MMAP_LOW, STACK_TOP};

    /// One test drives the real address space (it is process-wide), so the steps run in order.
    #[test]
    fn mappings_brk_and_remaps_work_in_the_reserved_space() {
        memory::reserve_guest_space(memory::GuestBase::Anywhere).unwrap();
        let anon_rw = MAP_PRIVATE | MAP_ANONYMOUS;
        let rw = (PROT_READ | PROT_WRITE) as u64;

        // Top-down placement below the stack.
        let first = mmap([0, 5000, rw, anon_rw, u64::MAX, 0]).unwrap();
        let second = mmap([0, 4096, rw, anon_rw, u64::MAX, 0]).unwrap();
        assert!(first < STACK_TOP && first >= MMAP_LOW);
        assert_eq!(first % PAGE_SIZE, 0);
        assert_eq!(second, first - PAGE_SIZE);
        memory::write_u64(first + 8, 0xfeed).unwrap();
        assert_eq!(memory::read_u64(first + 8), Ok(0xfeed));

        // MAP_FIXED inside the space, FIXED_NOREPLACE over it, and bad arguments.
        let fixed = 0x2000_0000;
        assert_eq!(mmap([fixed, 8192, rw, anon_rw | MAP_FIXED, 0, 0]), Ok(fixed));
        assert_eq!(mmap([fixed, 4096, rw, anon_rw | MAP_FIXED_NOREPLACE, 0, 0]), Err(EEXIST));
        assert_eq!(mmap([fixed + 1, 4096, rw, anon_rw | MAP_FIXED, 0, 0]), Err(EINVAL));
        assert_eq!(mmap([0, 0, rw, anon_rw, 0, 0]), Err(EINVAL));
        assert_eq!(mmap([0, 4096, rw, MAP_ANONYMOUS, 0, 0]), Err(EINVAL));
        assert_eq!(mmap([1 << 41, 4096, rw, anon_rw | MAP_FIXED, 0, 0]), Err(ENOMEM));

        // mprotect is recorded, and the runtime's own access honours it.
        assert_eq!(mprotect([fixed, 4096, PROT_READ as u64, 0, 0, 0]), Ok(0));
        assert_eq!(memory::write_u64(fixed, 1), Err(EFAULT));
        assert_eq!(memory::read_u64(fixed), Ok(0));
        assert_eq!(mprotect([0x3000_0000, 4096, rw, 0, 0, 0]), Err(ENOMEM));

        // munmap makes the range unreadable again.
        assert_eq!(munmap([fixed, 8192, 0, 0, 0, 0]), Ok(0));
        assert_eq!(memory::read_u64(fixed), Err(EFAULT));

        // mremap: shrink in place, refuse growth without MAYMOVE, move with it (contents kept).
        let big = mmap([0, 4 * 4096, rw, anon_rw, u64::MAX, 0]).unwrap();
        memory::write_u64(big, 0x1234).unwrap();
        assert_eq!(mremap([big, 4 * 4096, 2 * 4096, 0, 0, 0]), Ok(big));
        assert_eq!(memory::read_u64(big + 3 * 4096), Err(EFAULT));
        assert_eq!(mremap([big, 2 * 4096, 8 * 4096, 0, 0, 0]), Err(ENOMEM));
        let moved = mremap([big, 2 * 4096, 8 * 4096, MREMAP_MAYMOVE, 0, 0]).unwrap();
        assert_ne!(moved, big);
        assert_eq!(memory::read_u64(moved), Ok(0x1234));
        assert_eq!(memory::read_u64(moved + 7 * 4096), Ok(0));
        assert_eq!(memory::read_u64(big), Err(EFAULT));

        // brk grows page by page from its start, and refuses to run into a mapping.
        {
            let mut space = memory::space();
            space.brk_start = 0x50_0000;
            space.brk = 0x50_0000;
        }
        assert_eq!(brk([0, 0, 0, 0, 0, 0]), Ok(0x50_0000));
        assert_eq!(brk([0x50_1234, 0, 0, 0, 0, 0]), Ok(0x50_1234));
        memory::write_u64(0x50_1000, 7).unwrap();
        mmap([0x60_0000, 4096, rw, anon_rw | MAP_FIXED, 0, 0]).unwrap();
        assert_eq!(brk([0x70_0000, 0, 0, 0, 0, 0]), Ok(0x50_1234));
        assert_eq!(brk([0x50_0000, 0, 0, 0, 0, 0]), Ok(0x50_0000));
        assert_eq!(memory::read_u64(0x50_1000), Err(EFAULT));
        assert_eq!(madvise([first, 4096, libc::MADV_DONTNEED as u64, 0, 0, 0]), Ok(0));
        assert_eq!(memory::read_u64(first + 8), Ok(0));
    }
}
