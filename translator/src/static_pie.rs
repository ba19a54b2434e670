//! Static position-independent executables: the dynamic table, and the relative relocations
//! applied to discovery's view of the file.
//!
//! A static PIE (`gcc -static-pie`, Rust's musl targets) is an `ET_DYN` file without an
//! interpreter. Its start-up code relocates its own data (glibc's `_dl_relocate_static_pie`,
//! musl's `_dlstart_c`), so the translated program needs nothing from us at run time but a fixed
//! load address (`STATIC_PIE_BASE`), which the translator and the runtime share. Discovery,
//! though, reads function pointers from data and init arrays, which in the file hold link-time
//! values (RELA addends) or nothing (RELR, where the addend is the slot): applying the relative
//! relocations for the load address turns them into the addresses the program will see.
//! Other relocation kinds are left to the program.

use object::elf;

use crate::elf::Segment;

/// `DT_RELR`, `DT_RELRSZ` (packed relative relocations; not in every `object` release).
const DT_RELR: u64 = 36;
const DT_RELRSZ: u64 = 35;

/// The (tag, value) pairs of the dynamic table at `offset` (`size` bytes) in `bytes`, up to
/// `DT_NULL` or the end of the table; none where the table lies outside the file.
pub fn dynamic_entries(bytes: &[u8], offset: u64, size: u64) -> Vec<(u64, u64)> {
    let Some(table) = usize::try_from(offset)
        .ok()
        .zip(usize::try_from(size).ok())
        .and_then(|(start, len)| bytes.get(start..start.checked_add(len)?))
    else {
        return vec![];
    };
    table
        .chunks_exact(16)
        .map(|e| (read_u64(e, 0), read_u64(e, 8)))
        .take_while(|&(tag, _)| tag != elf::DT_NULL as u64)
        .collect()
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    bytes.get(at..at + 8).map_or(0, |b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
}

/// Applies the relative relocations named by `dynamic` (`DT_RELA` and `DT_RELR` tables, given by
/// link-time address) to `view`, the file whose loadable `segments` are already placed at `bias`
/// plus their link-time addresses. Tables or slots outside the file are skipped.
pub fn relocate(view: &mut [u8], segments: &[Segment], bias: u64, dynamic: &[(u64, u64)]) {
    let value = |tag: u64| dynamic.iter().find(|&&(t, _)| t == tag).map(|&(_, v)| v);
    // The file offset of `len` bytes at link-time address `addr`, when the file holds them.
    let file_range = |addr: u64, len: u64| -> Option<std::ops::Range<usize>> {
        let addr = addr.checked_add(bias)?;
        let s = segments.iter().find(|s| addr >= s.vaddr && addr - s.vaddr < s.filesz)?;
        let from = addr - s.vaddr;
        let end = from.checked_add(len).filter(|&end| end <= s.filesz)?;
        let start = usize::try_from(s.file_offset + from).ok()?;
        Some(start..usize::try_from(s.file_offset + end).ok()?)
    };
    let mut slots: Vec<(u64, Option<u64>)> = vec![];
    if let (Some(rela), Some(size)) = (value(elf::DT_RELA as u64), value(elf::DT_RELASZ as u64)) {
        if let Some(range) = file_range(rela, size) {
            for r in view[range].chunks_exact(24) {
                if read_u64(r, 8) & 0xffff_ffff == elf::R_AARCH64_RELATIVE as u64 {
                    slots.push((read_u64(r, 0), Some(read_u64(r, 16))));
                }
            }
        }
    }
    if let (Some(relr), Some(size)) = (value(DT_RELR), value(DT_RELRSZ)) {
        if let Some(range) = file_range(relr, size) {
            let mut next = 0u64;
            for entry in view[range].chunks_exact(8).map(|e| read_u64(e, 0)) {
                if entry & 1 == 0 {
                    // An address: that slot, and the bitmap entries that follow count from the next.
                    slots.push((entry, None));
                    next = entry.wrapping_add(8);
                } else {
                    // A bitmap: bit i (from 1) marks the slot i - 1 words after `next`.
                    for bit in 1..64 {
                        if entry >> bit & 1 != 0 {
                            slots.push((next.wrapping_add(8 * (bit - 1)), None));
                        }
                    }
                    next = next.wrapping_add(8 * 63);
                }
            }
        }
    }
    for (slot, addend) in slots {
        let Some(range) = file_range(slot, 8) else { continue };
        let addend = addend.unwrap_or_else(|| read_u64(&view[range.clone()], 0));
        view[range].copy_from_slice(&addend.wrapping_add(bias).to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(vaddr: u64, file_offset: u64, filesz: u64) -> Segment {
        Segment { vaddr, memsz: filesz, file_offset, filesz, executable: false, writable: true }
    }

    #[test]
    fn rela_and_relr_slots_get_the_load_address() {
        const BIAS: u64 = 0x40_0000;
        // One segment: link-time 0x1000..0x1100 at file offset 0x100.
        let segments = [segment(0x1000 + BIAS, 0x100, 0x100)];
        let mut view = vec![0u8; 0x200];
        // A RELA table at 0x1000: a relative relocation of slot 0x1080 with addend 0x555, and
        // one of another kind, which stays.
        let rela: [(u64, u64, u64); 2] = [(0x1080, 1027, 0x555), (0x1088, 1025, 0x777)];
        for (i, (slot, info, addend)) in rela.iter().enumerate() {
            let at = 0x100 + 24 * i;
            view[at..at + 8].copy_from_slice(&slot.to_le_bytes());
            view[at + 8..at + 16].copy_from_slice(&info.to_le_bytes());
            view[at + 16..at + 24].copy_from_slice(&addend.to_le_bytes());
        }
        // A RELR table at 0x1040: slot 0x10a0, then a bitmap marking 0x10a8 and 0x10b8.
        let relr: [u64; 2] = [0x10a0, 1 | 1 << 1 | 1 << 3];
        for (i, e) in relr.iter().enumerate() {
            view[0x140 + 8 * i..0x148 + 8 * i].copy_from_slice(&e.to_le_bytes());
        }
        for (slot, old) in [(0x10a0u64, 0x10u64), (0x10a8, 0x20), (0x10b0, 0x30), (0x10b8, 0x40)] {
            let at = (slot - 0x1000 + 0x100) as usize;
            view[at..at + 8].copy_from_slice(&old.to_le_bytes());
        }
        let dynamic = [(7, 0x1000), (8, 48), (DT_RELR, 0x1040), (DT_RELRSZ, 16)];
        relocate(&mut view, &segments, BIAS, &dynamic);
        let at = |slot: u64| read_u64(&view, (slot - 0x1000 + 0x100) as usize);
        assert_eq!(at(0x1080), BIAS + 0x555);
        assert_eq!(at(0x1088), 0, "a relocation of another kind is left alone");
        assert_eq!(at(0x10a0), BIAS + 0x10);
        assert_eq!(at(0x10a8), BIAS + 0x20);
        assert_eq!(at(0x10b0), 0x30, "bit 2 of the bitmap is clear");
        assert_eq!(at(0x10b8), BIAS + 0x40);
    }

    #[test]
    fn tables_outside_the_file_are_skipped() {
        let segments = [segment(0x40_1000, 0x100, 0x100)];
        let mut view = vec![0u8; 0x200];
        let dynamic = [(7, 0xffff_ffff_ffff_fff0), (8, 0x100), (DT_RELR, 0x1000), (DT_RELRSZ, u64::MAX)];
        relocate(&mut view, &segments, 0x40_0000, &dynamic);
        assert!(view.iter().all(|&b| b == 0));
        assert!(dynamic_entries(&view, u64::MAX, 16).is_empty());
        assert_eq!(dynamic_entries(&[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0], 0, 16), vec![(1, 2)]);
    }
}
