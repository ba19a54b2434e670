//! The vmtrans runtime: the static library linked into every translated program. It provides the C
//! `main` (start-up: guest address space, image, stack; see `start`), the Linux personality that
//! serves the guest's system calls (`syscall`), the host fault handler (`fault`), guest signal delivery (`signal`), and the symbols
//! translated code links against (`abi`). The dispatcher and the fallback engine (`dispatch`,
//! `fallback`) run guest code, one host thread per guest thread (`thread`), in the guest's
//! floating-point environment (`fpenv`).

pub mod abi;
pub mod dispatch;
pub mod elf;
pub mod errno;
pub mod fallback;
pub mod fault;
pub mod fpenv;
pub mod memory;
pub mod robust;
pub mod signal;
pub mod stack;
pub mod start;
pub mod syscall;
pub mod thread;
mod trampolines;
pub mod vfork;
pub mod vma;
