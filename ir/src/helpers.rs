//! Pure helpers that IR code calls by name (`call_helper`): defined once here, run by the
//! interpreter directly and by translated programs through the runtime's exported wrappers.

/// CRC-32 (reflected polynomial 0xEDB88320) or CRC-32C (0x82F63B78) of the low `size` bytes of
/// `data`, continuing `acc`, as AArch64's CRC32* and CRC32C* instructions compute it (no
/// inversion before or after).
pub fn crc32(acc: u32, data: u64, size: u32, castagnoli: bool) -> u32 {
    let poly: u32 = if castagnoli { 0x82F6_3B78 } else { 0xEDB8_8320 };
    let mut crc = acc;
    for i in 0..size {
        crc ^= (data >> (8 * i)) as u8 as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ poly } else { crc >> 1 };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_matches_the_standard_check_values() {
        // The standard check: CRC of "123456789" with initial and final inversion.
        let run = |c: bool| !b"123456789".iter().fold(!0u32, |acc, &b| super::crc32(acc, b as u64, 1, c));
        assert_eq!(run(false), 0xCBF4_3926);
        assert_eq!(run(true), 0xE306_9283);
    }
}
