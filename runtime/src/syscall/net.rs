//! Socket calls with message headers: sendmsg, recvmsg, sendmmsg and recvmmsg. The other socket
//! calls pass through (`passthrough.rs`): socket addresses, socket options and `socklen_t` have one
//! layout on both 64-bit ABIs. A `struct msghdr` has one layout too, but it holds guest pointers (the
//! name, the iovec array and its buffers, the control buffer), so the runtime builds the host's
//! header from the guest's and writes back what the kernel changes (the name and control lengths
//! and the flags). Control messages (SCM_RIGHTS, SCM_CREDENTIALS, timestamps) need no conversion:
//! `struct cmsghdr` and their payloads are laid out alike, so the kernel reads and writes them in
//! the guest's buffer directly.

use super::io::host_iovecs;
use super::Args;
use crate::errno::{host_result, Errno, SysResult, EINVAL};
use crate::memory::{self, host_ptr, host_ptr_or_null};

/// The size of `struct msghdr` and the offsets of its fields.
const MSGHDR_SIZE: u64 = 56;
const NAME: usize = 0;
const NAMELEN: usize = 8;
const IOV: usize = 16;
const IOVLEN: usize = 24;
const CONTROL: usize = 32;
const CONTROLLEN: usize = 40;
const FLAGS: usize = 48;
/// The size of `struct mmsghdr` (a msghdr, the 32-bit length, padding).
const MMSGHDR_SIZE: u64 = 64;
/// The most messages one sendmmsg/recvmmsg handles (UIO_MAXIOV, as the kernel caps it).
const MAX_MMSG: u64 = 1024;

/// A host `struct msghdr` built from a guest one, with the iovecs it points at.
struct HostMsg {
    header: libc::msghdr,
    /// Owns the array `header.msg_iov` points at.
    _iovecs: Vec<libc::iovec>,
}

fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

/// Reads the guest header at `addr` and translates its pointers.
fn host_msg(addr: u64) -> Result<HostMsg, Errno> {
    let mut raw = [0u8; MSGHDR_SIZE as usize];
    memory::read_into(addr, &mut raw)?;
    let namelen = word(&raw, NAMELEN) as u32;
    let controllen = word(&raw, CONTROLLEN);
    let mut iovecs = host_iovecs(word(&raw, IOV), word(&raw, IOVLEN))?;
    // SAFETY: msghdr is plain old data; every field is set below.
    let mut header: libc::msghdr = unsafe { std::mem::zeroed() };
    header.msg_name = host_ptr_or_null(word(&raw, NAME), namelen as u64)?.cast();
    header.msg_namelen = namelen;
    header.msg_iov = iovecs.as_mut_ptr();
    header.msg_iovlen = iovecs.len();
    header.msg_control = host_ptr_or_null(word(&raw, CONTROL), controllen)?.cast();
    header.msg_controllen = controllen as usize;
    header.msg_flags = word(&raw, FLAGS) as i32;
    Ok(HostMsg { header, _iovecs: iovecs })
}

/// Writes back the fields a receive changes: the name and control lengths and the flags.
fn write_back(addr: u64, header: &libc::msghdr) -> Result<(), Errno> {
    memory::write_u32(addr + NAMELEN as u64, header.msg_namelen)?;
    memory::write_u64(addr + CONTROLLEN as u64, header.msg_controllen as u64)?;
    memory::write_u32(addr + FLAGS as u64, header.msg_flags as u32)
}

pub fn sendmsg(a: Args) -> SysResult {
    let msg = host_msg(a[1])?;
    // SAFETY: every pointer in the header is a host pointer into the guest space.
    host_result(unsafe { libc::syscall(libc::SYS_sendmsg, a[0] as i32, &msg.header, a[2]) })
}

pub fn recvmsg(a: Args) -> SysResult {
    let mut msg = host_msg(a[1])?;
    // SAFETY: as in `sendmsg`.
    let received = host_result(unsafe { libc::syscall(libc::SYS_recvmsg, a[0] as i32, &mut msg.header, a[2]) })?;
    write_back(a[1], &msg.header)?;
    Ok(received)
}

/// Reads `count` guest `struct mmsghdr`s at `addr` as host ones.
fn host_mmsgs(addr: u64, count: u64) -> Result<(Vec<libc::mmsghdr>, Vec<HostMsg>), Errno> {
    if count > MAX_MMSG {
        return Err(EINVAL);
    }
    host_ptr(addr, count * MMSGHDR_SIZE)?;
    let msgs = (0..count).map(|i| host_msg(addr + i * MMSGHDR_SIZE)).collect::<Result<Vec<_>, _>>()?;
    let headers = msgs.iter().map(|m| libc::mmsghdr { msg_hdr: m.header, msg_len: 0 }).collect();
    Ok((headers, msgs))
}

/// Writes back the first `done` entries: each length, and for receives the header's fields.
fn write_back_mmsgs(addr: u64, headers: &[libc::mmsghdr], done: u64, received: bool) -> Result<(), Errno> {
    for (i, entry) in headers.iter().take(done as usize).enumerate() {
        let at = addr + i as u64 * MMSGHDR_SIZE;
        memory::write_u32(at + MSGHDR_SIZE, entry.msg_len)?;
        if received {
            write_back(at, &entry.msg_hdr)?;
        }
    }
    Ok(())
}

pub fn sendmmsg(a: Args) -> SysResult {
    let (mut headers, _msgs) = host_mmsgs(a[1], a[2])?;
    // SAFETY: every header's pointers are host pointers into the guest space.
    let sent = host_result(unsafe {
        libc::syscall(libc::SYS_sendmmsg, a[0] as i32, headers.as_mut_ptr(), headers.len() as u32, a[3])
    })?;
    write_back_mmsgs(a[1], &headers, sent, false)?;
    Ok(sent)
}

pub fn recvmmsg(a: Args) -> SysResult {
    let (mut headers, _msgs) = host_mmsgs(a[1], a[2])?;
    let timeout = host_ptr_or_null(a[4], 16)?;
    // SAFETY: as in `sendmmsg`; the timeout is null or a guest timespec (the same layout).
    let received = host_result(unsafe {
        libc::syscall(libc::SYS_recvmmsg, a[0] as i32, headers.as_mut_ptr(), headers.len() as u32, a[3], timeout)
    })?;
    write_back_mmsgs(a[1], &headers, received, true)?;
    Ok(received)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guest_header_layout_is_the_hosts() {
        assert_eq!(std::mem::size_of::<libc::msghdr>() as u64, MSGHDR_SIZE);
        assert_eq!(std::mem::size_of::<libc::mmsghdr>() as u64, MMSGHDR_SIZE);
        assert_eq!(std::mem::offset_of!(libc::msghdr, msg_controllen), CONTROLLEN);
        assert_eq!(std::mem::offset_of!(libc::msghdr, msg_flags), FLAGS);
    }

    #[test]
    fn too_many_messages_are_refused() {
        assert_eq!(sendmmsg([0, 0, MAX_MMSG + 1, 0, 0, 0]), Err(EINVAL));
    }
}
