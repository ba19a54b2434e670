//! The `VMTRANS_STRACE=1` trace: one line per system call on stderr, in the style of qemu's
//! `-strace`: `PID name(arg,...) = result`, with errors as `-1 errno=N (message)`. The calls programs make
//! most often have their arguments decoded (numbers, descriptors, `AT_FDCWD`, strings, pointers, and
//! flags and signals by name: `trace_flags`).

use std::io::Write as _;
use std::sync::OnceLock;

use super::names::syscall_name;
use super::trace_flags;
use super::Args;
use crate::errno::SysResult;

/// Whether tracing was asked for (read once from the host environment).
pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("VMTRANS_STRACE").is_some_and(|v| v != "0" && !v.is_empty()))
}

/// How the trace shows the arguments of the calls it knows, one letter per argument: `i` a signed
/// decimal, `u` an unsigned decimal, `x` hex (flags), `o` octal (modes), `f` a file descriptor, `d` a
/// directory descriptor (`AT_FDCWD` by name), `s` a guest string (quoted, cut at 64 bytes), `p` a
/// pointer (`NULL` or hex); by name: `O` open flags, `Q` descriptor flags (pipe2, dup3), `P` protections, `M` mmap flags, `R` mremap
/// flags, `C` clone flags, `F` a futex operation, `S` a signal number, `H` sigprocmask's how; `A`
/// clone3's `struct clone_args`, field by field. Calls not listed show six hex arguments.
const SIGNATURES: &[(u64, &str)] = &[
    (17, "pu"),
    (23, "f"),
    (24, "ffQ"),
    (25, "fix"),
    (29, "fxp"),
    (34, "dso"),
    (35, "dsx"),
    (36, "sds"),
    (37, "dsdsx"),
    (38, "dsds"),
    (46, "fi"),
    (48, "dso"),
    (49, "s"),
    (53, "dso"),
    (54, "dsiix"),
    (56, "dsOo"),
    (57, "f"),
    (59, "pQ"),
    (61, "fpu"),
    (62, "fii"),
    (63, "fpu"),
    (64, "fpu"),
    (65, "fpi"),
    (66, "fpi"),
    (67, "fpui"),
    (68, "fpui"),
    (78, "dspu"),
    (79, "dspx"),
    (80, "fp"),
    (93, "i"),
    (94, "i"),
    (96, "p"),
    (98, "pFippx"),
    (99, "pu"),
    (101, "pp"),
    (113, "ip"),
    (124, ""),
    (129, "iS"),
    (130, "iS"),
    (131, "iiS"),
    (134, "Sppu"),
    (135, "Hppu"),
    (160, "p"),
    (172, ""),
    (173, ""),
    (178, ""),
    (198, "iii"),
    (200, "fpu"),
    (203, "fpu"),
    (214, "p"),
    (215, "pu"),
    (216, "puuRp"),
    (220, "Cpppp"),
    (221, "spp"),
    (222, "puPMfx"),
    (226, "puP"),
    (233, "pui"),
    (260, "ipxp"),
    (261, "iipp"),
    (278, "pux"),
    (291, "dsxxp"),
    (293, "puxx"),
    (435, "Au"),
];

/// Calls whose result is an address, shown in hex (brk, shmat, mremap, mmap); others are decimal.
const ADDRESS_RESULTS: &[u64] = &[196, 214, 216, 222];

/// The kernel's AT_FDCWD.
const AT_FDCWD: i32 = -100;

/// What the trace reads of guest memory (None where it is unreadable).
pub trait TraceMemory {
    /// A string argument, at most 64 bytes, with `...` when cut.
    fn string(&self, addr: u64) -> Option<String>;
    /// `count` little-endian 64-bit words.
    fn words(&self, addr: u64, count: usize) -> Option<Vec<u64>>;
}

/// The guest's memory, as the running program sees it.
struct GuestMemory;

impl TraceMemory for GuestMemory {
    fn string(&self, addr: u64) -> Option<String> {
        let text = crate::memory::read_cstring(addr).ok()?;
        let bytes = text.as_bytes();
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).into_owned();
        Some(if bytes.len() > 64 { shown + "..." } else { shown })
    }

    fn words(&self, addr: u64, count: usize) -> Option<Vec<u64>> {
        (0..count as u64).map(|i| crate::memory::read_u64(addr.wrapping_add(8 * i)).ok()).collect()
    }
}

/// clone3's `struct clone_args` as strace shows it: the fields glibc sets, flags and the exit signal
/// by name.
fn clone_args(addr: u64, memory: &dyn TraceMemory) -> String {
    match memory.words(addr, 8) {
        Some(w) => format!(
            "{{flags={},pidfd={:#x},child_tid={:#x},parent_tid={:#x},exit_signal={},stack={:#x},stack_size={:#x},tls={:#x}}}",
            trace_flags::clone_flags(w[0]),
            w[1],
            w[2],
            w[3],
            if w[4] == 0 { "0".to_string() } else { trace_flags::signal(w[4]) },
            w[5],
            w[6],
            w[7]
        ),
        None => format!("{addr:#x}"),
    }
}

/// Shows one argument as `kind` says, reading strings and structures from `memory`.
fn show(kind: char, value: u64, memory: &dyn TraceMemory) -> String {
    match kind {
        'i' => (value as i64).to_string(),
        'u' => value.to_string(),
        'o' => format!("{value:#o}"),
        'f' => (value as i32).to_string(),
        'd' if value as i32 == AT_FDCWD => "AT_FDCWD".to_string(),
        'd' => (value as i32).to_string(),
        's' => match memory.string(value) {
            Some(text) => format!("{text:?}"),
            None => format!("{value:#x}"),
        },
        'p' if value == 0 => "NULL".to_string(),
        'O' => trace_flags::open_flags(value),
        'Q' => trace_flags::descriptor_flags(value),
        'P' => trace_flags::prot(value),
        'M' => trace_flags::mmap_flags(value),
        'R' => trace_flags::mremap_flags(value),
        'C' => trace_flags::clone_flags(value),
        'F' => trace_flags::futex_op(value),
        'S' => trace_flags::signal(value),
        'H' => trace_flags::sigprocmask_how(value),
        'A' => clone_args(value, memory),
        _ => format!("{value:#x}"),
    }
}

/// Formats one trace line; `result` is `None` for a call that does not return (exit). `memory` reads
/// the strings and structures the arguments point at.
pub fn format_call(pid: u32, number: u64, args: &Args, result: Option<SysResult>, memory: &dyn TraceMemory) -> String {
    let name = syscall_name(number);
    let shown = if name == "?" { format!("syscall_{number}") } else { name.to_string() };
    let args = match SIGNATURES.iter().find(|(n, _)| *n == number) {
        Some((_, kinds)) => kinds.chars().zip(args).map(|(kind, &a)| show(kind, a, memory)).collect::<Vec<_>>(),
        None => args.iter().map(|a| format!("{a:#x}")).collect(),
    }
    .join(",");
    match result {
        None => format!("{pid} {shown}({args})\n"),
        Some(Ok(value)) if ADDRESS_RESULTS.contains(&number) => format!("{pid} {shown}({args}) = {value:#x}\n"),
        Some(Ok(value)) => format!("{pid} {shown}({args}) = {}\n", value as i64),
        Some(Err(errno)) => {
            let message = std::io::Error::from_raw_os_error(errno.0).to_string();
            let message = message.split(" (os error").next().unwrap_or("");
            format!("{pid} {shown}({args}) = -1 errno={} ({message})\n", errno.0)
        }
    }
}

/// Prints one trace line to stderr in a single write.
pub fn print_call(number: u64, args: &Args, result: Option<SysResult>) {
    let line = format_call(std::process::id(), number, args, result, &GuestMemory);
    let _ = std::io::stderr().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::EBADF;

    /// A string at 0x500 and a `struct clone_args` at 0x700 (pthread_create's, glibc 2.36).
    struct FakeMemory;

    impl TraceMemory for FakeMemory {
        fn string(&self, addr: u64) -> Option<String> {
            (addr == 0x500).then(|| "/etc/passwd".to_string())
        }

        fn words(&self, addr: u64, count: usize) -> Option<Vec<u64>> {
            let args = [0x3d_0f00, 0, 0xa990, 0xa990, 0, 0x8000, 0x1000, 0xb000];
            (addr == 0x700).then(|| args[..count].to_vec())
        }
    }

    #[test]
    fn clone3_shows_its_structure() {
        assert_eq!(
            format_call(7, 435, &[0x700, 88, 0, 0, 0, 0], Some(Ok(8)), &FakeMemory),
            "7 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|\
             CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID,pidfd=0x0,child_tid=0xa990,parent_tid=0xa990,exit_signal=0,\
             stack=0x8000,stack_size=0x1000,tls=0xb000},88) = 8\n"
        );
        assert_eq!(
            format_call(7, 435, &[0x10, 88, 0, 0, 0, 0], Some(Err(EBADF)), &FakeMemory).split(',').next(),
            Some("7 clone3(0x10")
        );
    }

    #[test]
    fn lines_look_like_qemu_strace() {
        let strings = FakeMemory;
        assert_eq!(format_call(7, 64, &[1, 0x10, 5, 0, 0, 0], Some(Ok(5)), &strings), "7 write(1,0x10,5) = 5\n");
        assert_eq!(
            format_call(7, 56, &[(-100i64) as u64, 0x500, 0x80000, 0, 0, 0], Some(Ok(3)), &strings),
            "7 openat(AT_FDCWD,\"/etc/passwd\",O_RDONLY|O_CLOEXEC,0o0) = 3\n"
        );
        assert_eq!(
            format_call(7, 57, &[9, 0, 0, 0, 0, 0], Some(Err(EBADF)), &strings),
            "7 close(9) = -1 errno=9 (Bad file descriptor)\n"
        );
        assert_eq!(format_call(7, 94, &[0; 6], None, &strings), "7 exit_group(0)\n");
        assert_eq!(
            format_call(7, 222, &[0, 4096, 3, 0x22, u64::MAX, 0], Some(Ok(0x7000)), &strings),
            "7 mmap(NULL,4096,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0x0) = 0x7000\n"
        );
        // A call without a signature shows six hex arguments; an unreadable string shows its address.
        assert!(format_call(7, 5, &[1, 2, 3, 4, 5, 6], Some(Ok(0)), &strings).starts_with("7 setxattr(0x1,0x2,"));
        assert_eq!(format_call(7, 49, &[0x600, 0, 0, 0, 0, 0], Some(Ok(0)), &strings), "7 chdir(0x600) = 0\n");
    }
}
