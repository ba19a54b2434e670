//! The /proc files whose host version would describe the host rather than the guest: the memory map
//! (`/proc/self/maps`, in guest addresses, with the guest's protections), the auxiliary vector
//! (`/proc/self/auxv`, the one the guest's stack got) and `/proc/cpuinfo` (an AArch64 CPU with
//! exactly the features AT_HWCAP advertises). Opening one gives a memfd holding the
//! text the AArch64 kernel would produce, generated at open time; every other path goes to the host.
//! `/proc/self/exe` of a program loaded by execve (see `exec.rs`) names that program.

use std::ffi::CStr;

use crate::memory::{self, page_up, STACK_TOP};
use crate::stack::{GUEST_HWCAP, GUEST_HWCAP2};
use crate::vma::{PROT_EXEC, PROT_READ, PROT_WRITE};

/// The names /proc/cpuinfo gives the AT_HWCAP bits, by bit (arch/arm64/kernel/cpuinfo.c).
const HWCAP_NAMES: [&str; 32] = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp", "cpuid",
    "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512", "sve", "asimdfhm", "dit",
    "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
];
/// The names of the first AT_HWCAP2 bits.
const HWCAP2_NAMES: [&str; 14] = [
    "dcpodp",
    "sve2",
    "sveaes",
    "svepmull",
    "svebitperm",
    "svesha3",
    "svesm4",
    "flagm2",
    "frint",
    "svei8mm",
    "svef32mm",
    "svef64mm",
    "svebf16",
    "i8mm",
];

/// Whether `path` names this process's own entry (self, thread-self or its pid) followed by `/name`.
fn is_own(path: &[u8], name: &str) -> bool {
    let Some(rest) = path.strip_prefix(b"/proc/") else { return false };
    let Some(owner) = rest.strip_suffix(format!("/{name}").as_bytes()) else { return false };
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    owner == b"self" || owner == b"thread-self" || owner == pid.to_string().as_bytes()
}

/// The synthesized contents of `path`, or None when the host's file is the right answer.
pub fn contents(path: &CStr) -> Option<Vec<u8>> {
    let path = path.to_bytes();
    if path == b"/proc/cpuinfo" {
        Some(cpuinfo())
    } else if is_own(path, "maps") {
        Some(maps())
    } else if is_own(path, "auxv") {
        crate::stack::GUEST_AUXV.get().cloned()
    } else {
        None
    }
}

/// Opens the synthesized file `path` as a memfd positioned at its start (None: not synthesized).
pub fn open(path: &CStr, cloexec: bool) -> Option<crate::errno::SysResult> {
    let text = contents(path)?;
    let flags = if cloexec { libc::MFD_CLOEXEC } else { 0 };
    // SAFETY: a valid name and flags.
    let fd = unsafe { libc::memfd_create(c"vmtrans-proc".as_ptr(), flags) };
    if fd < 0 {
        return Some(Err(crate::errno::Errno::last()));
    }
    let mut written = 0;
    while written < text.len() {
        // SAFETY: the buffer is valid for the length given.
        let n = unsafe { libc::write(fd, text[written..].as_ptr().cast(), text.len() - written) };
        if n <= 0 {
            // SAFETY: closing the descriptor just created.
            unsafe { libc::close(fd) };
            return Some(Err(crate::errno::Errno::last()));
        }
        written += n as usize;
    }
    // SAFETY: a descriptor this function owns.
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
    Some(Ok(fd as u64))
}

/// The guest path /proc/self/exe names, when it is not the host's answer.
pub fn exe_link(path: &CStr) -> Option<&'static CStr> {
    if is_own(path.to_bytes(), "exe") {
        super::exec::loaded_guest()
    } else {
        None
    }
}

fn cpuinfo() -> Vec<u8> {
    let mut features: Vec<&str> =
        (0..32).filter(|bit| GUEST_HWCAP & (1 << bit) != 0).map(|bit| HWCAP_NAMES[bit]).collect();
    features.extend((0..HWCAP2_NAMES.len()).filter(|bit| GUEST_HWCAP2 & (1 << bit) != 0).map(|bit| HWCAP2_NAMES[bit]));
    // SAFETY: sysconf has no preconditions.
    let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_CONF) }.max(1);
    let mut out = String::new();
    for cpu in 0..cpus {
        // The identification matches the emulated MIDR_EL1: a Cortex-A72 r0p3.
        out += &format!(
            "processor\t: {cpu}\nBogoMIPS\t: 100.00\nFeatures\t: {}\nCPU implementer\t: 0x41\n\
             CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n",
            features.join(" ")
        );
    }
    out.into_bytes()
}

/// What the host's /proc/self/maps says about one host range: offset, device, inode and path.
struct HostArea {
    start: u64,
    end: u64,
    offset: u64,
    device: String,
    inode: u64,
    path: String,
}

fn host_areas() -> Vec<HostArea> {
    let text = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (range, _perms, offset, device, inode) =
                (fields.next()?, fields.next()?, fields.next()?, fields.next()?, fields.next()?);
            let (start, end) = range.split_once('-')?;
            Some(HostArea {
                start: u64::from_str_radix(start, 16).ok()?,
                end: u64::from_str_radix(end, 16).ok()?,
                offset: u64::from_str_radix(offset, 16).ok()?,
                device: device.to_string(),
                inode: inode.parse().ok()?,
                path: fields.collect::<Vec<_>>().join(" "),
            })
        })
        .collect()
}

fn maps() -> Vec<u8> {
    let host = host_areas();
    let base = memory::base();
    let exe = super::exec::loaded_guest()
        .map(|p| p.to_string_lossy().into_owned())
        .or_else(|| std::fs::read_link("/proc/self/exe").ok().map(|p| p.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let space = memory::space();
    let mut out = String::new();
    for (start, end, prot) in space.vmas.iter() {
        let perms = format!(
            "{}{}{}p",
            if prot & PROT_READ != 0 { 'r' } else { '-' },
            if prot & PROT_WRITE != 0 { 'w' } else { '-' },
            if prot & PROT_EXEC != 0 { 'x' } else { '-' }
        );
        let file = host.iter().find(|h| h.inode != 0 && h.start <= base + start && base + start < h.end);
        let (offset, device, inode, mut name) = match file {
            Some(h) => (h.offset + (base + start - h.start), h.device.clone(), h.inode, h.path.clone()),
            None => (0, "00:00".to_string(), 0, String::new()),
        };
        if file.is_none() {
            if start < space.brk_start {
                name = exe.clone();
            } else if start >= space.brk_start && end <= page_up(space.brk) && space.brk > space.brk_start {
                name = "[heap]".to_string();
            } else if start < STACK_TOP && STACK_TOP <= end {
                name = "[stack]".to_string();
            }
        }
        let line = format!("{start:08x}-{end:08x} {perms} {offset:08x} {device} {inode}");
        out += &if name.is_empty() { format!("{line}\n") } else { format!("{line:<73}{name}\n") };
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_entries_are_recognised() {
        assert!(is_own(b"/proc/self/maps", "maps"));
        assert!(is_own(b"/proc/thread-self/maps", "maps"));
        assert!(is_own(format!("/proc/{}/maps", std::process::id()).as_bytes(), "maps"));
        assert!(!is_own(b"/proc/1/maps", "maps") || std::process::id() == 1);
        assert!(!is_own(b"/proc/self/mapsx", "maps"));
    }

    #[test]
    fn cpuinfo_lists_the_advertised_features() {
        let text = String::from_utf8(cpuinfo()).unwrap();
        assert!(text.starts_with("processor\t: 0\n"));
        assert!(text.contains(" asimd ") && text.contains("atomics"));
        assert!(!text.contains(" sve "), "SVE is not advertised");
    }
}
