//! System V shared memory and semaphores, the parts that need more than pass-through (shmget, shmctl,
//! semget, semop and the message queues pass through, see `passthrough.rs`). shmat must place the
//! segment inside the guest space: the runtime picks the guest range as mmap would, attaches the host
//! segment over that part of the reservation (SHM_REMAP) and records it, and shmdt puts the
//! reservation back. semctl converts `struct semid64_ds`, the one SysV structure whose layout differs
//! (x86-64 keeps a padding word after each time field, asm-generic does not).

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::Args;
use crate::errno::{host_result, Errno, SysResult, EINVAL};
use crate::memory::{self, host_ptr, in_guest_space, page_up, reserve_fixed, PAGE_SIZE};
use crate::vma::{PROT_EXEC, PROT_READ, PROT_WRITE};

const SHM_RDONLY: u64 = 0o10000;
const SHM_RND: u64 = 0o20000;
const SHM_REMAP: u64 = 0o40000;
const SHM_EXEC: u64 = 0o100000;
/// The kernel's IPC_64 flag in a command (meaningless on 64-bit kernels).
const IPC_64: u64 = 0x100;

/// Attached segments: guest address → length, for shmdt.
static ATTACHED: Mutex<BTreeMap<u64, u64>> = Mutex::new(BTreeMap::new());

fn attached() -> std::sync::MutexGuard<'static, BTreeMap<u64, u64>> {
    ATTACHED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The size of segment `id` (IPC_STAT on the host).
fn segment_size(id: i32) -> Result<u64, Errno> {
    // SAFETY: plain old data filled by the host.
    let mut info: libc::shmid_ds = unsafe { std::mem::zeroed() };
    // SAFETY: a valid buffer for IPC_STAT.
    host_result(unsafe { libc::shmctl(id, libc::IPC_STAT, &mut info) } as i64)?;
    Ok(info.shm_segsz as u64)
}

pub fn shmat(a: Args) -> SysResult {
    let (id, wanted, flags) = (a[0] as i32, a[1], a[2]);
    let len = page_up(segment_size(id)?);
    let mut space = memory::space();
    let addr = if wanted == 0 {
        space.vmas.find_free_top_down(len, space.mmap_low, space.mmap_high).ok_or(Errno(libc::ENOMEM))?
    } else {
        let addr = if flags & SHM_RND != 0 { wanted & !(PAGE_SIZE - 1) } else { wanted };
        if addr % PAGE_SIZE != 0 || !in_guest_space(addr, len) {
            return Err(EINVAL);
        }
        if flags & SHM_REMAP == 0 && space.vmas.overlaps(addr, addr + len) {
            return Err(EINVAL);
        }
        if addr < memory::LOWEST_MAPPABLE {
            // The kernel's mmap_min_addr check, as for mmap.
            return Err(Errno(libc::EPERM));
        }
        addr
    };
    let host_flags = (flags & (SHM_RDONLY | SHM_EXEC)) | SHM_REMAP;
    let target = host_ptr(addr, len)?;
    // SAFETY: the range lies inside the guest reservation, which the runtime owns.
    let got = unsafe { libc::shmat(id, target.cast(), host_flags as i32) };
    if got as isize == -1 {
        return Err(Errno::last());
    }
    let mut prot = PROT_READ;
    if flags & SHM_RDONLY == 0 {
        prot |= PROT_WRITE;
    }
    if flags & SHM_EXEC != 0 {
        prot |= PROT_EXEC;
    }
    space.vmas.insert(addr, addr + len, prot);
    attached().insert(addr, len);
    Ok(addr)
}

pub fn shmdt(a: Args) -> SysResult {
    let addr = a[0];
    let len = attached().get(&addr).copied().ok_or(EINVAL)?;
    let mut space = memory::space();
    let target = host_ptr(addr, len)?;
    // SAFETY: a segment this process attached at that host address.
    host_result(unsafe { libc::shmdt(target.cast()) } as i64)?;
    reserve_fixed(target, len)?;
    space.vmas.remove(addr, addr + len);
    attached().remove(&addr);
    Ok(0)
}

/// semctl commands.
const IPC_RMID: u64 = 0;
const IPC_SET: u64 = 1;
const IPC_STAT: u64 = 2;
const IPC_INFO: u64 = 3;
const GETPID: u64 = 11;
const GETVAL: u64 = 12;
const GETALL: u64 = 13;
const GETNCNT: u64 = 14;
const GETZCNT: u64 = 15;
const SETVAL: u64 = 16;
const SETALL: u64 = 17;
const SEM_STAT: u64 = 18;
const SEM_INFO: u64 = 19;
const SEM_STAT_ANY: u64 = 20;
/// `struct semid64_ds` on AArch64 (asm-generic) and x86-64, and `struct seminfo`.
const GUEST_SEMID_DS: usize = 88;
const HOST_SEMID_DS: usize = 104;
const SEMINFO_SIZE: u64 = 40;
/// Where the fields after `sem_perm` (48 bytes, the same on both) lie: (guest offset, host offset).
const SEMID_FIELDS: [(usize, usize); 3] = [(48, 48), (56, 64), (64, 80)];

fn host_semctl(id: i32, num: i32, cmd: u64, arg: u64) -> SysResult {
    // SAFETY: `arg` is a value or a host pointer of the size the command uses.
    host_result(unsafe { libc::syscall(libc::SYS_semctl, id, num, cmd as i32, arg) })
}

pub fn semctl(a: Args) -> SysResult {
    let (id, num, arg) = (a[0] as i32, a[1] as i32, a[3]);
    let cmd = a[2] & !IPC_64;
    match cmd {
        IPC_STAT | SEM_STAT | SEM_STAT_ANY => {
            let mut host = [0u8; HOST_SEMID_DS];
            let result = host_semctl(id, num, cmd, host.as_mut_ptr() as u64)?;
            let mut guest = [0u8; GUEST_SEMID_DS];
            guest[..48].copy_from_slice(&host[..48]);
            for (g, h) in SEMID_FIELDS {
                guest[g..g + 8].copy_from_slice(&host[h..h + 8]);
            }
            memory::write_bytes(arg, &guest)?;
            Ok(result)
        }
        IPC_SET => {
            let mut guest = [0u8; GUEST_SEMID_DS];
            memory::read_into(arg, &mut guest)?;
            let mut host = [0u8; HOST_SEMID_DS];
            host[..48].copy_from_slice(&guest[..48]);
            for (g, h) in SEMID_FIELDS {
                host[h..h + 8].copy_from_slice(&guest[g..g + 8]);
            }
            host_semctl(id, num, cmd, host.as_ptr() as u64)
        }
        IPC_INFO | SEM_INFO => host_semctl(id, num, cmd, host_ptr(arg, SEMINFO_SIZE)? as u64),
        GETALL | SETALL => {
            let mut host = [0u8; HOST_SEMID_DS];
            host_semctl(id, 0, IPC_STAT, host.as_mut_ptr() as u64)?;
            let count = u64::from_le_bytes(host[80..88].try_into().unwrap_or_default());
            host_semctl(id, num, cmd, host_ptr(arg, count * 2)? as u64)
        }
        IPC_RMID | GETPID | GETVAL | GETNCNT | GETZCNT | SETVAL => host_semctl(id, num, cmd, arg),
        _ => Err(EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_semid_layout_is_the_one_converted() {
        assert_eq!(std::mem::size_of::<libc::semid_ds>(), HOST_SEMID_DS);
        assert_eq!(std::mem::offset_of!(libc::semid_ds, sem_nsems), 80);
    }

    #[test]
    fn unknown_commands_and_detaching_nothing_are_refused() {
        assert_eq!(semctl([0, 0, 99, 0, 0, 0]), Err(EINVAL));
        assert_eq!(shmdt([0x1234_0000, 0, 0, 0, 0, 0]), Err(EINVAL));
    }
}
