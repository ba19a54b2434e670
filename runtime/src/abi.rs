//! The symbols shared with translated code: what the translator's object file provides (the embedded
//! guest image) and what the runtime exports to it (the guest base and the system call entry).

use vmtrans_ir::a64::CpuState;

#[cfg(not(test))]
extern "C" {
    /// The whole guest ELF file, embedded by the translator.
    static vmtrans_guest_image: [u8; 0];
    /// Its length in bytes.
    static vmtrans_guest_image_len: u64;
}

/// The host address of guest address 0; written once at start-up, before any guest code runs.
#[no_mangle]
pub static mut vmtrans_guest_base: u64 = 0;

/// Performs the guest system call described by `state` (number in x8, arguments in x0..x5) and
/// leaves its result in x0 as the kernel would (`-errno` on failure). `state.pc` already holds the
/// address after the SVC.
///
/// # Safety
/// `state` must point to the calling thread's guest CPU state, valid for reads and writes.
#[no_mangle]
pub unsafe extern "C" fn vmtrans_syscall(state: *mut CpuState) {
    // SAFETY: translated code passes its own thread's state, which nothing else touches meanwhile.
    let state = unsafe { &mut *state };
    crate::syscall::handle(state);
}

/// The embedded guest image.
#[cfg(not(test))]
pub fn guest_image() -> &'static [u8] {
    // SAFETY: the translator emits `vmtrans_guest_image_len` readable bytes at `vmtrans_guest_image`.
    unsafe {
        let len = std::ptr::addr_of!(vmtrans_guest_image_len).read();
        std::slice::from_raw_parts(
            std::ptr::addr_of!(vmtrans_guest_image).cast::<u8>(),
            len as usize,
        )
    }
}
