//! The reference interpreter of the IR: it defines what each operation means, and the code
//! generator must agree with it.
//!
//! Every value is held as a `u128` of little-endian bits, masked to its width. Guest state is
//! reached through [`Env`], which the runtime implements over real guest memory (the fallback
//! engine) and tests implement over a plain buffer. The interpreter runs one block at a time and
//! says, through [`Exit`], where execution goes next.
//!
//! Float semantics are AArch64's: a NaN operand gives that NaN made quiet (the first NaN operand,
//! signalling ones first); an invalid operation on numbers gives the default NaN, which is
//! positive. Rounding and flush-to-zero follow the host's floating-point environment (which the
//! runtime keeps as the guest's FPCR says); default-NaN mode is read from the guest's FPCR
//! (`InstData::follows_default_nan_mode`).

use crate::a64::state::fpcr;
use crate::entities::{Block, Value};
use crate::function::Function;
use crate::helpers;
use crate::inst::*;
use crate::reg::Reg;
use crate::types::Type;

/// A guest memory access that failed; the runtime turns it into SIGSEGV or SIGBUS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    pub addr: u64,
    pub write: bool,
}

/// What the interpreter needs of the world: registers, memory and the clock.
pub trait Env {
    fn reg(&mut self, r: Reg) -> u128;
    fn set_reg(&mut self, r: Reg, v: u128);
    fn load(&mut self, addr: u64, bytes: usize) -> Result<u128, Fault>;
    fn store(&mut self, addr: u64, bytes: usize, v: u128) -> Result<(), Fault>;
    /// Atomically replaces the value at `addr` by `f(old)` and returns the old value. The default
    /// is not atomic, which is right for an environment with one thread.
    fn atomic_update(
        &mut self,
        addr: u64,
        bytes: usize,
        f: &mut dyn FnMut(u128) -> Option<u128>,
    ) -> Result<u128, Fault> {
        let old = self.load(addr, bytes)?;
        if let Some(new) = f(old) {
            self.store(addr, bytes, new)?;
        }
        Ok(old)
    }
    /// The virtual counter CNTVCT_EL0.
    fn cntvct(&mut self) -> u64 {
        0
    }
    /// The guest wrote FPCR (see `Helper::FpcrWrite`).
    fn fpcr_write(&mut self, _value: u64) {}
    /// The guest reads FPSR, whose value held in the state is `held` (see `Helper::FpsrRead`); an
    /// environment that does not track the host's exception flags returns it unchanged.
    fn fpsr_read(&mut self, held: u64) -> u64 {
        held
    }
    /// The guest wrote FPSR (see `Helper::FpsrWrite`).
    fn fpsr_write(&mut self, _value: u64) {}
    /// The guest invalidated the instruction cache line holding `addr` (see
    /// `Helper::InvalidateCode`).
    fn invalidate_code(&mut self, _addr: u64) {}
}

/// Where execution goes after a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// To another block of the same function.
    Block(Block),
    /// A call of guest code at `target`, which should return to `ret_addr`; then `cont`.
    Call { target: u64, ret_addr: u64, cont: Block },
    /// A return, or any jump out of the function, to guest address `target`.
    Jump { target: u64 },
    /// A system call at `pc`; then `cont`.
    Syscall { pc: u64, cont: Block },
    /// A trap at `pc`.
    Trap { kind: TrapKind, pc: u64, insn: u32 },
}

/// Runs one block and says where execution goes next.
pub fn run_block(func: &Function, block: Block, env: &mut dyn Env) -> Result<Exit, Fault> {
    // The value slots are reused from block to block (a fresh zeroed vector per block was a sixth
    // of the fallback engine's time). Stale slots are never read: a block reads only values it
    // defined before (the verifier's rule 3). A nested run finds the cell empty and makes its own.
    let mut vals = VALUE_SLOTS.take();
    if vals.len() < func.insts.len() {
        vals.resize(func.insts.len(), 0);
    }
    let exit = run_block_in(func, block, env, &mut vals);
    VALUE_SLOTS.set(vals);
    exit
}

thread_local! {
    /// The slots `run_block` keeps values in, one per instruction of the function.
    static VALUE_SLOTS: std::cell::Cell<Vec<u128>> = const { std::cell::Cell::new(Vec::new()) };
}

fn run_block_in(func: &Function, block: Block, env: &mut dyn Env, vals: &mut [u128]) -> Result<Exit, Fault> {
    let data = &func.blocks[block.index()];
    for &v in &data.insts {
        vals[v.index()] = eval(func, v, vals, env)?;
    }
    let val = |v: Value| vals[v.index()];
    Ok(match data.term {
        Terminator::None => panic!("{block} has no terminator"),
        Terminator::Jump { dest } => Exit::Block(dest),
        Terminator::Branch { cond, then_dest, else_dest } => {
            Exit::Block(if val(cond) & 1 != 0 { then_dest } else { else_dest })
        }
        Terminator::CallGuest { target, ret_addr, cont } => Exit::Call { target, ret_addr, cont },
        Terminator::CallIndirect { target, ret_addr, cont } => {
            Exit::Call { target: val(target) as u64, ret_addr, cont }
        }
        Terminator::Return { target } | Terminator::JumpIndirect { target } => {
            Exit::Jump { target: val(target) as u64 }
        }
        Terminator::JumpGuest { target } => Exit::Jump { target },
        Terminator::Syscall { pc, cont } => Exit::Syscall { pc, cont },
        Terminator::Trap { kind, pc, insn } => Exit::Trap { kind, pc, insn },
    })
}

/// All ones in the low `bits` bits.
pub fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// Sign-extends the low `bits` bits to an i128.
fn sx(x: u128, bits: u32) -> i128 {
    let s = 128 - bits;
    ((x << s) as i128) >> s
}

/// Applies `f` lane by lane to the lanes of one or two operands of type `ty`.
fn lanewise(ty: Type, a: u128, b: u128, f: impl Fn(u128, u128, Type) -> u128) -> u128 {
    let lt = ty.lane_type();
    let w = lt.bits();
    let mut out = 0u128;
    for i in 0..ty.lanes() {
        let sh = i * w;
        let r = f((a >> sh) & mask(w), (b >> sh) & mask(w), lt) & mask(w);
        out |= r << sh;
    }
    out
}

/// `swizzle` of the 16 bytes of `table` by the 16 byte indices of `indices` (the verifier allows
/// `i8x16` only).
fn swizzle(table: u128, indices: u128) -> u128 {
    let (table, indices) = (table.to_le_bytes(), indices.to_le_bytes());
    u128::from_le_bytes(std::array::from_fn(|i| table.get(indices[i] as usize).copied().unwrap_or(0)))
}

fn lanewise3(ty: Type, a: u128, b: u128, c: u128, f: impl Fn(u128, u128, u128, Type) -> u128) -> u128 {
    let lt = ty.lane_type();
    let w = lt.bits();
    let mut out = 0u128;
    for i in 0..ty.lanes() {
        let sh = i * w;
        let r = f((a >> sh) & mask(w), (b >> sh) & mask(w), (c >> sh) & mask(w), lt) & mask(w);
        out |= r << sh;
    }
    out
}

/// Float lane helpers: a float lane is f32 or f64 bits.
pub mod fp {
    use crate::types::Type;

    pub fn is_nan(x: u128, t: Type) -> bool {
        match t {
            Type::F32 => f32::from_bits(x as u32).is_nan(),
            _ => f64::from_bits(x as u64).is_nan(),
        }
    }
    fn is_snan(x: u128, t: Type) -> bool {
        is_nan(x, t) && x & quiet_bit(t) == 0
    }
    fn quiet_bit(t: Type) -> u128 {
        if t == Type::F32 {
            1 << 22
        } else {
            1 << 51
        }
    }
    /// The default NaN: positive and quiet.
    pub fn default_nan(t: Type) -> u128 {
        if t == Type::F32 {
            0x7fc0_0000
        } else {
            0x7ff8_0000_0000_0000
        }
    }
    /// `r` (lanes of float type `t`) with every NaN lane replaced by the default NaN, as FPCR.DN
    /// asks of the operations that follow it (`InstData::follows_default_nan_mode`).
    pub fn default_nan_lanes(t: Type, r: u128) -> u128 {
        let lane = t.lane_type();
        let w = lane.bits();
        (0..t.lanes()).fold(0u128, |acc, i| {
            let x = (r >> (i * w)) & super::mask(w);
            let x = if is_nan(x, lane) { default_nan(lane) } else { x };
            acc | x << (i * w)
        })
    }
    /// `x` (lanes of float type `t`) with every denormal lane replaced by a zero of its sign, as
    /// FPCR.FZ has it.
    pub fn flush_denormal_lanes(t: Type, x: u128) -> u128 {
        let lane = t.lane_type();
        let w = lane.bits();
        let fraction_bits = if lane == Type::F32 { 23 } else { 52 };
        (0..t.lanes()).fold(0u128, |acc, i| {
            let y = (x >> (i * w)) & super::mask(w);
            let exponent = (y >> fraction_bits) & super::mask(w - 1 - fraction_bits);
            let y = if exponent == 0 { y & (1u128 << (w - 1)) } else { y };
            acc | y << (i * w)
        })
    }
    /// AArch64's NaN choice among operands (FPProcessNaNs): signalling first, then quiet, in
    /// operand order; the chosen NaN made quiet. None when no operand is NaN.
    pub fn process_nans(ops: &[u128], t: Type) -> Option<u128> {
        ops.iter().find(|&&x| is_snan(x, t)).or_else(|| ops.iter().find(|&&x| is_nan(x, t))).map(|&x| x | quiet_bit(t))
    }
    /// Finishes an arithmetic result: NaN operands propagate, a fresh NaN is the default one.
    pub fn arith(ops: &[u128], t: Type, result: u128) -> u128 {
        if let Some(n) = process_nans(ops, t) {
            return n;
        }
        if is_nan(result, t) {
            return default_nan(t);
        }
        result
    }
    pub fn to_f64(x: u128, t: Type) -> f64 {
        match t {
            Type::F32 => f32::from_bits(x as u32) as f64,
            _ => f64::from_bits(x as u64),
        }
    }
    pub fn bin(t: Type, a: u128, b: u128, f32op: fn(f32, f32) -> f32, f64op: fn(f64, f64) -> f64) -> u128 {
        let r = match t {
            Type::F32 => f32op(f32::from_bits(a as u32), f32::from_bits(b as u32)).to_bits() as u128,
            _ => f64op(f64::from_bits(a as u64), f64::from_bits(b as u64)).to_bits() as u128,
        };
        arith(&[a, b], t, r)
    }
    fn sign(x: u128, t: Type) -> bool {
        x >> (t.bits() - 1) & 1 != 0
    }
    /// FMIN/FMAX on numbers (no NaN): -0 is below +0.
    pub fn minmax(t: Type, a: u128, b: u128, max: bool) -> u128 {
        if let Some(n) = process_nans(&[a, b], t) {
            return n;
        }
        let (fa, fb) = (to_f64(a, t), to_f64(b, t));
        if fa == fb {
            // Equal numbers differ only for zeros of opposite sign.
            return if max == sign(a, t) { b } else { a };
        }
        if (fa > fb) == max {
            a
        } else {
            b
        }
    }
    /// FMINNM/FMAXNM: one quiet NaN loses to a number.
    pub fn minmax_nm(t: Type, a: u128, b: u128, max: bool) -> u128 {
        let qa = is_nan(a, t) && !is_snan(a, t);
        let qb = is_nan(b, t) && !is_snan(b, t);
        if qa && !is_nan(b, t) {
            return b;
        }
        if qb && !is_nan(a, t) {
            return a;
        }
        minmax(t, a, b, max)
    }
}

/// Rounds to the nearest integral value, ties to even, whatever the host's rounding mode (Rust's
/// `round_ties_even` may become a call of `rint`, which follows it): the fraction `x - trunc(x)`
/// is exact, and so is stepping one away from zero.
macro_rules! round_ties_even_exactly {
    ($x:expr, $float:ty) => {{
        let x: $float = $x;
        let truncated = x.trunc();
        let fraction = (x - truncated).abs();
        if fraction > 0.5 || (fraction == 0.5 && truncated % 2.0 != 0.0) {
            let one: $float = 1.0;
            truncated + one.copysign(x)
        } else {
            truncated
        }
    }};
}

/// Rounds to the nearest integral value, ties away from zero, whatever the host's rounding mode
/// (Rust's `round` may become `trunc(x + 0.49999...)`, whose addition follows it): the fraction
/// `x - trunc(x)` is exact, and so is stepping one away from zero.
macro_rules! round_half_away_exactly {
    ($x:expr, $float:ty) => {{
        let x: $float = $x;
        let truncated = x.trunc();
        if (x - truncated).abs() >= 0.5 {
            let one: $float = 1.0;
            truncated + one.copysign(x)
        } else {
            truncated
        }
    }};
}

/// Rounds to an integral value in the host's current rounding mode: adding and subtracting
/// `shift` (2^52 for f64, 2^23 for f32; magnitudes from there up are integral already) rounds the
/// fraction away as the mode says. This raises the inexact flag for FRINTI too.
macro_rules! round_in_current_mode {
    ($x:expr, $shift:expr) => {{
        let (x, shift) = ($x, $shift);
        if x.abs() < shift {
            ((x + shift.copysign(x)) - shift.copysign(x)).copysign(x)
        } else {
            x
        }
    }};
}

fn round_f64(x: f64, mode: RoundMode) -> f64 {
    match mode {
        RoundMode::Nearest if x.is_finite() => round_ties_even_exactly!(x, f64),
        RoundMode::Nearest => x.round_ties_even(),
        RoundMode::Away if x.is_finite() => round_half_away_exactly!(x, f64),
        RoundMode::Away => x.round(),
        RoundMode::Up => x.ceil(),
        RoundMode::Down => x.floor(),
        RoundMode::Zero => x.trunc(),
        RoundMode::Current => round_in_current_mode!(x, 4503599627370496.0f64),
    }
}

fn round_f32(x: f32, mode: RoundMode) -> f32 {
    match mode {
        RoundMode::Nearest if x.is_finite() => round_ties_even_exactly!(x, f32),
        RoundMode::Nearest => x.round_ties_even(),
        RoundMode::Away if x.is_finite() => round_half_away_exactly!(x, f32),
        RoundMode::Away => x.round(),
        RoundMode::Up => x.ceil(),
        RoundMode::Down => x.floor(),
        RoundMode::Zero => x.trunc(),
        RoundMode::Current => round_in_current_mode!(x, 8388608.0f32),
    }
}

fn unary(op: UnaryOp, x: u128, t: Type) -> u128 {
    let w = t.bits();
    match op {
        UnaryOp::Not => !x,
        UnaryOp::Neg => x.wrapping_neg(),
        UnaryOp::Abs => sx(x, w).unsigned_abs(),
        UnaryOp::Clz => (x.leading_zeros() - (128 - w)) as u128,
        UnaryOp::Ctz => {
            if x == 0 {
                w as u128
            } else {
                x.trailing_zeros() as u128
            }
        }
        UnaryOp::Popcnt => x.count_ones() as u128,
        UnaryOp::Bswap => x.swap_bytes() >> (128 - w),
        UnaryOp::Bitrev => x.reverse_bits() >> (128 - w),
        UnaryOp::Fneg => x ^ (1u128 << (w - 1)),
        UnaryOp::Fabs => x & !(1u128 << (w - 1)),
        UnaryOp::Fsqrt => {
            let r = match t {
                Type::F32 => f32::from_bits(x as u32).sqrt().to_bits() as u128,
                _ => f64::from_bits(x as u64).sqrt().to_bits() as u128,
            };
            fp::arith(&[x], t, r)
        }
        // Whole 16-byte states (`eval` passes the vector, not its lanes).
        UnaryOp::AesShiftSub => crate::crypto::shift_sub(x),
        UnaryOp::AesInvShiftSub => crate::crypto::inv_shift_sub(x),
        UnaryOp::AesMix => crate::crypto::mix_columns(x),
        UnaryOp::AesInvMix => crate::crypto::inv_mix_columns(x),
    }
}

fn binary(op: BinaryOp, a: u128, b: u128, t: Type) -> u128 {
    use BinaryOp::*;
    let w = t.bits();
    let m = mask(w);
    // The signed views are computed only by the operations that need them: this function runs for
    // every operation of the fallback engine, most of them additions and logic.
    let (sa, sb) = (|| sx(a, w), || sx(b, w));
    let clamp_s = |x: i128| {
        let smin = sx(1u128 << (w - 1), w);
        x.clamp(smin, smin.wrapping_neg().wrapping_sub(1)) as u128
    };
    // A shift amount modulo the width, which is a power of two (a u128 remainder is a library call).
    debug_assert!(w.is_power_of_two());
    let amount = (b as u32) & (w - 1);
    match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        Umulhi => {
            assert!(w <= 64, "umulhi wider than 64 bits");
            (a * b) >> w
        }
        Smulhi => {
            assert!(w <= 64, "smulhi wider than 64 bits");
            (sa().wrapping_mul(sb()) >> w) as u128
        }
        Udiv => {
            if b == 0 {
                0
            } else {
                a / b
            }
        }
        Sdiv => {
            let (sa, sb) = (sa(), sb());
            if sb == 0 {
                0
            } else if sb == -1 {
                // The most negative value divided by -1 wraps to itself.
                sa.wrapping_neg() as u128
            } else {
                (sa / sb) as u128
            }
        }
        And => a & b,
        Or => a | b,
        Xor => a ^ b,
        Shl => a << amount,
        Lshr => a >> amount,
        Ashr => (sa() >> amount) as u128,
        Rotr => {
            if amount == 0 {
                a
            } else {
                (a >> amount) | (a << (w - amount))
            }
        }
        Umin => a.min(b),
        Umax => a.max(b),
        Smin => sa().min(sb()) as u128,
        Smax => sa().max(sb()) as u128,
        UaddSat => (a + b).min(m),
        SaddSat => clamp_s(sa() + sb()),
        UsubSat => a.saturating_sub(b),
        SsubSat => clamp_s(sa() - sb()),
        Fadd => fp::bin(t, a, b, |x, y| x + y, |x, y| x + y),
        Fsub => fp::bin(t, a, b, |x, y| x - y, |x, y| x - y),
        Fmul => fp::bin(t, a, b, |x, y| x * y, |x, y| x * y),
        Fdiv => fp::bin(t, a, b, |x, y| x / y, |x, y| x / y),
        Fmin => fp::minmax(t, a, b, false),
        Fmax => fp::minmax(t, a, b, true),
        Fminnm => fp::minmax_nm(t, a, b, false),
        Fmaxnm => fp::minmax_nm(t, a, b, true),
        // `eval` permutes the whole vector before the lanes would be taken apart.
        Swizzle => swizzle(a, b),
        Clmul => crate::crypto::clmul(a as u64, b as u64) & m,
        Clmulhi => crate::crypto::clmul(a as u64, b as u64) >> 64,
    }
}

fn icmp(cc: IntCC, a: u128, b: u128, t: Type) -> bool {
    let w = t.bits();
    let (sa, sb) = (sx(a, w), sx(b, w));
    match cc {
        IntCC::Eq => a == b,
        IntCC::Ne => a != b,
        IntCC::Ult => a < b,
        IntCC::Ule => a <= b,
        IntCC::Ugt => a > b,
        IntCC::Uge => a >= b,
        IntCC::Slt => sa < sb,
        IntCC::Sle => sa <= sb,
        IntCC::Sgt => sa > sb,
        IntCC::Sge => sa >= sb,
    }
}

fn fcmp(cc: FloatCC, a: u128, b: u128, t: Type) -> bool {
    let (x, y) = (fp::to_f64(a, t), fp::to_f64(b, t));
    let uno = x.is_nan() || y.is_nan();
    match cc {
        FloatCC::Oeq => x == y,
        FloatCC::One => !uno && x != y,
        FloatCC::Olt => x < y,
        FloatCC::Ole => x <= y,
        FloatCC::Ogt => x > y,
        FloatCC::Oge => x >= y,
        FloatCC::Uno => uno,
        FloatCC::Ord => !uno,
    }
}

fn convert(op: ConvOp, x: u128, from: Type, to: Type) -> u128 {
    let (fw, tw) = (from.bits(), to.bits());
    match op {
        ConvOp::Uext | ConvOp::Bitcast => x,
        ConvOp::Sext => sx(x, fw) as u128 & mask(tw),
        ConvOp::Trunc => x & mask(tw),
        ConvOp::Fpromote => (f32::from_bits(x as u32) as f64).to_bits() as u128,
        ConvOp::Fdemote => {
            let r = (f64::from_bits(x as u64) as f32).to_bits() as u128;
            // A NaN keeps its top payload bits and becomes quiet, as both machines do.
            r
        }
        // Sources are at most 64 bits wide: converted from i64, they round once on the host, in its
        // current mode (128-bit conversions are software ones that always round to nearest).
        ConvOp::Stof => {
            let s = sx(x, fw) as i64;
            match to {
                Type::F32 => (s as f32).to_bits() as u128,
                _ => (s as f64).to_bits() as u128,
            }
        }
        ConvOp::Utof => {
            // A value with the top bit set is halved with its lowest bit kept (a sticky bit), converted
            // (the only rounding) and doubled (exact); Rust's own u64 conversion subtracts magic
            // numbers, which gives -0.0 for 0 when rounding down.
            let x = x as u64;
            let (halved, doubling) = if x >> 63 == 0 { (x as i64, false) } else { ((x >> 1 | x & 1) as i64, true) };
            match to {
                Type::F32 => {
                    let r = halved as f32;
                    (if doubling { r + r } else { r }).to_bits() as u128
                }
                _ => {
                    let r = halved as f64;
                    (if doubling { r + r } else { r }).to_bits() as u128
                }
            }
        }
    }
}

fn fp_to_int(x: u128, from: Type, to: Type, signed: bool, round: RoundMode) -> u128 {
    let tw = to.bits();
    let f = match from {
        Type::F32 => round_f32(f32::from_bits(x as u32), round) as f64,
        _ => round_f64(f64::from_bits(x as u64), round),
    };
    let r: u128 = if f.is_nan() {
        0
    } else if signed {
        let lo = -(2f64.powi(tw as i32 - 1));
        let hi = 2f64.powi(tw as i32 - 1);
        if f < lo {
            1u128 << (tw - 1)
        } else if f >= hi {
            (1u128 << (tw - 1)) - 1
        } else {
            (f as i128) as u128
        }
    } else if f <= 0.0 {
        0
    } else if f >= 2f64.powi(tw as i32) {
        mask(tw)
    } else {
        f as u128
    };
    r & mask(tw)
}

fn round_fp(x: u128, t: Type, round: RoundMode) -> u128 {
    let r = match t {
        Type::F32 => round_f32(f32::from_bits(x as u32), round).to_bits() as u128,
        _ => round_f64(f64::from_bits(x as u64), round).to_bits() as u128,
    };
    fp::arith(&[x], t, r)
}

fn eval(func: &Function, v: Value, vals: &[u128], env: &mut dyn Env) -> Result<u128, Fault> {
    let ty = |x: Value| func.value_type(x);
    let rt = func.results[v.index()];
    // Under FPCR.FZ a float operation sees denormal operands as zeros and flushes a denormal
    // result to zero (the manual's FPUnpack and FPRound). The host's denormals-are-zero and
    // flush-to-zero do that for its own instructions, but not for what Rust computes in software
    // (a fused multiply-add without the FMA extension, comparisons in FMIN and FMAX, floor and
    // ceiling), so the interpreter flushes itself.
    // The flag is tested before any type is looked up: this runs for every operation of the
    // fallback engine, and few of them are float operations.
    let inst = func.inst(v);
    let default_nan_op = inst.follows_default_nan_mode();
    let float_op = default_nan_op || matches!(inst, InstData::FpToInt { .. });
    let controls = if float_op { env.reg(Reg::FPCR) as u64 } else { 0 };
    let flush = controls & fpcr::FZ != 0;
    let val = |x: Value| {
        if flush && func.value_type(x).is_float_like() {
            fp::flush_denormal_lanes(func.value_type(x), vals[x.index()])
        } else {
            vals[x.index()]
        }
    };
    let r = match func.inst(v) {
        InstData::Const { bits, .. } => *bits,
        InstData::GetReg { reg } => env.reg(*reg),
        InstData::SetReg { reg, arg } => {
            env.set_reg(*reg, val(*arg));
            0
        }
        InstData::Load { ty, addr } => env.load(val(*addr) as u64, (ty.bits() / 8) as usize)?,
        InstData::Store { addr, arg } => {
            env.store(val(*addr) as u64, (ty(*arg).bits() / 8) as usize, val(*arg))?;
            0
        }
        InstData::Unary { op, arg } if op.is_aes() => unary(*op, val(*arg), ty(*arg)),
        InstData::Unary { op, arg } => lanewise(ty(*arg), val(*arg), 0, |a, _, t| unary(*op, a, t)),
        InstData::Binary { op: BinaryOp::Swizzle, args } => swizzle(val(args[0]), val(args[1])),
        InstData::Binary { op, args } => {
            lanewise(ty(args[0]), val(args[0]), val(args[1]), |a, b, t| binary(*op, a, b, t))
        }
        InstData::Select { cond, args } => {
            if val(*cond) & 1 != 0 {
                val(args[0])
            } else {
                val(args[1])
            }
        }
        InstData::Fma { args } => lanewise3(ty(args[0]), val(args[0]), val(args[1]), val(args[2]), |a, b, c, t| {
            let r = match t {
                Type::F32 => f32::from_bits(a as u32)
                    .mul_add(f32::from_bits(b as u32), f32::from_bits(c as u32))
                    .to_bits() as u128,
                _ => f64::from_bits(a as u64).mul_add(f64::from_bits(b as u64), f64::from_bits(c as u64)).to_bits()
                    as u128,
            };
            // AArch64 FMADD takes its NaN from the addend first, then the factors.
            fp::arith(&[c, a, b], t, r)
        }),
        InstData::Icmp { cc, args } => {
            let t = ty(args[0]);
            if t.is_vector() {
                lanewise(t, val(args[0]), val(args[1]), |a, b, lt| if icmp(*cc, a, b, lt) { u128::MAX } else { 0 })
            } else {
                icmp(*cc, val(args[0]), val(args[1]), t) as u128
            }
        }
        InstData::Fcmp { cc, args } => {
            let t = ty(args[0]);
            if t.is_vector() {
                lanewise(t, val(args[0]), val(args[1]), |a, b, lt| if fcmp(*cc, a, b, lt) { u128::MAX } else { 0 })
            } else {
                fcmp(*cc, val(args[0]), val(args[1]), t) as u128
            }
        }
        InstData::Convert { op, ty: to, arg } => {
            let from = ty(*arg);
            if *op == ConvOp::Bitcast || !from.is_vector() {
                convert(*op, val(*arg), from, *to)
            } else {
                let (fl, tl) = (from.lane_type(), to.lane_type());
                let mut out = 0u128;
                for i in 0..from.lanes() {
                    let x = (val(*arg) >> (i * fl.bits())) & mask(fl.bits());
                    out |= (convert(*op, x, fl, tl) & mask(tl.bits())) << (i * tl.bits());
                }
                out
            }
        }
        InstData::FpToInt { ty: to, signed, round, arg } => {
            let from = ty(*arg);
            let (fl, tl) = (from.lane_type(), to.lane_type());
            let mut out = 0u128;
            for i in 0..from.lanes() {
                let x = (val(*arg) >> (i * fl.bits())) & mask(fl.bits());
                out |= fp_to_int(x, fl, tl, *signed, *round) << (i * tl.bits());
            }
            out
        }
        InstData::RoundFp { round, arg } => lanewise(ty(*arg), val(*arg), 0, |a, _, t| round_fp(a, t, *round)),
        InstData::Extract { lane, arg } => {
            let w = ty(*arg).lane_bits();
            (val(*arg) >> (*lane as u32 * w)) & mask(w)
        }
        InstData::Insert { lane, args } => {
            let w = ty(args[0]).lane_bits();
            let sh = *lane as u32 * w;
            (val(args[0]) & !(mask(w) << sh)) | ((val(args[1]) & mask(w)) << sh)
        }
        InstData::Splat { ty: t, arg } => {
            let w = t.lane_bits();
            (0..t.lanes()).fold(0u128, |acc, i| acc | ((val(*arg) & mask(w)) << (i * w)))
        }
        InstData::Shuffle { mask: m, args } => {
            let t = ty(args[0]);
            let (w, n) = (t.lane_bits(), t.lanes());
            let lane = |i: u32| {
                if i < n {
                    (val(args[0]) >> (i * w)) & mask(w)
                } else {
                    (val(args[1]) >> ((i - n) * w)) & mask(w)
                }
            };
            m.iter().enumerate().fold(0u128, |acc, (k, &i)| acc | (lane(i as u32) << (k as u32 * w)))
        }
        InstData::AtomicRmw { op, addr, arg } => {
            let t = ty(*arg);
            let (w, x) = (t.bits(), val(*arg));
            env.atomic_update(val(*addr) as u64, (w / 8) as usize, &mut |old| {
                Some(match op {
                    AtomicOp::Xchg => x,
                    AtomicOp::Add => old.wrapping_add(x) & mask(w),
                    AtomicOp::Clr => old & !x,
                    AtomicOp::Or => old | x,
                    AtomicOp::Xor => old ^ x,
                    AtomicOp::Smax => binary(BinaryOp::Smax, old, x, t),
                    AtomicOp::Smin => binary(BinaryOp::Smin, old, x, t),
                    AtomicOp::Umax => old.max(x),
                    AtomicOp::Umin => old.min(x),
                })
            })?
        }
        InstData::Cmpxchg { addr, args } => {
            let w = ty(args[0]).bits();
            let (exp, new) = (val(args[0]), val(args[1]));
            env.atomic_update(val(*addr) as u64, (w / 8) as usize, &mut |old| (old == exp).then_some(new))?
        }
        InstData::Fence => 0,
        InstData::CallHelper { helper, args } => match helper {
            Helper::Crc32 => {
                helpers::crc32(val(args[0]) as u32, val(args[1]) as u64, val(args[2]) as u32, false) as u128
            }
            Helper::Crc32c => {
                helpers::crc32(val(args[0]) as u32, val(args[1]) as u64, val(args[2]) as u32, true) as u128
            }
            Helper::ReadCntvct => env.cntvct() as u128,
            Helper::FpcrWrite => {
                env.fpcr_write(val(args[0]) as u64);
                val(args[0])
            }
            Helper::FpsrRead => env.fpsr_read(val(args[0]) as u64) as u128,
            Helper::FpsrWrite => {
                env.fpsr_write(val(args[0]) as u64);
                val(args[0])
            }
            Helper::InvalidateCode => {
                env.invalidate_code(val(args[0]) as u64);
                val(args[0])
            }
        },
    };
    let r = match rt {
        Some(t) if flush && t.is_float_like() => fp::flush_denormal_lanes(t, r),
        _ => r,
    };
    let r = match rt {
        Some(t) if default_nan_op && controls & fpcr::DN != 0 => fp::default_nan_lanes(t, r),
        _ => r,
    };
    Ok(match rt {
        Some(t) => r & mask(t.bits()),
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::swizzle;

    #[test]
    fn swizzle_picks_bytes_below_sixteen_and_zeroes_the_rest() {
        // Table byte i is 0xa0 + i.
        let table = (0..16u128).fold(0, |acc, i| acc | (0xa0 + i) << (8 * i));
        let indices: [u8; 16] = [0, 15, 16, 255, 3, 3, 0x80, 0x8f, 7, 17, 1, 2, 14, 13, 12, 11];
        let packed = indices.iter().enumerate().fold(0u128, |acc, (i, &x)| acc | (x as u128) << (8 * i));
        let r = swizzle(table, packed);
        let expected: [u8; 16] = [0xa0, 0xaf, 0, 0, 0xa3, 0xa3, 0, 0, 0xa7, 0, 0xa1, 0xa2, 0xae, 0xad, 0xac, 0xab];
        assert_eq!(r.to_le_bytes(), expected);
    }
}
