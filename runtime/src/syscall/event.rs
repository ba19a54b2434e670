//! Waiting for events on descriptors: epoll, pselect6, ppoll and signalfd. `struct epoll_event` is the
//! one structure here whose layout differs: AArch64 aligns its 64-bit data word (16 bytes: events,
//! padding, data), x86-64 packs it (12 bytes), so events are converted both ways. `fd_set`,
//! `struct pollfd`, `struct timespec` and `struct signalfd_siginfo` are the same on both sides. The
//! signal masks these calls take are guest masks, applied through `signal::wait_with_mask` so that the
//! runtime's signal emulation sees them (a guest signal mask is not a host one).

use super::Args;
use crate::errno::{host_result, Errno, SysResult, EINVAL};
use crate::memory::{self, host_ptr, host_ptr_or_null};
use crate::signal;

/// The size of AArch64's `struct epoll_event`.
const GUEST_EVENT_SIZE: u64 = 16;
/// The most events one epoll wait returns here; the kernel leaves the rest ready for the next wait.
const MAX_EVENTS_PER_WAIT: u64 = 4096;
/// The kernel's sigset size, the only one these calls accept.
const SIGSET_SIZE: u64 = 8;
const EPOLL_CTL_DEL: u64 = 2;

/// The guest mask a call's (pointer, size) pair names: None for a null pointer.
fn guest_mask(addr: u64, size: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    if size != SIGSET_SIZE {
        return Err(EINVAL);
    }
    Ok(Some(memory::read_u64(addr)?))
}

pub fn epoll_ctl(a: Args) -> SysResult {
    let mut event = libc::epoll_event { events: 0, u64: 0 };
    let event_ptr: *mut libc::epoll_event = if a[3] == 0 && a[1] == EPOLL_CTL_DEL {
        std::ptr::null_mut()
    } else {
        let mut raw = [0u8; GUEST_EVENT_SIZE as usize];
        memory::read_into(a[3], &mut raw)?;
        event.events = u32::from_le_bytes(raw[0..4].try_into().unwrap_or_default());
        event.u64 = u64::from_le_bytes(raw[8..16].try_into().unwrap_or_default());
        &mut event
    };
    // SAFETY: the event is null (deleting) or a host copy of the guest's.
    host_result(unsafe { libc::syscall(libc::SYS_epoll_ctl, a[0] as i32, a[1] as i32, a[2] as i32, event_ptr) })
}

/// The common part of epoll_pwait and epoll_pwait2: `timeout` is the host argument (milliseconds or a
/// timespec pointer), `mask` the guest's temporary mask.
fn epoll_wait_common(a: Args, host_number: libc::c_long, timeout: u64, mask: Option<u64>) -> SysResult {
    let max_events = a[2] as i32;
    if max_events <= 0 {
        return Err(EINVAL);
    }
    let guest_events = a[1];
    memory::check_writable(guest_events, max_events as u64 * GUEST_EVENT_SIZE)?;
    let count = (max_events as u64).min(MAX_EVENTS_PER_WAIT) as usize;
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; count];
    let ready = signal::wait_with_mask(mask, |host_mask| {
        // SAFETY: the events buffer holds `count` host events; the mask is null or an 8-byte set.
        unsafe {
            libc::syscall(host_number, a[0] as i32, events.as_mut_ptr(), count as i32, timeout, host_mask, SIGSET_SIZE)
        }
    })?;
    let mut out = Vec::with_capacity(ready as usize * GUEST_EVENT_SIZE as usize);
    for event in &events[..ready as usize] {
        let (flags, data) = (event.events, event.u64);
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&data.to_le_bytes());
    }
    memory::write_bytes(guest_events, &out)?;
    Ok(ready)
}

pub fn epoll_pwait(a: Args) -> SysResult {
    let mask = guest_mask(a[4], a[5])?;
    epoll_wait_common(a, libc::SYS_epoll_pwait, a[3] as i32 as i64 as u64, mask)
}

pub fn epoll_pwait2(a: Args) -> SysResult {
    let mask = guest_mask(a[4], a[5])?;
    let timeout = host_ptr_or_null(a[3], 16)? as u64;
    epoll_wait_common(a, libc::SYS_epoll_pwait2, timeout, mask)
}

/// pselect6(n, readfds, writefds, exceptfds, timeout, sig) where `sig` points at {mask pointer, size}.
pub fn pselect6(a: Args) -> SysResult {
    let nfds = a[0] as i32;
    if nfds < 0 {
        return Err(EINVAL);
    }
    let set_bytes = (nfds as u64).div_ceil(64) * 8;
    let sets =
        [host_ptr_or_null(a[1], set_bytes)?, host_ptr_or_null(a[2], set_bytes)?, host_ptr_or_null(a[3], set_bytes)?];
    let timeout = host_ptr_or_null(a[4], 16)?;
    let mask = if a[5] == 0 { None } else { guest_mask(memory::read_u64(a[5])?, memory::read_u64(a[5] + 8)?)? };
    signal::wait_with_mask(mask, |host_mask| {
        let sig = [host_mask as u64, SIGSET_SIZE];
        let sig_ptr = if host_mask.is_null() { std::ptr::null() } else { sig.as_ptr() };
        // SAFETY: the sets and the timeout are null or inside the guest space; `sig` is a host pair.
        unsafe { libc::syscall(libc::SYS_pselect6, nfds, sets[0], sets[1], sets[2], timeout, sig_ptr) }
    })
}

/// ppoll: `struct pollfd` (8 bytes) and `struct timespec` are the same on both sides.
pub fn ppoll(a: Args) -> SysResult {
    if a[1] > 1 << 20 {
        return Err(EINVAL);
    }
    let fds = host_ptr(a[0], a[1] * 8)?;
    let timeout = host_ptr_or_null(a[2], 16)?;
    let mask = guest_mask(a[3], a[4])?;
    signal::wait_with_mask(mask, |host_mask| {
        // SAFETY: the descriptors and the timeout are inside the guest space; the mask is null or a set.
        unsafe { libc::syscall(libc::SYS_ppoll, fds, a[1], timeout, host_mask, SIGSET_SIZE) }
    })
}

/// signalfd4: the descriptor reads the host's pending signals of the mask (which the guest blocks, so they
/// wait in the host kernel rather than reaching the runtime's recording handler).
pub fn signalfd4(a: Args) -> SysResult {
    if a[2] != SIGSET_SIZE {
        return Err(EINVAL);
    }
    let mask = memory::read_u64(a[1])? & !signal::host_owned_bits();
    // SAFETY: an 8-byte host set, as the size says.
    host_result(unsafe { libc::syscall(libc::SYS_signalfd4, a[0] as i32, &mask, SIGSET_SIZE, a[3] as i32) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_events_are_packed() {
        assert_eq!(std::mem::size_of::<libc::epoll_event>(), 12);
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert_eq!(epoll_pwait([0, 0, 0, 0, 0, 0]), Err(EINVAL));
        assert_eq!(pselect6([u64::MAX, 0, 0, 0, 0, 0]), Err(EINVAL));
        assert_eq!(ppoll([0, 0, 0, 8, 4, 0]), Err(EINVAL));
    }
}
