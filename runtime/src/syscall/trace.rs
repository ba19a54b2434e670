//! The `VMTRANS_STRACE=1` trace: one line per system call on stderr, in the style of qemu's
//! `-strace`: `PID name(arg,...) = result`, with errors as `-1 errno=N`.

use std::io::Write as _;
use std::sync::OnceLock;

use super::names::syscall_name;
use super::Args;
use crate::errno::SysResult;

/// Whether tracing was asked for (read once from the host environment).
pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("VMTRANS_STRACE").is_some_and(|v| v != "0" && !v.is_empty()))
}

/// Formats one trace line; `result` is `None` for a call that does not return (exit).
pub fn format_call(pid: u32, number: u64, args: &Args, result: Option<SysResult>) -> String {
    let name = syscall_name(number);
    let shown = if name == "?" { format!("syscall_{number}") } else { name.to_string() };
    let args = args.iter().map(|a| format!("{a:#x}")).collect::<Vec<_>>().join(",");
    match result {
        None => format!("{pid} {shown}({args})\n"),
        Some(Ok(value)) => format!("{pid} {shown}({args}) = {value:#x}\n"),
        Some(Err(errno)) => {
            format!("{pid} {shown}({args}) = -1 errno={} ({})\n", errno.0, std::io::Error::from_raw_os_error(errno.0))
        }
    }
}

/// Prints one trace line to stderr in a single write.
pub fn print_call(number: u64, args: &Args, result: Option<SysResult>) {
    let line = format_call(std::process::id(), number, args, result);
    let _ = std::io::stderr().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::EBADF;

    #[test]
    fn lines_look_like_qemu_strace() {
        assert_eq!(
            format_call(7, 64, &[1, 0x10, 5, 0, 0, 0], Some(Ok(5))),
            "7 write(0x1,0x10,0x5,0x0,0x0,0x0) = 0x5\n"
        );
        assert!(format_call(7, 57, &[9, 0, 0, 0, 0, 0], Some(Err(EBADF))).starts_with("7 close(0x9,"));
        assert!(format_call(7, 57, &[9, 0, 0, 0, 0, 0], Some(Err(EBADF))).contains("= -1 errno=9"));
        assert_eq!(format_call(7, 94, &[0; 6], None), "7 exit_group(0x0,0x0,0x0,0x0,0x0,0x0)\n");
    }
}
