//! The map of the guest's mapped address ranges ("virtual memory areas") with their guest
//! protections: the one record of which guest pages exist. The runtime consults it to check guest
//! pointers before it touches them itself, and the mmap allocator searches it for free space. It is
//! pure bookkeeping over page-aligned half-open ranges; the host mappings are made by `memory`.

use std::collections::BTreeMap;

/// Guest protection bits, as in `mmap`'s `prot` (the asm-generic values, equal to the host's).
pub const PROT_READ: u32 = 1;
pub const PROT_WRITE: u32 = 2;
pub const PROT_EXEC: u32 = 4;

/// One mapped range: its end (exclusive) and its guest protection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Area {
    end: u64,
    prot: u32,
}

/// Mapped guest ranges keyed by start address; ranges never overlap.
#[derive(Default, Debug)]
pub struct VmaMap {
    areas: BTreeMap<u64, Area>,
}

impl VmaMap {
    /// An empty map.
    pub const fn new() -> VmaMap {
        VmaMap { areas: BTreeMap::new() }
    }

    /// Records `[start, end)` as mapped with `prot`, replacing whatever was recorded there.
    pub fn insert(&mut self, start: u64, end: u64, prot: u32) {
        if start >= end {
            return;
        }
        self.remove(start, end);
        self.areas.insert(start, Area { end, prot });
    }

    /// Forgets `[start, end)`, splitting areas that straddle its edges.
    pub fn remove(&mut self, start: u64, end: u64) {
        for (area_start, area) in self.overlapping(start, end) {
            self.areas.remove(&area_start);
            if area_start < start {
                self.areas.insert(area_start, Area { end: start, prot: area.prot });
            }
            if area.end > end {
                self.areas.insert(end, area);
            }
        }
    }

    /// Changes the protection of `[start, end)`; false (and nothing changed) when part of it is unmapped.
    pub fn protect(&mut self, start: u64, end: u64, prot: u32) -> bool {
        if !self.is_mapped(start, end) {
            return false;
        }
        self.remove(start, end);
        self.areas.insert(start, Area { end, prot });
        true
    }

    /// Whether every byte of `[start, end)` lies in some area.
    pub fn is_mapped(&self, start: u64, end: u64) -> bool {
        self.check(start, end, 0)
    }

    /// Whether every byte of `[start, end)` is mapped with at least the protections in `need`.
    pub fn check(&self, start: u64, end: u64, need: u32) -> bool {
        let mut next = start;
        for (area_start, area) in self.overlapping(start, end) {
            if area_start > next || area.prot & need != need {
                return false;
            }
            next = area.end;
        }
        next >= end
    }

    /// Whether any byte of `[start, end)` is mapped.
    pub fn overlaps(&self, start: u64, end: u64) -> bool {
        !self.overlapping(start, end).is_empty()
    }

    /// The highest address `a` with `[a, a + len)` free and inside `[low, high)`, if any.
    pub fn find_free_top_down(&self, len: u64, low: u64, high: u64) -> Option<u64> {
        let mut gap_end = high;
        for (&area_start, area) in self.areas.range(..high).rev() {
            if area.end < gap_end && gap_end - area.end.max(low) >= len && area.end.max(low) < gap_end {
                return Some(gap_end - len);
            }
            gap_end = gap_end.min(area_start);
            if gap_end <= low {
                return None;
            }
        }
        (gap_end > low && gap_end - low >= len).then(|| gap_end - len)
    }

    /// The mapped areas as `(start, end, prot)`, in address order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64, u32)> + '_ {
        self.areas.iter().map(|(&start, area)| (start, area.end, area.prot))
    }

    /// The areas that share at least one byte with `[start, end)`, in address order.
    fn overlapping(&self, start: u64, end: u64) -> Vec<(u64, Area)> {
        let mut found = Vec::new();
        if let Some((&area_start, &area)) = self.areas.range(..start).next_back() {
            if area.end > start {
                found.push((area_start, area));
            }
        }
        found.extend(self.areas.range(start..end).map(|(&s, &a)| (s, a)));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RW: u32 = PROT_READ | PROT_WRITE;

    #[test]
    fn remove_splits_straddling_areas() {
        let mut map = VmaMap::default();
        map.insert(0x1000, 0x5000, RW);
        map.remove(0x2000, 0x3000);
        assert_eq!(map.iter().collect::<Vec<_>>(), vec![(0x1000, 0x2000, RW), (0x3000, 0x5000, RW)]);
        assert!(!map.is_mapped(0x1000, 0x4000));
        assert!(map.is_mapped(0x3000, 0x5000));
    }

    #[test]
    fn protect_needs_every_page_mapped() {
        let mut map = VmaMap::default();
        map.insert(0x1000, 0x3000, RW);
        map.insert(0x3000, 0x4000, PROT_READ);
        assert!(map.protect(0x2000, 0x4000, PROT_READ));
        assert!(map.check(0x1000, 0x2000, RW));
        assert!(!map.check(0x1000, 0x3000, PROT_WRITE));
        assert!(map.check(0x1000, 0x4000, PROT_READ));
        assert!(!map.protect(0x3000, 0x5000, RW));
        assert!(map.check(0x3000, 0x4000, PROT_READ) && !map.check(0x3000, 0x4000, PROT_WRITE));
    }

    #[test]
    fn insert_replaces_what_was_there() {
        let mut map = VmaMap::default();
        map.insert(0x1000, 0x4000, PROT_READ);
        map.insert(0x2000, 0x3000, RW);
        assert_eq!(
            map.iter().collect::<Vec<_>>(),
            vec![(0x1000, 0x2000, PROT_READ), (0x2000, 0x3000, RW), (0x3000, 0x4000, PROT_READ)]
        );
        assert!(map.overlaps(0x3fff, 0x5000));
        assert!(!map.overlaps(0x4000, 0x5000));
    }

    #[test]
    fn free_space_is_found_top_down() {
        let mut map = VmaMap::default();
        assert_eq!(map.find_free_top_down(0x1000, 0x10000, 0x20000), Some(0x1f000));
        map.insert(0x1f000, 0x20000, RW);
        assert_eq!(map.find_free_top_down(0x1000, 0x10000, 0x20000), Some(0x1e000));
        map.insert(0x12000, 0x1e000, RW);
        // The 0x2000-byte hole below 0x12000 fits; nothing above it does.
        assert_eq!(map.find_free_top_down(0x2000, 0x10000, 0x20000), Some(0x10000));
        assert_eq!(map.find_free_top_down(0x3000, 0x10000, 0x20000), None);
        // Areas above `high` do not hide the space below it.
        map.insert(0x30000, 0x40000, RW);
        assert_eq!(map.find_free_top_down(0x1000, 0x10000, 0x11000), Some(0x10000));
    }
}
