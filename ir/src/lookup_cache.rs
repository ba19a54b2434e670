//! The layout of the dispatch lookup cache, shared by the runtime (which fills it) and translated
//! code (which reads it inline at indirect calls and jumps).
//!
//! The cache is a direct-mapped array of `LOOKUP_CACHE_SLOTS` words in the runtime
//! (`vmtrans_lookup_cache`). A word packs a guest address and the index of its entry in the
//! translator's table as `guest_addr << LOOKUP_CACHE_INDEX_BITS | index`, so a thread that reads a
//! word while another writes it sees a whole entry or another whole entry, never half of each; zero
//! is an empty slot. Only addresses below 2^40 and indices below 2^24 are cached; others always take
//! the slow path. Nothing here is host-specific: it is a contract stated once so that both sides
//! compute the same slot and the same word.

/// Number of slots (a power of two).
pub const LOOKUP_CACHE_SLOTS: usize = 1 << 14;

/// Bits of the table index in a slot's word; the guest address fills the other 40.
pub const LOOKUP_CACHE_INDEX_BITS: u32 = 24;

/// The slot that caches guest address `pc`: instructions are 4-byte aligned, so the low two bits
/// carry nothing, and folding in bits from 16 up spreads code that is 64 KiB apart.
pub fn lookup_cache_slot(pc: u64) -> usize {
    ((pc >> 2) ^ (pc >> 16)) as usize & (LOOKUP_CACHE_SLOTS - 1)
}

/// The word that caches `pc` at table index `index`, if both fit (and `pc` is not zero, which
/// would look like an empty slot).
pub fn lookup_cache_word(pc: u64, index: usize) -> Option<u64> {
    let fits = pc != 0 && pc >> (64 - LOOKUP_CACHE_INDEX_BITS) == 0 && (index as u64) < 1 << LOOKUP_CACHE_INDEX_BITS;
    fits.then_some(pc << LOOKUP_CACHE_INDEX_BITS | index as u64)
}

/// The table index cached in `word` if it caches `pc`: a word matches when its address part is
/// `pc` and it is not empty (a zero word would otherwise match `pc` zero).
pub fn lookup_cache_hit(word: u64, pc: u64) -> Option<usize> {
    (word != 0 && word >> LOOKUP_CACHE_INDEX_BITS == pc)
        .then_some((word & ((1 << LOOKUP_CACHE_INDEX_BITS) - 1)) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_reject_what_does_not_fit() {
        let w = lookup_cache_word(0x40_0720, 1234).unwrap();
        assert_eq!(lookup_cache_hit(w, 0x40_0720), Some(1234));
        assert_eq!(lookup_cache_hit(w, 0x40_0724), None);
        assert_eq!(lookup_cache_hit(0, 0), None);
        assert_eq!(lookup_cache_word(0, 1), None);
        assert_eq!(lookup_cache_word(1 << 40, 1), None);
        assert_eq!(lookup_cache_word(0x1000, 1 << 24), None);
        assert!(lookup_cache_slot(u64::MAX) < LOOKUP_CACHE_SLOTS);
    }
}
