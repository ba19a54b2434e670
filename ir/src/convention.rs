//! The call convention translated code assumes where control crosses a call or a return, and the
//! sets of guest registers it names: which registers are dead at calls and returns under the
//! procedure call standard, which are callee-saved, which travel between translated functions in
//! host registers, and the bit masks the analyses of `sync.rs`, `call_boundaries.rs` and
//! `restores.rs` keep register sets in. `sync.rs` re-exports what the code generator uses.

use std::collections::BTreeSet;

use crate::inst::Terminator;
use crate::reg::Reg;

/// What translated code may assume about the registers at a procedure call (BL, BLR) or return
/// (RET).
///
/// The AArch64 procedure call standard (AAPCS64) passes no value in the condition flags: a callee
/// does not read its caller's NZCV, and a caller does not read NZCV after a call returns (compilers
/// set the flags again before any conditional). It also makes x19-x29 and sp callee-saved: a
/// function returns them as it found them. And it gives the caller-saved registers no meaning
/// beyond arguments and results: a callee reads no scratch register its caller left, and a caller
/// reads none its callee left but the results. `AAPCS64` uses all three: NZCV and the scratch
/// registers (`DEAD_AT_RETURN`, `DEAD_AT_CALL`) are dead where control leaves by a call or a
/// return, so they are neither computed for nor written back there (at a call, only where the
/// caller does not read them itself after it); and after a call returns, the caller goes on with the
/// values of x24-x28 it held before the call instead of reloading them from the state (x19-x23,
/// x29 and sp come back in host registers, exact, `PASSED_IN_REGISTERS`). A return is a RET
/// through x30; a RET through another register is lifted as a jump. The code generator checks
/// that the returned sp is the one the caller holds before it trusts the others (a context switch
/// that comes back to the same return address on another stack, as coroutine libraries do, fails
/// that check and reloads everything). `EXACT` keeps every register exact
/// everywhere and reloads after every call, for hand-written code that passes flags through calls
/// or returns with callee-saved registers changed or hands back results in other registers
/// (vmtrans's `--exact-calls`). System calls, jumps and traps are exact under either convention.
///
/// Code outside the standard is allowed for, function by function (`ir/src/call_boundaries.rs`):
/// LLVM's machine outliner, for one, turns repeated instruction sequences into functions that take
/// their inputs in any register and hand results back in any register, callee-saved ones
/// included. A function's convention says which scratch registers its callees read where they
/// are entered (stored at its calls), which ones its callers read after it returns (stored at its
/// returns), and whether its callees keep x19-x29.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallConvention {
    /// Whether calls and returns follow the procedure call standard (see the type's comment).
    pub follows_aapcs64: bool,
    /// Scratch registers (of `DEAD_AT_CALL`) that this function's callees read on entry.
    pub(crate) read_by_callees: Mask,
    /// Scratch registers (of `DEAD_AT_RETURN`) that this function's callers read after it returns.
    pub(crate) read_by_callers: Mask,
    /// Whether every function this one calls directly returns with x19-x29 as it found them.
    pub(crate) callees_keep_callee_saved: bool,
}

/// The condition flags NZCV.
const FLAG_REGS: [Reg; 4] = [Reg::N, Reg::Z, Reg::C, Reg::V];

/// What AAPCS64 leaves dead where a function returns: the flags and every caller-saved register
/// that carries no result. Results come back in x0 and x1 (a 16-byte composite) and in v0-v3 (a
/// homogeneous aggregate of up to four floating-point or vector members); x2-x18, v4-v7 and
/// v16-v31 hold nothing the caller may read (the caller treats them as clobbered), and v8-v15 stay
/// because their low halves are callee-saved. The exclusive monitor (`EXCLUSIVE`) is dead too.
pub(crate) const DEAD_AT_RETURN: Mask = FLAGS
    | EXCLUSIVE
    | range(Reg::x(2).0, Reg::x(18).0)
    | range(Reg::q(4).0, Reg::q(7).0)
    | range(Reg::q(16).0, Reg::q(31).0);

/// The exclusive monitor's registers. A load-exclusive and the store-exclusive that completes it are
/// in one function (compilers emit the pair together, and the outline atomics helpers hold both), so
/// no caller counts on a reservation its callee left, nor a callee on its caller's: the monitor is
/// dead at calls and returns as the flags are.
const EXCLUSIVE: Mask = 1 << Reg::EXCL_ADDR.0 | 1 << Reg::EXCL_VAL.0 | 1 << Reg::EXCL_VAL_HI.0;

/// What AAPCS64 lets a callee ignore where it is called: the flags and the caller-saved registers
/// that pass no argument. Arguments travel in x0-x7 and v0-v7, the address of a large result in
/// x8, and GCC's static chain of a nested function in x18; a callee saves x19-x29 and the low
/// halves of v8-v15 before it changes them, so it reads those too. That leaves x9-x17 and v16-v31.
/// Unlike a return, a call comes back to the caller, which may still read them after it (GCC's
/// outline atomics helpers, for one, keep x1-x15, and callers may rely on that), so they are dead
/// at a call only where its continuation does not read them before writing them.
pub(crate) const DEAD_AT_CALL: Mask =
    FLAGS | EXCLUSIVE | range(Reg::x(9).0, Reg::x(17).0) | range(Reg::q(16).0, Reg::q(31).0);

/// The registers with numbers `first..=last` as a mask.
pub(crate) const fn range(first: u16, last: u16) -> Mask {
    ((1 << (last + 1)) - 1) & !((1 << first) - 1)
}

/// The registers AAPCS64 makes callee-saved (the frame pointer x29 included), as whole registers:
/// only the low halves of v8-v15 are callee-saved, so the vector registers are not listed.
pub(crate) const CALLEE_SAVED: [Reg; 12] = [
    Reg::x(19),
    Reg::x(20),
    Reg::x(21),
    Reg::x(22),
    Reg::x(23),
    Reg::x(24),
    Reg::x(25),
    Reg::x(26),
    Reg::x(27),
    Reg::x(28),
    Reg::x(29),
    Reg::SP,
];

/// The callee-saved registers that do not travel between translated functions in host registers
/// (`PASSED_IN_REGISTERS`): a callee finds them in the state and, under the procedure call
/// standard, its caller keeps the values it held across the call.
pub(crate) const CALLEE_SAVED_IN_STATE: [Reg; 5] = [Reg::x(24), Reg::x(25), Reg::x(26), Reg::x(27), Reg::x(28)];

const _: () = {
    // Every callee-saved register travels one way or the other, never both.
    let mut i = 0;
    while i < CALLEE_SAVED.len() {
        let r = CALLEE_SAVED[i];
        let (mut passed, mut kept) = (false, false);
        let mut j = 0;
        while j < PASSED_IN_REGISTERS.len() {
            passed |= PASSED_IN_REGISTERS[j].0 == r.0;
            j += 1;
        }
        j = 0;
        while j < CALLEE_SAVED_IN_STATE.len() {
            kept |= CALLEE_SAVED_IN_STATE[j].0 == r.0;
            j += 1;
        }
        assert!(passed != kept);
        i += 1;
    }
};

impl CallConvention {
    /// Every register exact at every exit, and everything reloaded after a call.
    pub const EXACT: CallConvention = CallConvention {
        follows_aapcs64: false,
        read_by_callees: 0,
        read_by_callers: 0,
        callees_keep_callee_saved: false,
    };
    /// The procedure call standard: NZCV dead at calls and returns, x19-x29 and sp kept across calls.
    pub const AAPCS64: CallConvention = CallConvention {
        follows_aapcs64: true,
        read_by_callees: 0,
        read_by_callers: 0,
        callees_keep_callee_saved: true,
    };

    /// Whether this is the standard with no function-specific exceptions.
    pub fn is_standard(&self) -> bool {
        *self == CallConvention::AAPCS64
    }

    /// The registers that no code but the continuation of a call reads after control leaves at
    /// `term`: at a return, the flags and the caller-saved registers that carry no result
    /// (`DEAD_AT_RETURN`); at a call, the flags and the caller-saved registers that pass no argument
    /// (`DEAD_AT_CALL`), which the caller's own continuation may still read; nothing elsewhere and
    /// nothing under `EXACT`.
    pub fn dead_after(&self, term: &Terminator) -> BTreeSet<Reg> {
        to_set(self.dead_mask(term))
    }

    pub(crate) fn dead_mask(&self, term: &Terminator) -> Mask {
        match term {
            _ if !self.follows_aapcs64 => 0,
            Terminator::Return { .. } => DEAD_AT_RETURN & !self.read_by_callers,
            Terminator::CallGuest { .. } | Terminator::CallIndirect { .. } => DEAD_AT_CALL & !self.read_by_callees,
            _ => 0,
        }
    }

    /// The registers whose values before the call ending with `term` the caller keeps using after
    /// it returns (once the returned sp has been checked), rather than reloading them: the
    /// callee-saved registers that do not travel in host registers (`CALLEE_SAVED_IN_STATE`);
    /// empty for anything but a call, and for every call under `EXACT`.
    pub fn kept_across(&self, term: &Terminator) -> &'static [Reg] {
        let call = matches!(term, Terminator::CallGuest { .. } | Terminator::CallIndirect { .. });
        if call && self.follows_aapcs64 && self.callees_keep_callee_saved {
            &CALLEE_SAVED_IN_STATE
        } else {
            &[]
        }
    }
}

/// The guest registers translated functions pass to each other in host registers, in the order
/// of the arguments after the state and the pc: a call or a jump to another function's translation
/// hands over x0, sp, x30 (lr), x19-x23 and x29 (fp) as arguments, and a return hands back all of
/// them but x30 (`RETURNED_IN_REGISTERS`) with the pc. So a call and a return need no memory
/// traffic for the argument, the stack pointer, the return address and the callee-saved registers
/// compiled code uses most (GCC and LLVM allocate x19 upwards, and keep the frame pointer in x29):
/// a callee saves what it was handed on the guest stack and puts back into the return values what
/// it restores, as a native prologue and epilogue would. Eleven values each way is what LLVM's
/// `x86_regcallcc` passes in host registers, the state and the pc included.
///
/// They travel *only* in host registers: their state fields may be stale where a function is
/// entered (at its entry or a resume point) and after a call returns, and the function that leaves
/// by a call, a jump to another function or a return does not store them (so they are dirty there,
/// and used as arguments or results). The returned values are the callee's own, exact whatever the
/// callee did, so the caller goes on with them and needs no convention to trust them. A return
/// hands back x30 as the pc it returns to: a RET goes to x30, so after a call whose returned pc is
/// the call's return address, the caller knows x30 without reading anything (the code generator
/// gives it that constant). The state's sp may so lag behind the guest's sp, but it is never above
/// it: a write that lowers sp is stored at once (`sync::stack_pointer_raises`). Whatever enters
/// translated code from the runtime passes the state's values and stores back what is returned,
/// and what comes back to the runtime says whether the state holds the exact pc and x30
/// (`PC_IN_STATE`).
pub const PASSED_IN_REGISTERS: [Reg; 9] =
    [RESULT_REGISTER, Reg::SP, Reg::x(30), Reg::x(19), Reg::x(20), Reg::x(21), Reg::x(22), Reg::x(23), Reg::x(29)];

/// The registers of `PASSED_IN_REGISTERS` a return hands back (with the pc): all but x30, which is
/// the pc.
pub const RETURNED_IN_REGISTERS: [Reg; 8] =
    [RESULT_REGISTER, Reg::SP, Reg::x(19), Reg::x(20), Reg::x(21), Reg::x(22), Reg::x(23), Reg::x(29)];

/// The register a translated function's return hands back as its result, beside the pc.
pub const RESULT_REGISTER: Reg = Reg::x(0);

/// The pc a translated function (or `vmtrans_dispatch`) returns to say that the state holds the
/// exact pc and x30, as after a system call or a signal handler moved the pc (x30 is then another
/// value). Any other returned pc is also x30's value (the function returned by RET, which goes to
/// x30), and the receiver writes it to the state's x30, which the returning code left stale. A RET
/// whose x30 is this very value stores both in the state first, so the rule holds for every
/// address. It is no user-space address (the kernel's half, and misaligned), so it never equals
/// a caller's return address, and a caller that checks for one hands the pair on to the runtime.
pub const PC_IN_STATE: u64 = 0xffff_ffff_ffff_fffd;

/// The condition flags NZCV as a mask.
pub(crate) const FLAGS: Mask = mask_of(&FLAG_REGS);

/// A set of registers as a bit mask (there are fewer than 128).
pub(crate) type Mask = u128;
const _: () = assert!(Reg::COUNT <= 128);

pub(crate) fn bit(r: Reg) -> Mask {
    1 << r.0
}

/// `regs` as a mask, for constants.
pub(crate) const fn mask_of(regs: &[Reg]) -> Mask {
    let mut mask = 0;
    let mut i = 0;
    while i < regs.len() {
        mask |= 1 << regs[i].0;
        i += 1;
    }
    mask
}

pub(crate) fn to_set(m: Mask) -> BTreeSet<Reg> {
    Reg::all().filter(|&r| m & bit(r) != 0).collect()
}
