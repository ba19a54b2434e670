//! Loads and stores: single registers (immediate, register offset, literal, pre/post-index,
//! unscaled and unprivileged), pairs, exclusives and load-acquire/store-release, compare-and-swap
//! and the LSE atomic memory operations, for general and SIMD&FP registers. The SIMD structure
//! loads and stores (LD1..LD4) are in `simd`.
//!
//! Memory order: the host is TSO. Acquire loads and release stores are followed by a full fence
//! so that the compiler keeps them in order and a release store is never passed by a later
//! acquire load (STLR then LDAR); exclusives and atomics become host atomics.
//!
//! Alignment: without FEAT_LSE2 (which vmtrans does not advertise) the architecture requires
//! every acquire/release, exclusive and atomic access to be aligned to its size (a pair's or
//! CASP's to the size of both registers) and raises an alignment fault, SIGBUS with BUS_ADRALN
//! on Linux, otherwise. `aligned_address` makes that check before the access; the runtime finds
//! the faulting address again with `ordered_access_address`.

use crate::a64::lift::{Lifter, SemError};
use crate::a64::sem::branch::sext;
use crate::a64::sem::dp_reg::extend_reg;
use crate::entities::Value;
use crate::inst::{AtomicOp, IntCC, Terminator, TrapKind};
use crate::reg::Reg;
use crate::types::Type;

/// What a single-register access does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    /// Store the low `bytes` of a general register.
    Store { bytes: u32 },
    /// Load `bytes`, zero-extended.
    LoadZero { bytes: u32 },
    /// Load `bytes`, sign-extended to 64 bits (`to64`) or to 32 bits.
    LoadSigned { bytes: u32, to64: bool },
    /// A prefetch: no architectural effect.
    Prefetch,
    /// Store the low `bytes` of a SIMD&FP register.
    StoreV { bytes: u32 },
    /// Load `bytes` into a SIMD&FP register, zeroing the rest.
    LoadV { bytes: u32 },
}

impl Access {
    /// Decodes size (bits 31..30), V (bit 26) and opc (bits 23..22).
    fn decode(size: u32, v: bool, opc: u32) -> Result<Access, SemError> {
        if v {
            let bytes = if opc & 2 != 0 {
                if size != 0 {
                    return Err(SemError::Undefined);
                }
                16
            } else {
                1 << size
            };
            return Ok(if opc & 1 != 0 { Access::LoadV { bytes } } else { Access::StoreV { bytes } });
        }
        let bytes = 1 << size;
        Ok(match opc {
            0b00 => Access::Store { bytes },
            0b01 => Access::LoadZero { bytes },
            0b10 if size == 3 => Access::Prefetch,
            0b10 => Access::LoadSigned { bytes, to64: true },
            _ if size >= 2 => return Err(SemError::Undefined),
            _ => Access::LoadSigned { bytes, to64: false },
        })
    }

    /// The number of bytes a general-register access moves (none for a prefetch).
    fn bytes(self) -> u32 {
        match self {
            Access::Store { bytes }
            | Access::LoadZero { bytes }
            | Access::LoadSigned { bytes, .. }
            | Access::StoreV { bytes }
            | Access::LoadV { bytes } => bytes,
            Access::Prefetch => 0,
        }
    }

    /// log2 of the access size, the scale of unsigned offsets.
    fn scale(self) -> u32 {
        match self {
            Access::Store { bytes } | Access::LoadZero { bytes } | Access::LoadSigned { bytes, .. } => {
                bytes.trailing_zeros()
            }
            Access::StoreV { bytes } | Access::LoadV { bytes } => bytes.trailing_zeros(),
            Access::Prefetch => 3,
        }
    }
}

/// Performs an access of register `rt` at guest address `addr`.
fn perform(l: &mut Lifter, access: Access, rt: u32, addr: Value) {
    match access {
        Access::Store { bytes } => {
            let x = l.xreg(rt, true);
            let v = l.b.trunc(Type::int(bytes * 8), x);
            l.b.store(addr, v);
        }
        Access::LoadZero { bytes } => {
            let v = l.b.load(Type::int(bytes * 8), addr);
            l.set_xreg(rt, v);
        }
        Access::LoadSigned { bytes, to64 } => {
            let v = l.b.load(Type::int(bytes * 8), addr);
            let s = l.b.sext(if to64 { Type::I64 } else { Type::I32 }, v);
            l.set_xreg(rt, s);
        }
        Access::Prefetch => {}
        Access::StoreV { bytes } => {
            let q = l.vreg(rt);
            let v = l.b.trunc(Type::int(bytes * 8), q);
            l.b.store(addr, v);
        }
        Access::LoadV { bytes } => {
            let v = l.b.load(Type::int(bytes * 8), addr);
            l.set_vreg(rt, v);
        }
    }
}

/// Routes the loads and stores group.
pub fn lift(l: &mut Lifter) -> Result<(), SemError> {
    let insn = l.insn;
    if insn & 0x3f00_0000 == 0x0800_0000 {
        exclusive_ordered(l)
    } else if insn & 0x3b00_0000 == 0x1800_0000 {
        literal(l)
    } else if insn & 0x3a00_0000 == 0x2800_0000 {
        pair(l)
    } else if insn & 0x3a00_0000 == 0x3800_0000 {
        if l.bit(24) {
            unsigned_offset(l)
        } else if !l.bit(21) {
            imm9(l)
        } else {
            match l.field(10, 2) {
                0b00 => atomic(l),
                0b10 => register_offset(l),
                _ => Err(SemError::Unsupported), // LDRAA/LDRAB (pointer authentication).
            }
        }
    } else if insn & RCPC_UNSCALED_MASK == RCPC_UNSCALED {
        rcpc_unscaled(l)
    } else {
        Err(SemError::Unsupported)
    }
}

/// The address Xn|SP + `offset` for an access of `bytes` (a power of two) that must be aligned:
/// an alignment fault (`TrapKind::Misaligned`) where it is not, checked before anything else the
/// instruction does (byte accesses are always aligned). The check ends the block, so the address
/// is computed again in the block that goes on.
fn aligned_address(l: &mut Lifter, offset: u64, bytes: u32) -> Value {
    if bytes > 1 {
        let b = base(l);
        let addr = l.b.add_imm(b, offset);
        let misaligned = is_misaligned(l, addr, bytes);
        l.trap_if(misaligned, TrapKind::Misaligned);
    }
    let b = base(l);
    l.b.add_imm(b, offset)
}

/// Whether `addr` is not a multiple of `bytes` (a power of two), as an i1.
fn is_misaligned(l: &mut Lifter, addr: Value, bytes: u32) -> Value {
    let low = l.b.and_imm(addr, u128::from(bytes - 1));
    l.b.icmp_imm(IntCC::Ne, low, 0)
}

/// The address an acquire/release, exclusive or atomic instruction `insn` accesses, with `read`
/// giving the value of a register: its base register Xn|SP (bits 9..5), or for LDAPUR/STLUR that
/// plus their signed 9-bit offset. The runtime reports it as an alignment fault's si_addr.
pub fn ordered_access_address(insn: u32, read: impl Fn(Reg) -> u64) -> u64 {
    let rn = (insn >> 5 & 31) as u8;
    let base = read(if rn == 31 { Reg::SP } else { Reg::x(rn) });
    if insn & RCPC_UNSCALED_MASK == RCPC_UNSCALED {
        base.wrapping_add(sext(insn >> 12 & 0x1ff, 9) as u64)
    } else {
        base
    }
}

/// LDAPUR/STLUR's encodings: bits 29..24 = 011001, bit 21 and bits 11..10 clear.
const RCPC_UNSCALED_MASK: u32 = 0x3f20_0c00;
const RCPC_UNSCALED: u32 = 0x1900_0000;

/// A load-acquire (LDAR, LDAPR, LDAPUR) at an address `aligned_address` checked: the load, then a
/// fence, so that no later access moves before it (x86 does not reorder loads with later
/// accesses; the fence also binds the compiler).
fn load_acquire(l: &mut Lifter, access: Access, rt: u32, addr: Value) {
    perform(l, access, rt, addr);
    l.b.fence();
}

/// A store-release (STLR, STLUR) at an address `aligned_address` checked: a fence, the store, and
/// a fence. The first keeps earlier accesses before the store (release); the second keeps a later
/// load-acquire after it, which x86 would otherwise let pass the store (the issue asks that STLR
/// then LDAR keep their order).
fn store_release(l: &mut Lifter, access: Access, rt: u32, addr: Value) {
    l.b.fence();
    perform(l, access, rt, addr);
    l.b.fence();
}

/// LDAPUR*, STLUR* (FEAT_LRCPC2): load-acquire (RCpc) and store-release of a general register at
/// a signed 9-bit unscaled offset from Xn|SP, without write-back. opc 00 stores, 01 loads
/// zero-extended, 10 loads sign-extended to 64 bits, 11 sign-extended to 32 bits.
fn rcpc_unscaled(l: &mut Lifter) -> Result<(), SemError> {
    let size = l.field(30, 2);
    let bytes = 1 << size;
    let access = match (l.field(22, 2), size) {
        (0b00, _) => Access::Store { bytes },
        (0b01, _) => Access::LoadZero { bytes },
        (0b10, 0..=2) => Access::LoadSigned { bytes, to64: true },
        (0b11, 0..=1) => Access::LoadSigned { bytes, to64: false },
        _ => return Err(SemError::Undefined),
    };
    let off = sext(l.field(12, 9), 9) as u64;
    let rt = l.field(0, 5);
    let addr = aligned_address(l, off, access.bytes());
    match access {
        Access::Store { .. } => store_release(l, access, rt, addr),
        _ => load_acquire(l, access, rt, addr),
    }
    Ok(())
}

/// LDR (literal), LDRSW (literal), PRFM (literal), for general and SIMD&FP registers.
fn literal(l: &mut Lifter) -> Result<(), SemError> {
    let opc = l.field(30, 2);
    let v = l.bit(26);
    let rt = l.field(0, 5);
    let addr = l.pc.wrapping_add((sext(l.field(5, 19), 19) << 2) as u64);
    let access = match (v, opc) {
        (false, 0b00) => Access::LoadZero { bytes: 4 },
        (false, 0b01) => Access::LoadZero { bytes: 8 },
        (false, 0b10) => Access::LoadSigned { bytes: 4, to64: true },
        (false, _) => Access::Prefetch,
        (true, 0b00) => Access::LoadV { bytes: 4 },
        (true, 0b01) => Access::LoadV { bytes: 8 },
        (true, 0b10) => Access::LoadV { bytes: 16 },
        (true, _) => return Err(SemError::Undefined),
    };
    let a = l.imm64(addr);
    perform(l, access, rt, a);
    Ok(())
}

/// The base address register's value (SP for 31).
fn base(l: &mut Lifter) -> Value {
    let rn = l.field(5, 5);
    l.xreg_sp(rn, true)
}

/// LDUR/STUR, post-index, LDTR/STTR and pre-index forms (9-bit signed offset).
fn imm9(l: &mut Lifter) -> Result<(), SemError> {
    let access = Access::decode(l.field(30, 2), l.bit(26), l.field(22, 2))?;
    let mode = l.field(10, 2);
    if mode == 0b10 && l.bit(26) || mode != 0b00 && matches!(access, Access::Prefetch) {
        // No SIMD&FP register has an unprivileged form, and only the unscaled form prefetches.
        return Err(SemError::Undefined);
    }
    let off = sext(l.field(12, 9), 9) as u64;
    let (rn, rt) = (l.field(5, 5), l.field(0, 5));
    let b = base(l);
    let moved = l.b.add_imm(b, off);
    let addr = if mode == 0b01 { b } else { moved };
    perform(l, access, rt, addr);
    if mode == 0b01 || mode == 0b11 {
        l.set_xreg_sp(rn, moved);
    }
    Ok(())
}

/// LDR/STR (unsigned offset) and PRFM.
fn unsigned_offset(l: &mut Lifter) -> Result<(), SemError> {
    let access = Access::decode(l.field(30, 2), l.bit(26), l.field(22, 2))?;
    let off = (l.field(10, 12) as u64) << access.scale();
    let rt = l.field(0, 5);
    let b = base(l);
    let addr = l.b.add_imm(b, off);
    perform(l, access, rt, addr);
    Ok(())
}

/// LDR/STR (register offset, extended or shifted).
fn register_offset(l: &mut Lifter) -> Result<(), SemError> {
    let access = Access::decode(l.field(30, 2), l.bit(26), l.field(22, 2))?;
    let option = l.field(13, 3);
    if option & 0b010 == 0 {
        return Err(SemError::Undefined);
    }
    let shift = if l.bit(12) { access.scale() } else { 0 };
    let (rm, rt) = (l.field(16, 5), l.field(0, 5));
    let b = base(l);
    let off = extend_reg(l, rm, option, shift, true);
    let addr = l.b.add(b, off);
    perform(l, access, rt, addr);
    Ok(())
}

/// LDP, STP, LDPSW and LDNP/STNP, for general and SIMD&FP registers, in every index mode.
fn pair(l: &mut Lifter) -> Result<(), SemError> {
    let opc = l.field(30, 2);
    let v = l.bit(26);
    let mode = l.field(23, 2);
    let load = l.bit(22);
    let (rt2, rn, rt) = (l.field(10, 5), l.field(5, 5), l.field(0, 5));
    let access = match (v, opc, load) {
        (false, 0b00, false) => Access::Store { bytes: 4 },
        (false, 0b00, true) => Access::LoadZero { bytes: 4 },
        (false, 0b01, true) if mode != 0 => Access::LoadSigned { bytes: 4, to64: true },
        (false, 0b01, _) => return Err(SemError::Unsupported), // STGP (memory tagging).
        (false, 0b10, false) => Access::Store { bytes: 8 },
        (false, 0b10, true) => Access::LoadZero { bytes: 8 },
        (true, 0b00..=0b10, false) => Access::StoreV { bytes: 4 << opc },
        (true, 0b00..=0b10, true) => Access::LoadV { bytes: 4 << opc },
        _ => return Err(SemError::Undefined),
    };
    let scale = access.scale();
    let off = ((sext(l.field(15, 7), 7)) << scale) as u64;
    let b = base(l);
    let moved = l.b.add_imm(b, off);
    let addr = if mode == 0b01 { b } else { moved };
    let addr2 = l.b.add_imm(addr, 1 << scale);
    // Both addresses are values computed before either access, so a load into the base
    // register does not move the second access.
    perform(l, access, rt, addr);
    perform(l, access, rt2, addr2);
    if mode == 0b01 || mode == 0b11 {
        l.set_xreg_sp(rn, moved);
    }
    Ok(())
}

/// Exclusives, load-acquire/store-release and compare-and-swap (the "load/store exclusive and
/// ordered" encodings, bits 29..24 = 001000).
fn exclusive_ordered(l: &mut Lifter) -> Result<(), SemError> {
    let size = l.field(30, 2);
    let o2 = l.bit(23);
    let load = l.bit(22);
    let o1 = l.bit(21);
    let rs = l.field(16, 5);
    let o0 = l.bit(15);
    let (rt2, rt) = (l.field(10, 5), l.field(0, 5));
    match (o2, o1) {
        (false, false) => {
            if load {
                load_exclusive(l, Type::int(8 << size), rt, None, o0)
            } else {
                store_exclusive(l, Type::int(8 << size), rs, rt, None, o0)
            }
        }
        (false, true) if size >= 2 => {
            let half = Type::int(32 << (size & 1));
            if load {
                load_exclusive(l, half, rt, Some(rt2), o0)
            } else {
                store_exclusive(l, half, rs, rt, Some(rt2), o0)
            }
        }
        // CASP and CAS need Rt2 = 11111; other values are unallocated.
        (false, true) if rt2 != 31 => Err(SemError::Undefined),
        (false, true) => casp(l, size & 1 == 1, rs, rt),
        (true, false) => {
            let bytes = 1 << size;
            let b = aligned_address(l, 0, bytes);
            if load {
                load_acquire(l, Access::LoadZero { bytes }, rt, b);
            } else {
                store_release(l, Access::Store { bytes }, rt, b);
            }
            Ok(())
        }
        (true, true) if rt2 != 31 => Err(SemError::Undefined),
        (true, true) => cas(l, Type::int(8 << size), rs, rt),
    }
}

/// LDXR, LDAXR, LDXP and LDAXP: load and arm the exclusive monitor.
fn load_exclusive(l: &mut Lifter, t: Type, rt: u32, rt2: Option<u32>, acquire: bool) -> Result<(), SemError> {
    let whole = if rt2.is_some() { Type::int(t.bits() * 2) } else { t };
    let addr = aligned_address(l, 0, whole.bits() / 8);
    let v = l.b.load(whole, addr);
    l.b.set(Reg::EXCL_ADDR, addr);
    let wide = l.b.uext(Type::I128, v);
    let lo = l.b.trunc(Type::I64, wide);
    l.b.set(Reg::EXCL_VAL, lo);
    let hi_part = l.b.lshr_imm(wide, 64);
    let hi = l.b.trunc(Type::I64, hi_part);
    l.b.set(Reg::EXCL_VAL_HI, hi);
    match rt2 {
        None => l.set_xreg(rt, v),
        Some(rt2) => {
            let first = l.b.trunc(t, v);
            let sh = l.b.lshr_imm(v, t.bits());
            let second = l.b.trunc(t, sh);
            l.set_xreg(rt, first);
            l.set_xreg(rt2, second);
        }
    }
    if acquire {
        l.b.fence();
    }
    Ok(())
}

/// STXR, STLXR, STXP and STLXP: when the monitor holds this (aligned) address, store if the
/// memory still holds the value the load-exclusive read (a host compare-and-swap), writing 0 to
/// `rs` on success and 1 on failure; otherwise fail without touching memory. The monitor is cleared
/// either way.
fn store_exclusive(
    l: &mut Lifter,
    t: Type,
    rs: u32,
    rt: u32,
    rt2: Option<u32>,
    _release: bool,
) -> Result<(), SemError> {
    let whole = if rt2.is_some() { Type::int(t.bits() * 2) } else { t };
    // An unaligned store-exclusive fails without an alignment fault: the manual lets the monitor
    // check fail first even where the access would abort (AArch64.ExclusiveMonitorsPass), and
    // qemu never faults here either. (Only a smaller load-exclusive at the address, a CONSTRAINED
    // UNPREDICTABLE pairing, can have armed the monitor for it; the host's 16-byte
    // compare-and-swap would fault on it.)
    let addr = base(l);
    let monitor = l.b.get(Reg::EXCL_ADDR);
    let armed = l.b.icmp(IntCC::Eq, monitor, addr);
    let misaligned = is_misaligned(l, addr, whole.bits() / 8);
    let aligned = l.b.not(misaligned);
    let armed = l.b.and(armed, aligned);
    let try_store = l.b.create_block(None);
    let fail = l.b.create_block(None);
    let join = l.b.create_block(None);
    l.end(Terminator::Branch { cond: armed, then_dest: try_store, else_dest: fail });

    l.b.switch_to(try_store);
    let addr = base(l);
    let first = l.xreg(rt, t == Type::I64);
    let new = match rt2 {
        None => l.b.trunc(whole, first),
        Some(rt2) => {
            let second = l.xreg(rt2, t == Type::I64);
            let a = l.b.uext(whole, first);
            let b0 = l.b.uext(whole, second);
            let b = l.b.shl_imm(b0, t.bits());
            l.b.or(a, b)
        }
    };
    let lo = l.b.get(Reg::EXCL_VAL);
    let hi = l.b.get(Reg::EXCL_VAL_HI);
    let lo128 = l.b.uext(Type::I128, lo);
    let hi128a = l.b.uext(Type::I128, hi);
    let hi128 = l.b.shl_imm(hi128a, 64);
    let expected128 = l.b.or(lo128, hi128);
    let expected = l.b.trunc(whole, expected128);
    let old = l.b.cmpxchg(addr, expected, new);
    let failed = l.b.icmp(IntCC::Ne, old, expected);
    let status = l.b.uext(Type::I32, failed);
    l.set_xreg(rs, status);
    l.end(Terminator::Jump { dest: join });

    l.b.switch_to(fail);
    let status = l.b.iconst(Type::I32, 1);
    l.set_xreg(rs, status);
    l.end(Terminator::Jump { dest: join });

    l.b.switch_to(join);
    let clear = l.imm64(u64::MAX);
    l.b.set(Reg::EXCL_ADDR, clear);
    Ok(())
}

/// CAS, CASA, CASL and CASAL, on bytes, halfwords, words and doublewords.
fn cas(l: &mut Lifter, t: Type, rs: u32, rt: u32) -> Result<(), SemError> {
    let addr = aligned_address(l, 0, t.bits() / 8);
    let sf = t == Type::I64;
    let expected0 = l.xreg(rs, sf);
    let expected = l.b.trunc(t, expected0);
    let new0 = l.xreg(rt, sf);
    let new = l.b.trunc(t, new0);
    let old = l.b.cmpxchg(addr, expected, new);
    l.set_xreg(rs, old);
    Ok(())
}

/// CASP and its ordered forms: a compare-and-swap of a register pair.
fn casp(l: &mut Lifter, doubleword: bool, rs: u32, rt: u32) -> Result<(), SemError> {
    if rs % 2 == 1 || rt % 2 == 1 || l.field(10, 5) != 0b11111 {
        return Err(SemError::Undefined);
    }
    let half = if doubleword { Type::I64 } else { Type::I32 };
    let whole = Type::int(half.bits() * 2);
    let addr = aligned_address(l, 0, whole.bits() / 8);
    let join = |l: &mut Lifter, r: u32| {
        let a0 = l.xreg(r, doubleword);
        let b0 = l.xreg(r + 1, doubleword);
        let a = l.b.uext(whole, a0);
        let b1 = l.b.uext(whole, b0);
        let b = l.b.shl_imm(b1, half.bits());
        l.b.or(a, b)
    };
    let expected = join(l, rs);
    let new = join(l, rt);
    let old = l.b.cmpxchg(addr, expected, new);
    let first = l.b.trunc(half, old);
    let sh = l.b.lshr_imm(old, half.bits());
    let second = l.b.trunc(half, sh);
    l.set_xreg(rs, first);
    l.set_xreg(rs + 1, second);
    Ok(())
}

/// The LSE atomic memory operations (LDADD, LDCLR, LDEOR, LDSET, LD{S,U}{MAX,MIN}, SWP, and their
/// acquire/release forms) and LDAPR.
fn atomic(l: &mut Lifter) -> Result<(), SemError> {
    if l.bit(26) {
        return Err(SemError::Undefined);
    }
    let size = l.field(30, 2);
    let acquire = l.bit(23);
    let rs = l.field(16, 5);
    let o3 = l.bit(15);
    let opc = l.field(12, 3);
    let rt = l.field(0, 5);
    let t = Type::int(8 << size);
    let op = match (o3, opc) {
        (false, 0b000) => AtomicOp::Add,
        (false, 0b001) => AtomicOp::Clr,
        (false, 0b010) => AtomicOp::Xor,
        (false, 0b011) => AtomicOp::Or,
        (false, 0b100) => AtomicOp::Smax,
        (false, 0b101) => AtomicOp::Smin,
        (false, 0b110) => AtomicOp::Umax,
        (false, 0b111) => AtomicOp::Umin,
        (true, 0b000) => AtomicOp::Xchg,
        (true, 0b100) if acquire && !l.bit(22) && rs == 31 => {
            let b = aligned_address(l, 0, 1 << size);
            load_acquire(l, Access::LoadZero { bytes: 1 << size }, rt, b);
            return Ok(());
        }
        _ => return Err(SemError::Undefined),
    };
    let addr = aligned_address(l, 0, t.bits() / 8);
    let x = l.xreg(rs, true);
    let arg = l.b.trunc(t, x);
    let old = l.b.atomic_rmw(op, addr, arg);
    l.set_xreg(rt, old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::a64::testenv::{run_insns, TestEnv};

    #[test]
    fn post_index_pair_writes_back_after_the_access() {
        // stp x1, x2, [sp], #16 with sp = 0x10010: stores at 0x10010 and 0x10018, sp becomes 0x10020.
        let mut env = TestEnv::new(0x10000, 0x100);
        env.state.sp = 0x10010;
        env.state.x[1] = 0x1111;
        env.state.x[2] = 0x2222;
        run_insns(&mut env, &[0xa8810be1]);
        assert_eq!(env.state.sp, 0x10020);
        assert_eq!(&env.mem[0x10..0x12], &[0x11, 0x11]);
        assert_eq!(&env.mem[0x18..0x1a], &[0x22, 0x22]);
    }

    #[test]
    fn ldrsb_sign_extends() {
        // ldrsb x0, [x1] and ldrsb w2, [x1] of 0x80.
        let mut env = TestEnv::new(0x10000, 0x100);
        env.mem[0] = 0x80;
        env.state.x[1] = 0x10000;
        env.state.x[2] = u64::MAX;
        run_insns(&mut env, &[0x39800020, 0x39c00022]);
        assert_eq!(env.state.x[0], 0xffff_ffff_ffff_ff80);
        assert_eq!(env.state.x[2], 0xffff_ff80);
    }

    #[test]
    fn unaligned_ordered_exclusive_and_atomic_accesses_fault_before_any_effect() {
        use crate::a64::sem::ldst::ordered_access_address;
        use crate::inst::TrapKind;
        use crate::interp::Exit;
        // (word, offset of the address from x1, the alignment the manual requires), from the Arm
        // ARM's alignment rules without FEAT_LSE2: the access size, a pair's total size.
        let cases = [
            (0xc8df_fc20u32, 0i64, 8u64, "ldar x0, [x1]"),
            (0x48df_fc20, 0, 2, "ldarh w0, [x1]"),
            (0x08df_fc20, 0, 1, "ldarb w0, [x1]"),
            (0x889f_fc20, 0, 4, "stlr w0, [x1]"),
            (0xf8bf_c020, 0, 8, "ldapr x0, [x1] (qemu 7.2 does not check it)"),
            (0x595f_d020, -3, 2, "ldapurh w0, [x1, #-3]"),
            (0xd900_5020, 5, 8, "stlur x0, [x1, #5]"),
            (0x885f_fc20, 0, 4, "ldaxr w0, [x1]"),
            (0xc87f_0820, 0, 16, "ldxp x0, x2, [x1]"),
            (0xc8e0_fc22, 0, 8, "casal x0, x2, [x1]"),
            (0x4824_7c26, 0, 16, "casp x4, x5, x6, x7, [x1]"),
            (0x7822_0020, 0, 2, "ldaddh w2, w0, [x1]"),
            (0x3822_8020, 0, 1, "swpb w2, w0, [x1]"),
        ];
        for (word, offset, align, what) in cases {
            for misalignment in 0..16u64 {
                let address = 0x10040 + misalignment;
                let mut env = TestEnv::new(0x10000, 0x100);
                for (i, byte) in env.mem.iter_mut().enumerate() {
                    *byte = i as u8;
                }
                env.state.x[1] = address.wrapping_sub(offset as u64);
                env.state.x[2] = 0x2222;
                let before = (env.state.x, env.mem.clone());
                let exit = run_insns(&mut env, &[word]);
                if address % align == 0 {
                    assert!(!matches!(exit, Exit::Trap { .. }), "{what} at {address:#x}: {exit:?}");
                } else {
                    let Exit::Trap { kind, pc, .. } = exit else {
                        panic!("{what} at {address:#x} must fault, not {exit:?}");
                    };
                    assert_eq!((kind, pc), (TrapKind::Misaligned, 0x1000), "{what} at {address:#x}");
                    assert!(
                        (env.state.x, &env.mem) == (before.0, &before.1),
                        "{what} changed the state before faulting"
                    );
                    let reported = ordered_access_address(word, |r| env.state.get(r) as u64);
                    assert_eq!(reported, address, "{what}: the reported address");
                }
            }
        }
    }

    #[test]
    fn unaligned_store_exclusives_fail_without_faulting_or_storing() {
        // stxr w3, x0, [x1] and stlxp w3, w0, w2, [x1] at every misalignment, after a
        // load-exclusive of one byte armed the monitor at that address: status 1, memory as it was.
        for (word, bytes) in [(0xc803_7c20u32, 8u64), (0x8823_8820, 8)] {
            for misalignment in 1..8u64 {
                if misalignment % bytes == 0 {
                    continue;
                }
                let mut env = TestEnv::new(0x10000, 0x100);
                env.state.x[1] = 0x10040 + misalignment;
                env.state.x[0] = 0x5555;
                // ldxrb w9, [x1], then the store-exclusive.
                run_insns(&mut env, &[0x085f_7c29, word]);
                assert_eq!(env.state.x[3], 1, "{word:08x} at +{misalignment}");
                assert!(env.mem.iter().all(|&b| b == 0), "{word:08x} at +{misalignment} stored");
            }
        }
    }

    #[test]
    fn unallocated_load_store_encodings_are_undefined() {
        use crate::a64::testenv::trap_of;
        use crate::inst::TrapKind;
        // Words qemu-aarch64 rejects with SIGILL (found by the encoding sweep, testsuite class
        // encodings-ldst) and objdump calls undefined, each next to the allocated form it resembles.
        let words = [
            (0x08fc_6e77, "CASAB with Rt2 = 11011 (0x08fcfe77, CASALB, has 11111)"),
            (0x88a3_27d1, "CAS with Rt2 = 01001"),
            (0x0823_6c00, "CASP with Rt2 = 11011"),
            (0x7c0b_f889, "LDTR-class form of a SIMD&FP register (there is none)"),
            (0xf89b_baf2, "unprivileged form with size 11 and opc 10 (PRFM has no such form)"),
            (0xf89f_0c00, "pre-index form with size 11 and opc 10"),
        ];
        for (word, what) in words {
            assert_eq!(trap_of(word), Some(TrapKind::Undefined), "{what} ({word:08x})");
        }
        // The allocated neighbours still lift: CASALB w28, w23, [x19] and LDTR x1, [x2, #1].
        for word in [0x08fc_fe77u32, 0xf840_1841] {
            assert_eq!(trap_of(word), None, "{word:08x}");
        }
    }
}
