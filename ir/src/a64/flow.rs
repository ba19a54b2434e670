//! Control-flow classification of one instruction, for code discovery: which instructions end a
//! basic block and where they may go. It reads only the branch encodings; everything else is
//! `Flow::Next`.

/// How an instruction at `pc` passes control on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Falls through to `pc + 4`.
    Next,
    /// B.cond, CBZ/CBNZ, TBZ/TBNZ: to `target` or to `pc + 4`.
    CondBranch { target: u64 },
    /// B: to `target` only.
    Branch { target: u64 },
    /// BL: calls `target`, returns to `pc + 4`.
    Call { target: u64 },
    /// BLR and its authenticated forms: calls a register's address, returns to `pc + 4`.
    CallIndirect,
    /// BR and its authenticated forms.
    JumpIndirect,
    /// RET and its authenticated forms.
    Return,
    /// SVC: a system call, then `pc + 4`.
    Syscall,
    /// UDF, BRK, HLT and unallocated: control does not go on.
    Stop,
}

fn sext(x: u32, bits: u32) -> i64 {
    ((x as i64) << (64 - bits)) >> (64 - bits)
}

/// Classifies the instruction `insn` at `pc`.
pub fn classify(insn: u32, pc: u64) -> Flow {
    let rel = |imm: u32, bits: u32| pc.wrapping_add((sext(imm, bits) << 2) as u64);
    match insn >> 26 {
        0b000101 => return Flow::Branch { target: rel(insn & 0x03ff_ffff, 26) },
        0b100101 => return Flow::Call { target: rel(insn & 0x03ff_ffff, 26) },
        _ => {}
    }
    if insn & 0xff00_0010 == 0x5400_0000 {
        return Flow::CondBranch { target: rel((insn >> 5) & 0x7ffff, 19) };
    }
    if insn & 0x7e00_0000 == 0x3400_0000 {
        return Flow::CondBranch { target: rel((insn >> 5) & 0x7ffff, 19) };
    }
    if insn & 0x7e00_0000 == 0x3600_0000 {
        return Flow::CondBranch { target: rel((insn >> 5) & 0x3fff, 14) };
    }
    if insn & 0xffe0_001f == 0xd400_0001 {
        return Flow::Syscall;
    }
    if insn & 0xffe0_001f == 0xd420_0000 || insn & 0xffe0_001f == 0xd440_0000 || insn & 0xffff_0000 == 0 {
        return Flow::Stop;
    }
    // Unconditional branch (register): 1101011 opc:4 op2:5 op3:6 Rn op4.
    if insn & 0xfe00_0000 == 0xd600_0000 {
        let opc = (insn >> 21) & 0xf;
        return match opc {
            0b0000 | 0b1000 => Flow::JumpIndirect,
            0b0001 | 0b1001 => Flow::CallIndirect,
            0b0010 => Flow::Return,
            _ => Flow::Next,
        };
    }
    Flow::Next
}
