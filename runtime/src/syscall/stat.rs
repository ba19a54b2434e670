//! File status: fstat and newfstatat write the AArch64 `struct stat` (asm-generic/stat.h, 128
//! bytes), which differs from the x86-64 one (144 bytes, other field order and widths), so the
//! host's result is converted field by field. statx and statfs have one layout on both and pass through.

use super::Args;
use crate::errno::{host_result, SysResult};
use crate::memory::{self, host_ptr};

/// The size of the AArch64 `struct stat`.
pub const GUEST_STAT_SIZE: usize = 128;

/// Encodes a host `stat` as the AArch64 kernel's `struct stat`:
/// st_dev@0 u64, st_ino@8 u64, st_mode@16 u32, st_nlink@20 u32, st_uid@24 u32, st_gid@28 u32,
/// st_rdev@32 u64, pad@40, st_size@48 i64, st_blksize@56 i32, pad@60, st_blocks@64 i64,
/// st_atime@72, st_atime_nsec@80, st_mtime@88, st_mtime_nsec@96, st_ctime@104, st_ctime_nsec@112,
/// two unused u32 at 120 and 124.
pub fn guest_stat(host: &libc::stat) -> [u8; GUEST_STAT_SIZE] {
    let mut out = [0u8; GUEST_STAT_SIZE];
    let mut put = |at: usize, bytes: &[u8]| out[at..at + bytes.len()].copy_from_slice(bytes);
    put(0, &(host.st_dev as u64).to_le_bytes());
    put(8, &(host.st_ino as u64).to_le_bytes());
    put(16, &(host.st_mode as u32).to_le_bytes());
    put(20, &(host.st_nlink as u32).to_le_bytes());
    put(24, &(host.st_uid as u32).to_le_bytes());
    put(28, &(host.st_gid as u32).to_le_bytes());
    put(32, &(host.st_rdev as u64).to_le_bytes());
    put(48, &(host.st_size as i64).to_le_bytes());
    put(56, &(host.st_blksize as i32).to_le_bytes());
    put(64, &(host.st_blocks as i64).to_le_bytes());
    put(72, &(host.st_atime as i64).to_le_bytes());
    put(80, &(host.st_atime_nsec as u64).to_le_bytes());
    put(88, &(host.st_mtime as i64).to_le_bytes());
    put(96, &(host.st_mtime_nsec as u64).to_le_bytes());
    put(104, &(host.st_ctime as i64).to_le_bytes());
    put(112, &(host.st_ctime_nsec as u64).to_le_bytes());
    out
}

/// Writes the converted `host` stat to guest address `addr`.
fn store(addr: u64, host: &libc::stat) -> SysResult {
    memory::write_bytes(addr, &guest_stat(host))?;
    Ok(0)
}

pub fn fstat(a: Args) -> SysResult {
    // SAFETY: `stat` is plain old data, filled by the host.
    let mut host: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    host_result(unsafe { libc::fstat(a[0] as i32, &mut host) } as i64)?;
    store(a[1], &host)
}

pub fn newfstatat(a: Args) -> SysResult {
    let path = memory::read_cstring(a[1])?;
    // SAFETY: as in `fstat`; AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH have the same values on both sides.
    let mut host: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a host buffer.
    host_result(unsafe { libc::fstatat(a[0] as i32, path.as_ptr(), &mut host, a[3] as i32) } as i64)?;
    store(a[2], &host)
}

pub fn statx(a: Args) -> SysResult {
    let path = memory::read_cstring(a[1])?;
    // `struct statx` is 256 bytes with one layout everywhere.
    let buf = host_ptr(a[4], 256)?;
    // SAFETY: a valid C string and a buffer inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_statx, a[0] as i32, path.as_ptr(), a[2] as i32, a[3] as u32, buf) })
}

pub fn statfs(a: Args) -> SysResult {
    let path = memory::read_cstring(a[0])?;
    // `struct statfs` with 64-bit words is 120 bytes with one layout on both.
    let buf = host_ptr(a[1], 120)?;
    // SAFETY: a valid C string and a buffer inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_statfs, path.as_ptr(), buf) })
}

pub fn fstatfs(a: Args) -> SysResult {
    let buf = host_ptr(a[1], 120)?;
    // SAFETY: a buffer inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_fstatfs, a[0] as i32, buf) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u64_at(bytes: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    fn u32_at(bytes: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn host_stat_converts_to_the_aarch64_layout() {
        // SAFETY: plain old data.
        let mut host: libc::stat = unsafe { std::mem::zeroed() };
        host.st_dev = 0x801;
        host.st_ino = 0x1234_5678_9abc;
        host.st_nlink = 3;
        host.st_mode = 0o100644;
        host.st_uid = 1000;
        host.st_gid = 100;
        host.st_rdev = 0x0501;
        host.st_size = 0x1_0000_0001;
        host.st_blksize = 4096;
        host.st_blocks = 16;
        host.st_atime = 1_700_000_000;
        host.st_atime_nsec = 111;
        host.st_mtime = 1_700_000_001;
        host.st_mtime_nsec = 222;
        host.st_ctime = 1_700_000_002;
        host.st_ctime_nsec = 333;
        let guest = guest_stat(&host);
        assert_eq!(u64_at(&guest, 0), 0x801);
        assert_eq!(u64_at(&guest, 8), 0x1234_5678_9abc);
        assert_eq!(u32_at(&guest, 16), 0o100644);
        assert_eq!(u32_at(&guest, 20), 3);
        assert_eq!(u32_at(&guest, 24), 1000);
        assert_eq!(u32_at(&guest, 28), 100);
        assert_eq!(u64_at(&guest, 32), 0x0501);
        assert_eq!(u64_at(&guest, 40), 0);
        assert_eq!(u64_at(&guest, 48), 0x1_0000_0001);
        assert_eq!(u32_at(&guest, 56), 4096);
        assert_eq!(u64_at(&guest, 64), 16);
        assert_eq!((u64_at(&guest, 72), u64_at(&guest, 80)), (1_700_000_000, 111));
        assert_eq!((u64_at(&guest, 88), u64_at(&guest, 96)), (1_700_000_001, 222));
        assert_eq!((u64_at(&guest, 104), u64_at(&guest, 112)), (1_700_000_002, 333));
        assert_eq!(u64_at(&guest, 120), 0);
    }
}
