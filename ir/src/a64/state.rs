//! The AArch64 guest CPU state: the one definition of where every guest register lives.
//!
//! Rules: the struct is `#[repr(C)]` and 16-byte aligned; fields never move without changing
//! `reg_offset` (which every user calls: the code generator for its loads and stores, the runtime
//! for signal frames and system calls); each field's offset and the total size are asserted at
//! compile time below, so a change that moves one fails to build instead of corrupting state.

use std::mem::offset_of;

use crate::reg::Reg;

/// The size of the guest address space: guest addresses run from 0 below this. The translator
/// refuses images outside it and the runtime reserves exactly this much host memory for it.
pub const GUEST_SPACE: u64 = 1 << 40;

/// The lowest guest address a program can map: Linux's usual `vm.mmap_min_addr` (64 KiB), below
/// which the kernel refuses mappings (EPERM) so that null pointers fault. When guest addresses are
/// host addresses (the translator's default, `--guest-base zero`), the runtime's reservation starts
/// here, since the host refuses mappings below it too; the translator falls back to a movable base
/// for an image with a segment below it.
pub const LOWEST_GUEST_MAPPING: u64 = 0x1_0000;

/// Where a static position-independent executable (`ET_DYN` without an interpreter) is loaded:
/// its link-time addresses plus this. The translator translates it as loaded here and the runtime
/// maps it here; the program relocates its own data at start-up, as it does under the kernel
/// (which picks a random base: no correct program depends on the value). The address is where
/// non-PIE executables start, so both kinds share one tested layout.
pub const STATIC_PIE_BASE: u64 = 0x40_0000;

/// FPSR's cumulative exception flags (Arm ARM, FPSR): invalid operation, divide by zero,
/// overflow, underflow, inexact, input denormal, and the saturation flag of the integer SIMD
/// instructions.
pub mod fpsr {
    pub const IOC: u64 = 1 << 0;
    pub const DZC: u64 = 1 << 1;
    pub const OFC: u64 = 1 << 2;
    pub const UFC: u64 = 1 << 3;
    pub const IXC: u64 = 1 << 4;
    pub const IDC: u64 = 1 << 7;
    pub const QC: u64 = 1 << 27;
}

/// FPCR's control fields (Arm ARM, FPCR): the rounding mode (bits 23..22: nearest, towards plus
/// infinity, towards minus infinity, towards zero), flush-to-zero, default NaN, alternative half
/// precision and flush-to-zero for half precision.
pub mod fpcr {
    pub const RMODE_SHIFT: u64 = 22;
    pub const RMODE_MASK: u64 = 3 << RMODE_SHIFT;
    pub const FZ: u64 = 1 << 24;
    pub const DN: u64 = 1 << 25;
    pub const AHP: u64 = 1 << 26;
    pub const FZ16: u64 = 1 << 19;
}

/// The state of one guest thread.
#[repr(C, align(16))]
#[derive(Clone, Debug)]
pub struct CpuState {
    /// x0..x30. Offset 0, 248 bytes.
    pub x: [u64; 31],
    /// The stack pointer. Offset 248.
    pub sp: u64,
    /// The program counter: the guest address being run or to run next. Offset 256.
    pub pc: u64,
    /// Condition flags N, Z, C, V, one byte each holding 0 or 1. Offset 264.
    pub n: u8,
    pub z: u8,
    pub c: u8,
    pub v: u8,
    /// q0..q31, little-endian. Offset 272, 512 bytes.
    pub q: [u128; 32],
    /// FPCR. Offset 784.
    pub fpcr: u64,
    /// FPSR. Offset 792.
    pub fpsr: u64,
    /// TPIDR_EL0. Offset 800.
    pub tpidr_el0: u64,
    /// The exclusive monitor's address, `u64::MAX` when clear. Offset 808.
    pub excl_addr: u64,
    /// The value the last load-exclusive read. Offset 816.
    pub excl_val: u64,
    /// The high half the last load-exclusive pair read. Offset 824.
    pub excl_val_hi: u64,
    /// Scratch for the runtime: opaque to translated code. Offset 832.
    pub runtime: [u64; 8],
}

const _: () = {
    assert!(offset_of!(CpuState, x) == 0);
    assert!(offset_of!(CpuState, sp) == 248);
    assert!(offset_of!(CpuState, pc) == 256);
    assert!(offset_of!(CpuState, n) == 264);
    assert!(offset_of!(CpuState, v) == 267);
    assert!(offset_of!(CpuState, q) == 272);
    assert!(offset_of!(CpuState, fpcr) == 784);
    assert!(offset_of!(CpuState, fpsr) == 792);
    assert!(offset_of!(CpuState, tpidr_el0) == 800);
    assert!(offset_of!(CpuState, excl_addr) == 808);
    assert!(offset_of!(CpuState, excl_val_hi) == 824);
    assert!(offset_of!(CpuState, runtime) == 832);
    assert!(std::mem::size_of::<CpuState>() == 896);
};

impl CpuState {
    /// Whether every register the guest can see (x0-x30, sp, pc, NZCV, q0-q31, FPCR, FPSR and
    /// TPIDR_EL0) holds the same value in both states; the runtime's words and the exclusive monitor
    /// are not compared.
    pub fn same_guest_registers(&self, other: &CpuState) -> bool {
        self.x == other.x
            && self.sp == other.sp
            && self.pc == other.pc
            && (self.n, self.z, self.c, self.v) == (other.n, other.z, other.c, other.v)
            && self.q == other.q
            && (self.fpcr, self.fpsr, self.tpidr_el0) == (other.fpcr, other.fpsr, other.tpidr_el0)
    }
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            x: [0; 31],
            sp: 0,
            pc: 0,
            n: 0,
            z: 0,
            c: 0,
            v: 0,
            q: [0; 32],
            fpcr: 0,
            fpsr: 0,
            tpidr_el0: 0,
            excl_addr: u64::MAX,
            excl_val: 0,
            excl_val_hi: 0,
            runtime: [0; 8],
        }
    }
}

/// Where a register lives in `CpuState`: byte offset and size in bytes.
#[inline]
pub fn reg_offset(r: Reg) -> (usize, usize) {
    match r.0 {
        0..=30 => (offset_of!(CpuState, x) + 8 * r.0 as usize, 8),
        31 => (offset_of!(CpuState, sp), 8),
        32 => (offset_of!(CpuState, pc), 8),
        33..=36 => (offset_of!(CpuState, n) + (r.0 - 33) as usize, 1),
        37..=68 => (offset_of!(CpuState, q) + 16 * (r.0 - 37) as usize, 16),
        69 => (offset_of!(CpuState, fpcr), 8),
        70 => (offset_of!(CpuState, fpsr), 8),
        71 => (offset_of!(CpuState, tpidr_el0), 8),
        72 => (offset_of!(CpuState, excl_addr), 8),
        73 => (offset_of!(CpuState, excl_val), 8),
        74 => (offset_of!(CpuState, excl_val_hi), 8),
        _ => panic!("no register {}", r.0),
    }
}

impl CpuState {
    /// Reads a register as the IR sees it (flags as 0 or 1).
    #[inline]
    pub fn get(&self, r: Reg) -> u128 {
        let (off, size) = reg_offset(r);
        // SAFETY: reg_offset stays inside the struct, and every field is plain old data. Each size
        // is read as its own type (the fallback engine reads registers all the time: a copy of a
        // variable length was a call of memmove).
        unsafe {
            let p = (self as *const CpuState as *const u8).add(off);
            match size {
                1 => u128::from(*p),
                8 => u128::from(std::ptr::read_unaligned(p as *const u64)),
                _ => std::ptr::read_unaligned(p as *const u128),
            }
        }
    }

    /// Writes a register as the IR sees it.
    #[inline]
    pub fn set(&mut self, r: Reg, v: u128) {
        let (off, size) = reg_offset(r);
        // SAFETY: as in `get`.
        unsafe {
            let p = (self as *mut CpuState as *mut u8).add(off);
            match size {
                1 => *p = v as u8,
                8 => std::ptr::write_unaligned(p as *mut u64, v as u64),
                _ => std::ptr::write_unaligned(p as *mut u128, v),
            }
        }
    }

    /// The NZCV register's value (flags in bits 31..28).
    pub fn nzcv(&self) -> u64 {
        (self.n as u64) << 31 | (self.z as u64) << 30 | (self.c as u64) << 29 | (self.v as u64) << 28
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_do_not_overlap() {
        let mut s = CpuState::default();
        for r in Reg::all() {
            s.set(r, u128::MAX);
            let (off, size) = reg_offset(r);
            for other in Reg::all().filter(|&o| o != r) {
                let (o2, s2) = reg_offset(other);
                assert!(o2 + s2 <= off || off + size <= o2, "{r} overlaps {other}");
            }
        }
    }
}
