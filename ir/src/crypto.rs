//! The meaning of the IR's cryptographic primitives (`aes_*` and `clmul`/`clmulhi`), as plain
//! functions on bits: the interpreter evaluates them with these, and the unit tests below check
//! them against FIPS-197's worked examples. An AES state is 16 bytes in FIPS-197's order (byte
//! `4c + r` is row r of column c), the order AArch64's AES instructions and x86's AES-NI both use,
//! held little-endian in a `u128` (byte 0 lowest).

use std::sync::OnceLock;

/// The AES S-box and its inverse, computed once from their definition.
fn sboxes() -> &'static ([u8; 256], [u8; 256]) {
    static TABLES: OnceLock<([u8; 256], [u8; 256])> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut forward = [0u8; 256];
        for (x, out) in forward.iter_mut().enumerate() {
            // The inverse in GF(2^8) (0 for 0), then the affine map.
            let inv = (1..=255u8).find(|&y| gf_mul(x as u8, y) == 1).unwrap_or(0);
            *out = inv ^ inv.rotate_left(1) ^ inv.rotate_left(2) ^ inv.rotate_left(3) ^ inv.rotate_left(4) ^ 0x63;
        }
        let mut inverse = [0u8; 256];
        for (x, &y) in forward.iter().enumerate() {
            inverse[y as usize] = x as u8;
        }
        (forward, inverse)
    })
}

/// The product of `a` and `b` in AES's field GF(2^8) (modulo x^8 + x^4 + x^3 + x + 1).
fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            r ^= a;
        }
        a = (a << 1) ^ if a & 0x80 != 0 { 0x1b } else { 0 };
        b >>= 1;
    }
    r
}

fn bytes(state: u128) -> [u8; 16] {
    state.to_le_bytes()
}

fn state(bytes: [u8; 16]) -> u128 {
    u128::from_le_bytes(bytes)
}

/// ShiftRows then SubBytes (the two commute): row r of the result takes column c + r.
pub fn shift_sub(x: u128) -> u128 {
    let (sbox, _) = sboxes();
    let b = bytes(x);
    state(std::array::from_fn(|i| sbox[b[(i + 4 * (i % 4)) % 16] as usize]))
}

/// InvShiftRows then InvSubBytes: row r of the result takes column c - r.
pub fn inv_shift_sub(x: u128) -> u128 {
    let (_, inverse) = sboxes();
    let b = bytes(x);
    state(std::array::from_fn(|i| inverse[b[(i + 16 - 4 * (i % 4)) % 16] as usize]))
}

/// Multiplies every column by the polynomial whose coefficients, from row 0's, are `m`.
fn mix_with(x: u128, m: [u8; 4]) -> u128 {
    let b = bytes(x);
    state(std::array::from_fn(|i| {
        let (column, row) = (i / 4 * 4, i % 4);
        (0..4).fold(0, |acc, k| acc ^ gf_mul(m[(k + 4 - row) % 4], b[column + k]))
    }))
}

/// MixColumns: each column times {03}x^3 + {01}x^2 + {01}x + {02}.
pub fn mix_columns(x: u128) -> u128 {
    mix_with(x, [2, 3, 1, 1])
}

/// InvMixColumns: each column times {0b}x^3 + {0d}x^2 + {09}x + {0e}.
pub fn inv_mix_columns(x: u128) -> u128 {
    mix_with(x, [14, 11, 13, 9])
}

/// The 128-bit carry-less product of two 64-bit values.
pub fn clmul(a: u64, b: u64) -> u128 {
    (0..64).filter(|i| b >> i & 1 != 0).fold(0u128, |acc, i| acc ^ (a as u128) << i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state from FIPS-197's column-major hex string.
    fn from_hex(text: &str) -> u128 {
        let b: Vec<u8> = (0..16).map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap()).collect();
        state(b.try_into().unwrap())
    }

    #[test]
    fn sbox_entries_match_fips_197() {
        let (forward, inverse) = sboxes();
        assert_eq!((forward[0x00], forward[0x53], forward[0xff]), (0x63, 0xed, 0x16));
        assert_eq!((inverse[0x63], inverse[0xed], inverse[0x16]), (0x00, 0x53, 0xff));
    }

    #[test]
    fn the_first_round_of_fips_197_appendix_b() {
        // Round 1's start, after SubBytes and ShiftRows, and after MixColumns.
        let start = from_hex("193de3bea0f4e22b9ac68d2ae9f84808");
        let shifted = from_hex("d4bf5d30e0b452aeb84111f11e2798e5");
        let mixed = from_hex("046681e5e0cb199a48f8d37a2806264c");
        assert_eq!(shift_sub(start), shifted);
        assert_eq!(mix_columns(shifted), mixed);
        assert_eq!(inv_mix_columns(mixed), shifted);
        assert_eq!(inv_shift_sub(shifted), start);
    }

    #[test]
    fn carry_less_products() {
        assert_eq!(clmul(0b11, 0b11), 0b101);
        assert_eq!(clmul(u64::MAX, 1 << 63), (u64::MAX as u128) << 63);
        assert_eq!(clmul(0x87, 0x1_0000_0000), 0x87_0000_0000);
    }
}
