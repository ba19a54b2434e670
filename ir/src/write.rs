//! The text form of the IR, as golden tests and `--emit-ir` show it.
//!
//! One instruction a line: `v3 = add.i64 v1, v2`. Every instruction that has a result names its
//! type after the opcode (and after any modifiers, such as the comparison of `icmp.ult.i1`), so
//! a line can be read back without looking elsewhere; `crate::reader` parses exactly this form.

use std::fmt::{self, Write};

use crate::entities::Value;
use crate::function::Function;
use crate::inst::{InstData, Terminator};

/// Writes a whole function.
pub fn write_function(out: &mut impl Write, func: &Function) -> fmt::Result {
    writeln!(out, "function {} @{:#x} {{", func.name, func.entry_addr)?;
    for (addr, block) in &func.resume_points {
        writeln!(out, "    resume {addr:#x} {block}")?;
    }
    for (block, targets) in &func.indirect_targets {
        let list: Vec<String> = targets.iter().map(|t| format!("{t:#x}")).collect();
        writeln!(out, "    targets {block} {}", list.join(", "))?;
    }
    for (block, data) in func.blocks() {
        match data.guest_addr {
            Some(a) => writeln!(out, "{block} @{a:#x}:")?,
            None => writeln!(out, "{block}:")?,
        }
        for &v in &data.insts {
            out.write_str("    ")?;
            write_inst(out, func, v)?;
            out.write_char('\n')?;
        }
        out.write_str("    ")?;
        write_terminator(out, &data.term)?;
        out.write_char('\n')?;
    }
    writeln!(out, "}}")
}

/// Writes one instruction (without indentation or newline).
pub fn write_inst(out: &mut impl Write, func: &Function, v: Value) -> fmt::Result {
    let data = func.inst(v);
    let ty = func.results[v.index()];
    if ty.is_some() {
        write!(out, "{v} = ")?;
    }
    let ty = ty.map(|t| t.to_string()).unwrap_or_default();
    match data {
        InstData::Const { bits, .. } => write!(out, "const.{ty} {bits:#x}"),
        InstData::GetReg { reg } => write!(out, "getreg.{ty} {reg}"),
        InstData::SetReg { reg, arg } => write!(out, "setreg {reg}, {arg}"),
        InstData::Load { addr, .. } => write!(out, "load.{ty} {addr}"),
        InstData::Store { addr, arg } => write!(out, "store {addr}, {arg}"),
        InstData::Unary { op, arg } => write!(out, "{}.{ty} {arg}", op.name()),
        InstData::Binary { op, args } => write!(out, "{}.{ty} {}, {}", op.name(), args[0], args[1]),
        InstData::Select { cond, args } => write!(out, "select.{ty} {cond}, {}, {}", args[0], args[1]),
        InstData::Fma { args } => write!(out, "fma.{ty} {}, {}, {}", args[0], args[1], args[2]),
        InstData::Icmp { cc, args } => write!(out, "icmp.{}.{ty} {}, {}", cc.name(), args[0], args[1]),
        InstData::Fcmp { cc, args } => write!(out, "fcmp.{}.{ty} {}, {}", cc.name(), args[0], args[1]),
        InstData::Convert { op, arg, .. } => write!(out, "{}.{ty} {arg}", op.name()),
        InstData::FpToInt { signed, round, arg, .. } => {
            let s = if *signed { "s" } else { "u" };
            write!(out, "fp_to_int.{s}.{}.{ty} {arg}", round.name())
        }
        InstData::RoundFp { round, arg } => write!(out, "round_fp.{}.{ty} {arg}", round.name()),
        InstData::Extract { lane, arg } => write!(out, "extract.{lane}.{ty} {arg}"),
        InstData::Insert { lane, args } => write!(out, "insert.{lane}.{ty} {}, {}", args[0], args[1]),
        InstData::Splat { arg, .. } => write!(out, "splat.{ty} {arg}"),
        InstData::Shuffle { mask, args } => {
            let m: Vec<String> = mask.iter().map(|x| x.to_string()).collect();
            write!(out, "shuffle.{ty} [{}] {}, {}", m.join(" "), args[0], args[1])
        }
        InstData::AtomicRmw { op, addr, arg } => write!(out, "atomic_rmw.{}.{ty} {addr}, {arg}", op.name()),
        InstData::Cmpxchg { addr, args } => write!(out, "cmpxchg.{ty} {addr}, {}, {}", args[0], args[1]),
        InstData::Fence => write!(out, "fence"),
        InstData::CallHelper { helper, args } => {
            let a: Vec<String> = args.iter().map(|x| x.to_string()).collect();
            write!(out, "call_helper.{}.{ty} {}", helper.name(), a.join(", "))
        }
    }
}

/// Writes a terminator (without indentation or newline).
pub fn write_terminator(out: &mut impl Write, term: &Terminator) -> fmt::Result {
    match term {
        Terminator::None => write!(out, "<no terminator>"),
        Terminator::Jump { dest } => write!(out, "jump {dest}"),
        Terminator::Branch { cond, then_dest, else_dest } => write!(out, "branch {cond}, {then_dest}, {else_dest}"),
        Terminator::CallGuest { target, ret_addr, cont } => {
            write!(out, "call_guest {target:#x}, ret {ret_addr:#x}, {cont}")
        }
        Terminator::CallIndirect { target, ret_addr, cont } => {
            write!(out, "call_indirect {target}, ret {ret_addr:#x}, {cont}")
        }
        Terminator::Return { target } => write!(out, "return {target}"),
        Terminator::JumpGuest { target } => write!(out, "jump_guest {target:#x}"),
        Terminator::JumpIndirect { target } => write!(out, "jump_indirect {target}"),
        Terminator::Syscall { pc, cont } => write!(out, "syscall {pc:#x}, {cont}"),
        Terminator::Trap { kind, pc, insn } => write!(out, "trap.{} {pc:#x}, {insn:#010x}", kind.name()),
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_function(f, self)
    }
}
