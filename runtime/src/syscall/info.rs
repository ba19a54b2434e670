//! System information: uname (answering "aarch64" as the machine), sysinfo, getrandom and the
//! scheduler calls. `struct sysinfo` and the CPU masks have one layout on both 64-bit ABIs.

use super::Args;
use crate::errno::{host_result, SysResult, EINVAL};
use crate::memory::{self, host_ptr};

/// The size of `struct utsname`: six fields of 65 bytes.
const UTSNAME_SIZE: usize = 6 * 65;
/// The offset of the `machine` field.
const MACHINE_OFFSET: usize = 4 * 65;

/// The host's utsname bytes with the machine field replaced by "aarch64".
pub fn guest_utsname() -> Result<[u8; UTSNAME_SIZE], crate::errno::Errno> {
    // SAFETY: plain old data, filled by the host.
    let mut host: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    host_result(unsafe { libc::uname(&mut host) } as i64)?;
    let mut out = [0u8; UTSNAME_SIZE];
    let fields = [&host.sysname, &host.nodename, &host.release, &host.version, &host.machine, &host.domainname];
    for (index, field) in fields.iter().enumerate() {
        for (at, &c) in field.iter().take(65).enumerate() {
            out[index * 65 + at] = c as u8;
        }
    }
    out[MACHINE_OFFSET..MACHINE_OFFSET + 65].fill(0);
    out[MACHINE_OFFSET..MACHINE_OFFSET + 7].copy_from_slice(b"aarch64");
    Ok(out)
}

pub fn uname(a: Args) -> SysResult {
    memory::write_bytes(a[0], &guest_utsname()?)?;
    Ok(0)
}

pub fn sysinfo(a: Args) -> SysResult {
    let buf = host_ptr(a[0], 112)?;
    // SAFETY: the buffer lies inside the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_sysinfo, buf) })
}

pub fn getrandom(a: Args) -> SysResult {
    let buf = host_ptr(a[0], a[1])?;
    // SAFETY: as in `sysinfo`.
    host_result(unsafe { libc::syscall(libc::SYS_getrandom, buf, a[1] as usize, a[2] as u32) })
}

pub fn sched_getaffinity(a: Args) -> SysResult {
    if a[1] > 1 << 20 {
        return Err(EINVAL);
    }
    let mask = host_ptr(a[2], a[1])?;
    // SAFETY: as in `sysinfo`.
    host_result(unsafe { libc::syscall(libc::SYS_sched_getaffinity, a[0] as i32, a[1] as usize, mask) })
}

pub fn sched_setaffinity(a: Args) -> SysResult {
    if a[1] > 1 << 20 {
        return Err(EINVAL);
    }
    let mask = host_ptr(a[2], a[1])?;
    // SAFETY: as in `sysinfo`.
    host_result(unsafe { libc::syscall(libc::SYS_sched_setaffinity, a[0] as i32, a[1] as usize, mask) })
}

pub fn sched_yield() -> SysResult {
    // SAFETY: no arguments.
    host_result(unsafe { libc::sched_yield() } as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uname_reports_aarch64() {
        let uts = guest_utsname().unwrap();
        assert_eq!(&uts[MACHINE_OFFSET..MACHINE_OFFSET + 8], b"aarch64\0");
        assert_eq!(&uts[0..6], b"Linux\0");
    }
}
