//! Guest registers as the IR names them.
//!
//! A `Reg` is a small index into the guest register file. The register file is AArch64's (the
//! first guest); each register's type is fixed, and where it lives in memory is defined once by
//! [`crate::a64::state::CpuState`], whose `reg_offset` every user calls.

use std::fmt;

use crate::types::Type;

/// A guest register.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Reg(pub u16);

impl Reg {
    /// General-purpose register `x0`..`x30`.
    pub const fn x(n: u8) -> Reg {
        assert!(n < 31);
        Reg(n as u16)
    }
    /// The stack pointer.
    pub const SP: Reg = Reg(31);
    /// The program counter (set by terminators, never by `setreg` in lifted code).
    pub const PC: Reg = Reg(32);
    /// The negative flag.
    pub const N: Reg = Reg(33);
    /// The zero flag.
    pub const Z: Reg = Reg(34);
    /// The carry flag.
    pub const C: Reg = Reg(35);
    /// The overflow flag.
    pub const V: Reg = Reg(36);
    /// SIMD and FP register `q0`..`q31` (all 128 bits).
    pub const fn q(n: u8) -> Reg {
        assert!(n < 32);
        Reg(37 + n as u16)
    }
    /// The floating-point control register.
    pub const FPCR: Reg = Reg(69);
    /// The floating-point status register.
    pub const FPSR: Reg = Reg(70);
    /// The thread pointer register TPIDR_EL0.
    pub const TPIDR: Reg = Reg(71);
    /// The address the exclusive monitor holds (all ones when clear).
    pub const EXCL_ADDR: Reg = Reg(72);
    /// The value the last load-exclusive read (its low 64 bits).
    pub const EXCL_VAL: Reg = Reg(73);
    /// The high 64 bits the last load-exclusive pair read.
    pub const EXCL_VAL_HI: Reg = Reg(74);
    /// The number of registers.
    pub const COUNT: usize = 75;

    /// Every register, in index order.
    pub fn all() -> impl Iterator<Item = Reg> {
        (0..Reg::COUNT as u16).map(Reg)
    }

    /// The register's value type.
    pub fn ty(self) -> Type {
        match self.0 {
            33..=36 => Type::I1,
            37..=68 => Type::I128,
            _ => Type::I64,
        }
    }

    /// True for the four condition flags.
    pub fn is_flag(self) -> bool {
        (33..=36).contains(&self.0)
    }

    /// The register's text name.
    pub fn name(self) -> String {
        match self.0 {
            0..=30 => format!("x{}", self.0),
            31 => "sp".into(),
            32 => "pc".into(),
            33 => "n".into(),
            34 => "z".into(),
            35 => "c".into(),
            36 => "v".into(),
            37..=68 => format!("q{}", self.0 - 37),
            69 => "fpcr".into(),
            70 => "fpsr".into(),
            71 => "tpidr_el0".into(),
            72 => "excl_addr".into(),
            73 => "excl_val".into(),
            74 => "excl_val_hi".into(),
            _ => format!("reg{}", self.0),
        }
    }

    /// Parses a text name.
    pub fn parse(s: &str) -> Option<Reg> {
        Reg::all().find(|r| r.name() == s)
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}
