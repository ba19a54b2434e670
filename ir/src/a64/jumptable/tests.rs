//! Jump-table recovery on small hand-assembled functions: each test lifts one with its table in
//! read-only memory and checks the targets recovered (or that none are, where none can be).

use super::*;
use crate::a64::lift_function;

/// Code at 0x1000 and a read-only byte table at 0x2010.
struct Source {
    code: Vec<u32>,
    table: Vec<u8>,
}

impl CodeSource for Source {
    fn insn(&self, addr: u64) -> Option<u32> {
        let index = addr.checked_sub(0x1000)? / 4;
        (addr % 4 == 0).then_some(())?;
        self.code.get(index as usize).copied()
    }
    fn rodata(&self, addr: u64, bytes: usize) -> Option<u128> {
        let start = addr.checked_sub(0x2010)? as usize;
        let slice = self.table.get(start..start.checked_add(bytes)?)?;
        Some(slice.iter().rev().fold(0u128, |acc, &b| acc << 8 | b as u128))
    }
}

/// clang's compact jump table: the table holds byte offsets (in instructions) from a base label,
/// its address sits in a callee-saved register set up in the prologue, and the guard compares
/// the whole 64-bit index (`cmp x1, #3; b.hi default`).
fn compact_table_function(load: u32, compare: u32) -> Source {
    Source {
        code: vec![
            0xb000_0019, // adrp x25, 0x2000
            0x9100_4339, // add x25, x25, #0x10
            load,        // ldr x1, [x0] (or ldr w1, [x0])
            compare,     // cmp x1, #3 (or cmp w1, #3)
            0x5400_0168, // b.hi 0x103c
            0x1000_008a, // adr x10, 0x1024
            0x3861_6b2b, // ldrb w11, [x25, x1]
            0x8b0b_094a, // add x10, x10, x11, lsl #2
            0xd61f_0140, // br x10
            0xd280_0140, // 0x1024: mov x0, #10
            0xd65f_03c0, // ret
            0xd280_0160, // 0x102c: mov x0, #11
            0xd65f_03c0, // ret
            0xd280_0180, // 0x1034: mov x0, #12
            0xd65f_03c0, // ret
            0xd280_01a0, // 0x103c: mov x0, #13 (the default)
            0xd65f_03c0, // ret
        ],
        table: vec![0, 2, 4, 2],
    }
}

fn recovered_targets(src: &Source) -> (Vec<u64>, Vec<u64>) {
    let end = 0x1000 + 4 * src.code.len() as u64;
    let lifted = lift_function("f", 0x1000, src, &|a| (0x1000..end).contains(&a), &[]).expect("liftable");
    let targets = lifted.func.indirect_targets.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    (targets, lifted.unresolved_jumps)
}

/// A table base set up in the prologue and spilled to the frame across a call, which may
/// change every scratch register, then loaded back before the dispatch (GCC in a large
/// function short of registers: SQLite's bytecode loop).
fn spilled_base_function(respill: u32) -> Source {
    Source {
        code: vec![
            0xd100_83ff, // sub sp, sp, #32
            0xb000_0009, // adrp x9, 0x2000
            0x9100_4129, // add x9, x9, #0x10
            0xf900_0be9, // str x9, [sp, #16]
            0x9400_01fc, // bl 0x1800
            respill,     // nop (or a store of something else into the slot)
            0xb940_0001, // ldr w1, [x0]
            0x7100_0c3f, // cmp w1, #3
            0x5400_0188, // b.hi 0x1050
            0xf940_0be9, // ldr x9, [sp, #16]
            0x1000_008a, // adr x10, 0x1038
            0x3861_692b, // ldrb w11, [x9, x1]
            0x8b0b_094a, // add x10, x10, x11, lsl #2
            0xd61f_0140, // br x10
            0xd280_0140, // 0x1038: mov x0, #10
            0x1400_0006, // b 0x1054
            0xd280_0160, // 0x1040: mov x0, #11
            0x1400_0004, // b 0x1054
            0xd280_0180, // 0x1048: mov x0, #12
            0x1400_0002, // b 0x1054
            0xd280_01a0, // 0x1050: mov x0, #13 (the default)
            0x9100_83ff, // 0x1054: add sp, sp, #32
            0xd65f_03c0, // ret
        ],
        table: vec![0, 2, 4, 2],
    }
}

#[test]
fn a_table_base_spilled_to_the_frame_is_recovered() {
    let src = spilled_base_function(0xd503_201f);
    let (targets, unresolved) = recovered_targets(&src);
    assert_eq!(targets, vec![0x1038, 0x1040, 0x1048]);
    assert!(unresolved.is_empty());
}

#[test]
fn a_frame_slot_overwritten_with_an_unknown_value_is_not_a_table_base() {
    // `str x0, [sp, #16]` after the call replaces the base with the call's result.
    let src = spilled_base_function(0xf900_0be0);
    let (targets, unresolved) = recovered_targets(&src);
    assert!(targets.is_empty(), "{targets:#x?}");
    assert_eq!(unresolved, vec![0x1034]);
}

#[test]
fn a_table_of_code_addresses_is_scanned_whole() {
    // CPython's dispatch: the index is the opcode, or 3 when a flag in memory is set, which
    // every probe with random memory sees set; the whole table is read all the same.
    let entries: [u64; 4] = [0x1028, 0x1030, 0x1038, 0x1040];
    let src = Source {
        code: vec![
            0x7940_0281, // ldrh w1, [x20]
            0x3940_0003, // ldrb w3, [x0]
            0x7100_003f, // cmp w1, #0
            0x5a9f_03e4, // csetm w4, ne
            0x2a04_0063, // orr w3, w3, w4
            0x9240_0463, // and x3, x3, #0x3
            0xb000_0009, // adrp x9, 0x2000
            0x9100_4129, // add x9, x9, #0x10
            0xf863_7922, // ldr x2, [x9, x3, lsl #3]
            0xd61f_0040, // br x2
            0xd280_0140, // 0x1028: mov x0, #10
            0xd65f_03c0, // ret
            0xd280_0160, // 0x1030: mov x0, #11
            0xd65f_03c0, // ret
            0xd280_0180, // 0x1038: mov x0, #12
            0xd65f_03c0, // ret
            0xd280_01a0, // 0x1040: mov x0, #13
            0xd65f_03c0, // ret
        ],
        table: entries.iter().flat_map(|e| e.to_le_bytes()).collect(),
    };
    let (targets, unresolved) = recovered_targets(&src);
    assert_eq!(targets, entries.to_vec());
    assert!(unresolved.is_empty());
}

#[test]
fn an_unrecovered_jump_gets_the_targets_of_the_functions_tables() {
    // Two dispatches through the same labels; the second's table base comes from memory.
    let entries: [u64; 4] = [0x1028, 0x1030, 0x1038, 0x1040];
    let src = Source {
        code: vec![
            0xb000_0009, // adrp x9, 0x2000
            0x9100_4129, // add x9, x9, #0x10
            0xb940_0001, // ldr w1, [x0]
            0x7100_0c3f, // cmp w1, #3
            0x5400_0068, // b.hi 0x101c
            0xf861_7922, // ldr x2, [x9, x1, lsl #3]
            0xd61f_0040, // br x2
            0xf940_0409, // 0x101c: ldr x9, [x0, #8]
            0xf861_7922, // ldr x2, [x9, x1, lsl #3]
            0xd61f_0040, // 0x1024: br x2
            0xd280_0140, // 0x1028: mov x0, #10
            0xd65f_03c0, // ret
            0xd280_0160, // 0x1030: mov x0, #11
            0xd65f_03c0, // ret
            0xd280_0180, // 0x1038: mov x0, #12
            0xd65f_03c0, // ret
            0xd280_01a0, // 0x1040: mov x0, #13
            0xd65f_03c0, // ret
        ],
        table: entries.iter().flat_map(|e| e.to_le_bytes()).collect(),
    };
    let end = 0x1000 + 4 * src.code.len() as u64;
    let lifted = lift_function("f", 0x1000, &src, &|a| (0x1000..end).contains(&a), &[]).expect("liftable");
    assert!(lifted.unresolved_jumps.is_empty());
    assert_eq!(lifted.guessed_jumps.iter().map(|&(_, pc)| pc).collect::<Vec<_>>(), vec![0x1024]);
    assert_eq!(lifted.func.indirect_targets.len(), 2);
    for (_, targets) in &lifted.func.indirect_targets {
        assert_eq!(targets, &entries.to_vec());
    }
}

#[test]
fn a_call_that_does_not_return_leaves_a_loops_table_base_known() {
    // The table base lives in scratch register x3 across the loop; the code after a call of a
    // function that does not return jumps back into the loop without setting it.
    let src = Source {
        code: vec![
            0xb000_0003, // adrp x3, 0x2000
            0x9100_4063, // add x3, x3, #0x10
            0xb840_4401, // 0x1008: ldr w1, [x0], #4
            0x7100_0c3f, // cmp w1, #3
            0x5400_00a8, // b.hi 0x1024
            0x1000_010a, // adr x10, 0x1034
            0x3861_686b, // ldrb w11, [x3, x1]
            0x8b0b_094a, // add x10, x10, x11, lsl #2
            0xd61f_0140, // br x10
            0x3400_0061, // 0x1024: cbz w1, 0x1030
            0x9400_01f6, // bl 0x1800 (does not return)
            0x17ff_fff7, // b 0x1008
            0xd65f_03c0, // 0x1030: ret
            0x17ff_fff5, // 0x1034: b 0x1008
            0x17ff_fff4, // b 0x1008
            0x17ff_fff3, // b 0x1008
            0xd65f_03c0, // 0x1040: ret
        ],
        table: vec![0, 1, 2, 3],
    };
    let (targets, unresolved) = recovered_targets(&src);
    assert_eq!(targets, vec![0x1034, 0x1038, 0x103c, 0x1040]);
    assert!(unresolved.is_empty());
}

#[test]
fn a_compact_table_behind_a_64_bit_guard_is_recovered() {
    let src = compact_table_function(0xf940_0001, 0xf100_0c3f);
    let (targets, unresolved) = recovered_targets(&src);
    assert_eq!(targets, vec![0x1024, 0x102c, 0x1034]);
    assert!(unresolved.is_empty());
}

#[test]
fn a_32_bit_guard_does_not_bound_a_64_bit_index() {
    // `cmp w1, #3` says nothing of x1's upper half, which the load adds to the table address.
    let src = compact_table_function(0xf940_0001, 0x7100_0c3f);
    let (targets, unresolved) = recovered_targets(&src);
    assert!(targets.is_empty(), "{targets:#x?}");
    assert_eq!(unresolved, vec![0x1020]);
}

#[test]
fn a_32_bit_guard_bounds_an_index_written_as_a_w_register() {
    // `ldr w1, [x0]` zeroes x1's upper half, so `cmp w1, #3` bounds all of x1.
    let src = compact_table_function(0xb940_0001, 0x7100_0c3f);
    let (targets, unresolved) = recovered_targets(&src);
    assert_eq!(targets, vec![0x1024, 0x102c, 0x1034]);
    assert!(unresolved.is_empty());
}

#[test]
fn a_guard_on_the_register_copied_into_the_index_bounds_the_copy() {
    // OpenSSL's `EVP_CIPHER_CTX_ctrl`: `mov w5, w1; cmp w1, #0x27; b.ls table`, and the table is
    // indexed by x5, whose upper half the W move zeroed.
    let src = Source {
        code: vec![
            0xb000_0019, // adrp x25, 0x2000
            0x9100_4339, // add x25, x25, #0x10
            0xf940_0001, // ldr x1, [x0]
            0x2a01_03e5, // mov w5, w1
            0x7100_0c3f, // cmp w1, #3
            0x5400_0168, // b.hi 0x1040
            0x1000_008a, // adr x10, 0x1028
            0x3865_6b2b, // ldrb w11, [x25, x5]
            0x8b0b_094a, // add x10, x10, x11, lsl #2
            0xd61f_0140, // br x10
            0xd280_0140, // 0x1028: mov x0, #10
            0xd65f_03c0, // ret
            0xd280_0160, // 0x1030: mov x0, #11
            0xd65f_03c0, // ret
            0xd280_0180, // 0x1038: mov x0, #12
            0xd65f_03c0, // ret
            0xd280_01a0, // 0x1040: mov x0, #13 (the default)
            0xd65f_03c0, // ret
        ],
        table: vec![0, 2, 4, 2],
    };
    let (targets, unresolved) = recovered_targets(&src);
    assert_eq!(targets, vec![0x1028, 0x1030, 0x1038]);
    assert!(unresolved.is_empty());
}

/// `Source` that also knows the functions that never return.
struct KnowingNoReturn<'a> {
    src: &'a Source,
    never: u64,
}

impl CodeSource for KnowingNoReturn<'_> {
    fn insn(&self, addr: u64) -> Option<u32> {
        self.src.insn(addr)
    }
    fn rodata(&self, addr: u64, bytes: usize) -> Option<u128> {
        self.src.rodata(addr, bytes)
    }
    fn never_returns(&self, addr: u64) -> bool {
        addr == self.never
    }
}

#[test]
fn code_after_a_call_known_never_to_return_does_not_reach_the_table() {
    // The base lives in callee-saved x25; the path to the call that never returns loads x25 from
    // memory first (GCC restores the caller's registers before `bl __stack_chk_fail`) and the code
    // after the call jumps back into the loop. Only knowing that the call never returns keeps x25.
    let src = Source {
        code: vec![
            0xb000_0019, // adrp x25, 0x2000
            0x9100_4339, // add x25, x25, #0x10
            0xb840_4401, // 0x1008: ldr w1, [x0], #4
            0x7100_0c3f, // cmp w1, #3
            0x5400_00a8, // b.hi 0x1024
            0x1000_012a, // adr x10, 0x1038
            0x3861_6b2b, // ldrb w11, [x25, x1]
            0x8b0b_094a, // add x10, x10, x11, lsl #2
            0xd61f_0140, // br x10
            0x3400_0081, // 0x1024: cbz w1, 0x1034
            0xf940_0019, // ldr x25, [x0]
            0x9400_01f5, // bl 0x1800 (never returns)
            0x17ff_fff6, // b 0x1008
            0xd65f_03c0, // 0x1034: ret
            0x17ff_fff4, // 0x1038: b 0x1008
            0x17ff_fff3, // b 0x1008
            0x17ff_fff2, // b 0x1008
            0xd65f_03c0, // 0x1044: ret
        ],
        table: vec![0, 1, 2, 3],
    };
    let (targets, unresolved) = recovered_targets(&src);
    assert!(targets.is_empty() && unresolved == vec![0x1020], "{targets:#x?} {unresolved:#x?}");
    let knowing = KnowingNoReturn { src: &src, never: 0x1800 };
    let end = 0x1000 + 4 * src.code.len() as u64;
    let lifted = lift_function("f", 0x1000, &knowing, &|a| (0x1000..end).contains(&a), &[]).expect("liftable");
    let targets: Vec<u64> = lifted.func.indirect_targets.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    assert_eq!(targets, vec![0x1038, 0x103c, 0x1040, 0x1044]);
    assert!(lifted.unresolved_jumps.is_empty());
}
