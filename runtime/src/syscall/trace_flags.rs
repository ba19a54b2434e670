//! Names for the flag and enumeration arguments that the `VMTRANS_STRACE` trace decodes: open flags,
//! memory protections, mmap and mremap flags, clone flags, futex operations, signal numbers and
//! sigprocmask's `how`, with the AArch64 Linux values the guest passes (not the host's: open flags
//! differ between the two). Bits without a name are shown in hex after the named ones, so a line
//! never hides a bit.

/// A bit set shown as `NAME|NAME|0x...`: each named bit present, then the rest in hex; `zero` when
/// no bit is set.
fn bit_names(value: u64, names: &[(u64, &str)], zero: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = value;
    for &(bit, name) in names {
        if bit != 0 && rest & bit == bit {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.to_string()
    } else {
        parts.join("|")
    }
}

/// A field holding one of several values (an access mode, a mapping type, an operation), then the
/// bits outside `field_mask` as `bit_names` shows them.
fn field_and_bits(value: u64, field_mask: u64, field: &[(u64, &str)], bits: &[(u64, &str)]) -> String {
    let chosen = value & field_mask;
    let head = match field.iter().find(|&&(v, _)| v == chosen) {
        Some(&(_, name)) => name.to_string(),
        None => format!("{chosen:#x}"),
    };
    let rest = value & !field_mask;
    if rest == 0 {
        head
    } else {
        format!("{head}|{}", bit_names(rest, bits, "0"))
    }
}

/// The open flags other than the access mode (AArch64's values: O_DIRECTORY, O_NOFOLLOW, O_DIRECT
/// and O_LARGEFILE differ from x86-64's). O_SYNC is __O_SYNC with O_DSYNC, and O_TMPFILE
/// __O_TMPFILE with O_DIRECTORY: the combined names come first so that their bits are named once.
const OPEN_BITS: [(u64, &str); 17] = [
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o4010000, "O_SYNC"),
    (0o20040000, "O_TMPFILE"),
    (0o10000, "O_DSYNC"),
    (0o20000, "O_ASYNC"),
    (0o40000, "O_DIRECTORY"),
    (0o100000, "O_NOFOLLOW"),
    (0o200000, "O_DIRECT"),
    (0o400000, "O_LARGEFILE"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
];

/// openat's flags: the access mode, then the other bits.
pub fn open_flags(value: u64) -> String {
    const ACCESS: [(u64, &str); 3] = [(0, "O_RDONLY"), (1, "O_WRONLY"), (2, "O_RDWR")];
    field_and_bits(value, 3, &ACCESS, &OPEN_BITS)
}

/// pipe2's and dup3's flags: open flags without an access mode.
pub fn descriptor_flags(value: u64) -> String {
    bit_names(value, &OPEN_BITS, "0")
}

/// mmap's, mprotect's and pkey_mprotect's protections (PROT_BTI is AArch64's).
pub fn prot(value: u64) -> String {
    bit_names(
        value,
        &[
            (0x1, "PROT_READ"),
            (0x2, "PROT_WRITE"),
            (0x4, "PROT_EXEC"),
            (0x10, "PROT_BTI"),
            (0x20, "PROT_MTE"),
            (0x0100_0000, "PROT_GROWSDOWN"),
            (0x0200_0000, "PROT_GROWSUP"),
        ],
        "PROT_NONE",
    )
}

/// mmap's flags: the mapping type, then the other bits.
pub fn mmap_flags(value: u64) -> String {
    const TYPES: [(u64, &str); 3] = [(1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (3, "MAP_SHARED_VALIDATE")];
    const BITS: [(u64, &str); 14] = [
        (0x10, "MAP_FIXED"),
        (0x20, "MAP_ANONYMOUS"),
        (0x100, "MAP_GROWSDOWN"),
        (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"),
        (0x2000, "MAP_LOCKED"),
        (0x4000, "MAP_NORESERVE"),
        (0x8000, "MAP_POPULATE"),
        (0x1_0000, "MAP_NONBLOCK"),
        (0x2_0000, "MAP_STACK"),
        (0x4_0000, "MAP_HUGETLB"),
        (0x8_0000, "MAP_SYNC"),
        (0x10_0000, "MAP_FIXED_NOREPLACE"),
        (0x400_0000, "MAP_UNINITIALIZED"),
    ];
    field_and_bits(value, 0xf, &TYPES, &BITS)
}

/// mremap's flags.
pub fn mremap_flags(value: u64) -> String {
    bit_names(value, &[(1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP")], "0")
}

/// clone's flags: the sharing bits by name, then the signal sent to the parent at exit (the low
/// byte) by name, as strace shows them.
pub fn clone_flags(value: u64) -> String {
    const BITS: [(u64, &str); 24] = [
        (0x100, "CLONE_VM"),
        (0x200, "CLONE_FS"),
        (0x400, "CLONE_FILES"),
        (0x800, "CLONE_SIGHAND"),
        (0x1000, "CLONE_PIDFD"),
        (0x2000, "CLONE_PTRACE"),
        (0x4000, "CLONE_VFORK"),
        (0x8000, "CLONE_PARENT"),
        (0x1_0000, "CLONE_THREAD"),
        (0x2_0000, "CLONE_NEWNS"),
        (0x4_0000, "CLONE_SYSVSEM"),
        (0x8_0000, "CLONE_SETTLS"),
        (0x10_0000, "CLONE_PARENT_SETTID"),
        (0x20_0000, "CLONE_CHILD_CLEARTID"),
        (0x40_0000, "CLONE_DETACHED"),
        (0x80_0000, "CLONE_UNTRACED"),
        (0x100_0000, "CLONE_CHILD_SETTID"),
        (0x200_0000, "CLONE_NEWCGROUP"),
        (0x400_0000, "CLONE_NEWUTS"),
        (0x800_0000, "CLONE_NEWIPC"),
        (0x1000_0000, "CLONE_NEWUSER"),
        (0x2000_0000, "CLONE_NEWPID"),
        (0x4000_0000, "CLONE_NEWNET"),
        (0x8000_0000, "CLONE_IO"),
    ];
    let exit_signal = value & 0xff;
    let sharing = bit_names(value & !0xff, &BITS, "");
    match (sharing.is_empty(), exit_signal) {
        (true, _) => signal(exit_signal),
        (false, 0) => sharing,
        (false, number) => format!("{sharing}|{}", signal(number)),
    }
}

/// futex's operation: the command, then FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME.
pub fn futex_op(value: u64) -> String {
    const COMMANDS: [(u64, &str); 14] = [
        (0, "FUTEX_WAIT"),
        (1, "FUTEX_WAKE"),
        (2, "FUTEX_FD"),
        (3, "FUTEX_REQUEUE"),
        (4, "FUTEX_CMP_REQUEUE"),
        (5, "FUTEX_WAKE_OP"),
        (6, "FUTEX_LOCK_PI"),
        (7, "FUTEX_UNLOCK_PI"),
        (8, "FUTEX_TRYLOCK_PI"),
        (9, "FUTEX_WAIT_BITSET"),
        (10, "FUTEX_WAKE_BITSET"),
        (11, "FUTEX_WAIT_REQUEUE_PI"),
        (12, "FUTEX_CMP_REQUEUE_PI"),
        (13, "FUTEX_LOCK_PI2"),
    ];
    const BITS: [(u64, &str); 2] = [(128, "FUTEX_PRIVATE_FLAG"), (256, "FUTEX_CLOCK_REALTIME")];
    field_and_bits(value, 127, &COMMANDS, &BITS)
}

/// A signal number by name (`SIGRT_n` for real-time signal 32 + n, as strace writes them); the
/// number itself when it is none.
pub fn signal(value: u64) -> String {
    const NAMES: [&str; 32] = [
        "0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    match value {
        0..=31 => NAMES[value as usize].to_string(),
        32..=64 => format!("SIGRT_{}", value - 32),
        _ => (value as i64).to_string(),
    }
}

/// rt_sigprocmask's `how`.
pub fn sigprocmask_how(value: u64) -> String {
    match value {
        0 => "SIG_BLOCK".to_string(),
        1 => "SIG_UNBLOCK".to_string(),
        2 => "SIG_SETMASK".to_string(),
        _ => (value as i64).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_named_with_the_guest_values_and_the_rest_in_hex() {
        // O_RDONLY|O_DIRECTORY|O_CLOEXEC as AArch64 glibc's opendir passes it (0x84000 on x86-64).
        assert_eq!(open_flags(0o40000 | 0o2000000), "O_RDONLY|O_DIRECTORY|O_CLOEXEC");
        assert_eq!(open_flags(0o1 | 0o100 | 0o1000), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(open_flags(0o4010002), "O_RDWR|O_SYNC");
        assert_eq!(open_flags(0o10002), "O_RDWR|O_DSYNC");
        assert_eq!(open_flags(3 | 0o100000000), "0x3|0x1000000");
        assert_eq!(descriptor_flags(0o2004000), "O_NONBLOCK|O_CLOEXEC");
        assert_eq!(descriptor_flags(0), "0");
        assert_eq!(prot(0), "PROT_NONE");
        assert_eq!(prot(3), "PROT_READ|PROT_WRITE");
        assert_eq!(prot(0x41), "PROT_READ|0x40");
        assert_eq!(mmap_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(mmap_flags(0x2_0022 | 0x10_0000), "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK|MAP_FIXED_NOREPLACE");
        assert_eq!(mmap_flags(0x1), "MAP_SHARED");
        assert_eq!(mremap_flags(0), "0");
        assert_eq!(mremap_flags(3), "MREMAP_MAYMOVE|MREMAP_FIXED");
        // glibc's pthread_create and fork.
        assert_eq!(
            clone_flags(0x3d_0f00),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|\
             CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID"
        );
        assert_eq!(clone_flags(0x120_0011), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
        assert_eq!(clone_flags(17), "SIGCHLD");
        assert_eq!(futex_op(0x80), "FUTEX_WAIT|FUTEX_PRIVATE_FLAG");
        assert_eq!(futex_op(0x189), "FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG|FUTEX_CLOCK_REALTIME");
        assert_eq!(futex_op(99), "0x63");
        assert_eq!(signal(15), "SIGTERM");
        assert_eq!(signal(33), "SIGRT_1");
        assert_eq!(signal(99), "99");
        assert_eq!(sigprocmask_how(2), "SIG_SETMASK");
    }
}
