//! Generators of the Advanced SIMD groups that combine lanes of two sizes or pick one lane:
//! three-different (the long, wide and narrowing adds and subtracts, absolute differences,
//! multiplies and saturating doubling multiplies, PMULL on bytes), three-same-extra (SQRDMLAH,
//! SQRDMLSH, SDOT, UDOT, USDOT, SMMLA, UMMLA, USMMLA) and integer by-element multiplies (MUL,
//! MLA, MLS, the long and saturating ones, SQRDMLAH/SQRDMLSH, SDOT/UDOT, SUDOT/USDOT). Every
//! allocated opcode of each group is drawn, on its valid sizes; Q picks the upper half of the
//! narrow operand for the "2" forms.

use crate::difftest::case::MachineState;
use crate::difftest::gen::{pick_sized, vreg, Class, Shape};
use crate::difftest::rng::Rng;

/// Three registers of different lane sizes.
fn three_different(rng: &mut Rng, _: &mut MachineState) -> u32 {
    const OPS: &[(u32, u32, u32, u32)] = &[
        (0, 0b0000, 0, 2), // SADDL
        (1, 0b0000, 0, 2), // UADDL
        (0, 0b0001, 0, 2), // SADDW
        (1, 0b0001, 0, 2), // UADDW
        (0, 0b0010, 0, 2), // SSUBL
        (1, 0b0010, 0, 2), // USUBL
        (0, 0b0011, 0, 2), // SSUBW
        (1, 0b0011, 0, 2), // USUBW
        (0, 0b0100, 0, 2), // ADDHN
        (1, 0b0100, 0, 2), // RADDHN
        (0, 0b0101, 0, 2), // SABAL
        (1, 0b0101, 0, 2), // UABAL
        (0, 0b0110, 0, 2), // SUBHN
        (1, 0b0110, 0, 2), // RSUBHN
        (0, 0b0111, 0, 2), // SABDL
        (1, 0b0111, 0, 2), // UABDL
        (0, 0b1000, 0, 2), // SMLAL
        (1, 0b1000, 0, 2), // UMLAL
        (0, 0b1001, 1, 2), // SQDMLAL
        (0, 0b1010, 0, 2), // SMLSL
        (1, 0b1010, 0, 2), // UMLSL
        (0, 0b1011, 1, 2), // SQDMLSL
        (0, 0b1100, 0, 2), // SMULL
        (1, 0b1100, 0, 2), // UMULL
        (0, 0b1101, 1, 2), // SQDMULL
        (0, 0b1110, 0, 0), // PMULL (bytes)
    ];
    let (u, opcode, size) = pick_sized(rng, OPS);
    0x0e20_0000 | rng.bits(1) << 30 | u << 29 | size << 22 | vreg(rng) << 16 | opcode << 12 | vreg(rng) << 5 | vreg(rng)
}

/// SQRDMLAH and SQRDMLSH (16- and 32-bit lanes), SDOT, UDOT and USDOT (bytes into 32-bit
/// lanes), and the 8-bit matrix multiplies SMMLA, UMMLA and USMMLA (Q = 1 only).
fn three_same_extra(rng: &mut Rng, _: &mut MachineState) -> u32 {
    let mut q = rng.bits(1);
    let (u, opcode, size) = match rng.below(4) {
        0 | 1 => (1, rng.bits(1), rng.range(1, 2) as u32),
        2 => {
            let (u, opcode) = rng.pick(&[(0u32, 0b0010u32), (1, 0b0010), (0, 0b0011)]);
            (u, opcode, 2)
        }
        _ => {
            q = 1;
            let (u, opcode) = rng.pick(&[(0u32, 0b0100u32), (1, 0b0100), (0, 0b0101)]);
            (u, opcode, 2)
        }
    };
    0x0e00_8400 | q << 30 | u << 29 | size << 22 | vreg(rng) << 16 | opcode << 11 | vreg(rng) << 5 | vreg(rng)
}

/// Integer multiplies by one element of the second operand. With 16-bit lanes the index is
/// H:L:M and the element register v0-v15; with 32-bit lanes the index is H:L and M is the
/// register's top bit, so five random bits from bit 16 cover both.
fn by_element(rng: &mut Rng, _: &mut MachineState) -> u32 {
    const OPS: &[(u32, u32, u32, u32)] = &[
        (1, 0b0000, 1, 2), // MLA
        (0, 0b0010, 1, 2), // SMLAL
        (1, 0b0010, 1, 2), // UMLAL
        (0, 0b0011, 1, 2), // SQDMLAL
        (1, 0b0100, 1, 2), // MLS
        (0, 0b0110, 1, 2), // SMLSL
        (1, 0b0110, 1, 2), // UMLSL
        (0, 0b0111, 1, 2), // SQDMLSL
        (0, 0b1000, 1, 2), // MUL
        (0, 0b1010, 1, 2), // SMULL
        (1, 0b1010, 1, 2), // UMULL
        (0, 0b1011, 1, 2), // SQDMULL
        (0, 0b1100, 1, 2), // SQDMULH
        (0, 0b1101, 1, 2), // SQRDMULH
        (1, 0b1101, 1, 2), // SQRDMLAH
        (1, 0b1111, 1, 2), // SQRDMLSH
        (0, 0b1110, 2, 2), // SDOT
        (1, 0b1110, 2, 2), // UDOT
        (0, 0b1111, 0, 0), // SUDOT
        (0, 0b1111, 2, 2), // USDOT
    ];
    let (u, opcode, size) = pick_sized(rng, OPS);
    0x0f00_0000
        | rng.bits(1) << 30
        | u << 29
        | size << 22
        | rng.bits(1) << 21
        | rng.bits(5) << 16
        | opcode << 12
        | rng.bits(1) << 11
        | vreg(rng) << 5
        | vreg(rng)
}

/// The classes.
pub const CLASSES: &[Class] = &[
    Class { name: "simd-3diff", shape: Shape::Seq { max: 12, gens: &[three_different, three_same_extra] } },
    Class { name: "simd-elem", shape: Shape::Seq { max: 12, gens: &[by_element] } },
];
