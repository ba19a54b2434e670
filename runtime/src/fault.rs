//! The host handler of the signals that faults raise (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP), which
//! stay the runtime's whatever the guest asks (`syscall::signal::HOST_OWNED`).
//!
//! Raised by an instruction (si_code > 0): a guest access to memory it has not mapped faults on the
//! host. When the guest has a handler for the signal, the fault goes to it (`signal::sync_fault`);
//! otherwise the handler reports the faulting address in host and guest terms on stderr, then lets
//! the same signal kill the process with its default action, so the exit status is 128 + the signal
//! number as under qemu or a real AArch64 machine. It runs on its own alternate stack so that a guest
//! stack overflow can still be reported.
//!
//! Sent by a process (kill, tgkill, sigqueue: si_code <= 0): the signal is an ordinary one for the
//! guest, as signal(7) says: recorded for delivery to the guest's handler at the next safe point,
//! dropped when the guest ignores it, and otherwise its default action, without a fault report.

use std::fmt::Write as _;

use crate::memory::{self, GUEST_SPACE_SIZE};

/// The size of the alternate signal stack.
const ALT_STACK_SIZE: usize = 64 * 1024;

/// A fixed buffer that formats without allocating (the handler may not allocate).
struct MessageBuffer {
    bytes: [u8; 160],
    len: usize,
}

impl std::fmt::Write for MessageBuffer {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.bytes.len() - self.len;
        let take = s.len().min(room);
        self.bytes[self.len..self.len + take].copy_from_slice(&s.as_bytes()[..take]);
        self.len += take;
        Ok(())
    }
}

/// The si_code of a fault the kernel reports without an address: on x86-64 a general-protection
/// fault, which an access at a non-canonical address raises, with si_addr 0.
pub const SI_KERNEL: i32 = 0x80;

/// Formats the fault report for host address `host_addr` and the host's si_code `code`, given the
/// guest base.
fn describe(host_addr: u64, code: i32, base: u64) -> MessageBuffer {
    let mut message = MessageBuffer { bytes: [0; 160], len: 0 };
    let guest = host_addr.wrapping_sub(base);
    let _ = if code == SI_KERNEL {
        writeln!(message, "vmtrans: general-protection fault, at no known address (a non-canonical pointer?)")
    } else if host_addr >= base && guest < GUEST_SPACE_SIZE {
        writeln!(message, "vmtrans: guest fault at host address {host_addr:#x} (guest address {guest:#x})")
    } else {
        writeln!(message, "vmtrans: fault at host address {host_addr:#x} (outside the guest address space)")
    };
    message
}

extern "C" fn on_fault(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    if unsafe { (*info).si_code } <= 0 {
        on_sent(signal, info);
        return;
    }
    if signal != libc::SIGSEGV && signal != libc::SIGBUS {
        // An instruction of the runtime or of translated code trapped (guest UDF, BRK and unsupported
        // instructions are calls into the runtime, not host traps): a bug, reported as one.
        let message = b"vmtrans: internal error: the host raised a synchronous signal in the runtime\n";
        // SAFETY: write(2) is async-signal-safe.
        unsafe { libc::write(2, message.as_ptr().cast(), message.len()) };
        die_by_default(signal);
        return;
    }
    // SAFETY: the kernel's arguments of an SA_SIGINFO handler for SIGSEGV/SIGBUS.
    if unsafe { crate::signal::sync_fault::redirect(signal, info, context) } {
        // The guest handles it: the host context now returns into the trampoline that delivers it.
        return;
    }
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let (host_addr, code) = unsafe { ((*info).si_addr() as u64, (*info).si_code) };
    let message = describe(host_addr, code, memory::base());
    // SAFETY: write(2), signal(2) and raise(3) are async-signal-safe.
    unsafe {
        libc::write(2, message.bytes.as_ptr().cast(), message.len);
    }
    die_by_default(signal);
}

/// A fault signal sent by a process: the guest's handler gets it at the next safe point, an ignored
/// one is dropped, and otherwise it takes its default action.
fn on_sent(signal: libc::c_int, info: *mut libc::siginfo_t) {
    use crate::signal::sync_fault::{guest_handles, guest_ignores};
    if guest_handles(signal) {
        // SAFETY: the kernel's siginfo of this SA_SIGINFO handler.
        unsafe { crate::signal::record_host_siginfo(signal as u64, info) };
    } else if !guest_ignores(signal) {
        die_by_default(signal);
    }
}

/// Ends the process by `signal`'s default action once this handler returns.
fn die_by_default(signal: libc::c_int) {
    crate::dispatch::before_exit();
    // SAFETY: signal(2) and raise(3) are async-signal-safe. The signal is blocked while this handler
    // runs, so the raised one stays pending and, with the default action restored, kills the process
    // as soon as the handler returns.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// An alternate signal stack for the fault handler on one guest thread, given back when the thread ends
/// (every host thread needs its own: a host stack overflow can only be reported from another stack).
pub struct ThreadAltStack {
    stack: *mut libc::c_void,
}

impl ThreadAltStack {
    /// Maps an alternate stack and installs it for the calling thread (nothing when the host refuses).
    pub fn new() -> ThreadAltStack {
        // SAFETY: a fresh anonymous mapping; sigaltstack only records it for this thread.
        unsafe {
            let stack = libc::mmap(
                std::ptr::null_mut(),
                ALT_STACK_SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if stack == libc::MAP_FAILED {
                return ThreadAltStack { stack: std::ptr::null_mut() };
            }
            let alt = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: ALT_STACK_SIZE };
            libc::sigaltstack(&alt, std::ptr::null_mut());
            ThreadAltStack { stack }
        }
    }
}

impl Default for ThreadAltStack {
    fn default() -> Self {
        ThreadAltStack::new()
    }
}

impl Drop for ThreadAltStack {
    fn drop(&mut self) {
        if self.stack.is_null() {
            return;
        }
        // SAFETY: the stack is this thread's, and no handler runs on it now: disable it, then unmap it.
        unsafe {
            let off = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
            libc::sigaltstack(&off, std::ptr::null_mut());
            libc::munmap(self.stack, ALT_STACK_SIZE);
        }
    }
}

/// Installs the handler for the five fault signals, with an alternate stack for this thread.
pub fn install() {
    // SAFETY: the alternate stack is leaked on purpose (it lives as long as the process).
    unsafe {
        let stack: &'static mut [u8] = Box::leak(vec![0u8; ALT_STACK_SIZE].into_boxed_slice());
        let alt = libc::stack_t { ss_sp: stack.as_mut_ptr().cast(), ss_flags: 0, ss_size: ALT_STACK_SIZE };
        libc::sigaltstack(&alt, std::ptr::null_mut());
    }
    for signal in crate::syscall::signal::HOST_OWNED {
        set_guest_ignores(signal as i32, false);
    }
}

/// Follows the guest's SIG_IGN for a fault signal: the host ignores it too, so that one sent by a
/// process is dropped without interrupting a system call, as the kernel drops it (a fault still ends
/// the process, as Linux's forced delivery of a fault does when the signal is ignored). Any other
/// disposition gets the runtime's handler back.
pub fn set_guest_ignores(signal: libc::c_int, ignored: bool) {
    // SAFETY: the handler is a plain function that only does async-signal-safe work.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        if ignored {
            action.sa_sigaction = libc::SIG_IGN;
        } else {
            action.sa_sigaction = on_fault as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        }
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_guest_and_host_addresses() {
        let message = describe(0x7000_0000_1234, 1, 0x7000_0000_0000);
        let text = std::str::from_utf8(&message.bytes[..message.len]).unwrap();
        assert_eq!(text, "vmtrans: guest fault at host address 0x700000001234 (guest address 0x1234)\n");
        let message = describe(0x10, 1, 0x7000_0000_0000);
        let text = std::str::from_utf8(&message.bytes[..message.len]).unwrap();
        assert!(text.contains("outside the guest address space"));
        // With the guest base at 0, a fault the host gives no address (si_addr 0) is no guest access at 0.
        let message = describe(0, SI_KERNEL, 0);
        let text = std::str::from_utf8(&message.bytes[..message.len]).unwrap();
        assert!(text.contains("general-protection fault"), "{text}");
    }
}
