//! Go's function table: the `.gopclntab` section every Go executable carries, stripped or not,
//! because the Go runtime itself reads it (stack traces, garbage collection, preemption).
//!
//! Go emits no `.eh_frame`, and a stripped Go binary has no symbols, so without this table code
//! discovery would know a Go function only if something calls it directly or stores its address.
//! Interface methods are neither: the runtime builds its method tables at run time from 32-bit
//! offsets, so such a method would run in the fallback engine. The table lists every function's
//! entry (in address order, with the end of the text after the last) and its name.
//!
//! Three layouts exist: Go 1.2-1.15 (magic 0xfffffffb: absolute entries right after the header),
//! Go 1.16-1.17 (0xfffffffa: a header of offsets, absolute entries) and Go 1.18 on (0xfffffff0,
//! 0xfffffff1: entries as 32-bit offsets from the header's text start). A table in none of them is
//! reported (it never stops a translation); a damaged or truncated one yields what was read so far.

/// A function the table lists: its entry, the address after its last instruction, and its name
/// (empty when the name cannot be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoFunction {
    pub start: u64,
    pub end: u64,
    pub name: String,
}

/// The most functions read from one table (a hostile count cannot make us allocate more).
const MAX_FUNCTIONS: usize = 1 << 22;

/// The longest name kept (Go's longest, generic instantiations, are a few hundred bytes); a longer
/// one is dropped, so that hostile name offsets cannot make each function copy megabytes.
const MAX_NAME: usize = 1024;

/// The functions listed by a `.gopclntab` section's contents `data`, as the running program sees
/// them (relocated, in a position-independent executable: the text start of the newest layout and
/// the absolute entries of the older ones are addresses). A table in no layout this module knows
/// (a Go release after 1.22 may bring one, as 1.16 and 1.18 did) is an error saying so, for the
/// caller to report: its functions would then be found only where other code calls them.
pub fn functions(data: &[u8]) -> Result<Vec<GoFunction>, String> {
    let magic = u32_at(data, 0).ok_or("Go's function table is shorter than its header")?;
    // pad1, pad2 must be zero; minLC is 4 on AArch64; pointers are 8 bytes.
    let header = data.get(4..8);
    if header != Some(&[0, 0, 4, 8]) {
        return Err(format!("Go's function table has an unexpected header ({header:02x?}, not [0, 0, 4, 8])"));
    }
    let word = |offset: usize| u64_at(data, offset).map(|v| v as usize);
    // Where each layout keeps the function count, the table of (entry, function record) pairs, the
    // names and the base of the entries; `wide` is whether the pairs' fields are 8 bytes, not 4.
    let layout = match magic {
        0xffff_fff0 | 0xffff_fff1 => word(64)
            .zip(word(32))
            .zip(u64_at(data, 24))
            .map(|((table, names), text)| Layout { wide: false, table, names, records: table, text_start: text }),
        0xffff_fffa => word(56).zip(word(24)).map(|(table, names)| Layout {
            wide: true,
            table,
            names,
            records: table,
            text_start: 0,
        }),
        0xffff_fffb => Some(Layout { wide: true, table: 16, names: 0, records: 0, text_start: 0 }),
        _ => return Err(format!("Go's function table has an unknown layout (magic {magic:#x})")),
    };
    let (Some(layout), Some(count)) = (layout, u64_at(data, 8)) else {
        return Err("Go's function table is shorter than its header".to_string());
    };
    Ok(collect(count, &|i| layout.entry(data, i), &|i| layout.name(data, i)))
}

/// Where one layout of the table keeps its parts (offsets into the section).
struct Layout {
    /// Whether the (entry, record offset) pairs have 8-byte fields (Go 1.2-1.17) or 4-byte ones.
    wide: bool,
    /// The pairs.
    table: usize,
    /// The names, which the records' name offsets count from.
    names: usize,
    /// What the pairs' record offsets count from.
    records: usize,
    /// What the entries count from (0 where they are addresses).
    text_start: u64,
}

impl Layout {
    fn field(&self, data: &[u8], i: usize, second: bool) -> Option<u64> {
        let size = if self.wide { 8 } else { 4 };
        let at = self.table.checked_add(i.checked_mul(2 * size)?)?.checked_add(if second { size } else { 0 })?;
        if self.wide {
            u64_at(data, at)
        } else {
            u32_at(data, at).map(u64::from)
        }
    }

    fn entry(&self, data: &[u8], i: usize) -> Option<u64> {
        Some(self.text_start.wrapping_add(self.field(data, i, false)?))
    }

    /// The name of function `i`: its record starts with its entry (a field's size), then the
    /// offset of its name.
    fn name(&self, data: &[u8], i: usize) -> Option<String> {
        let record = self.records.checked_add(usize::try_from(self.field(data, i, true)?).ok()?)?;
        let name_offset = u32_at(data, record.checked_add(if self.wide { 8 } else { 4 })?)? as usize;
        c_string(data, self.names.checked_add(name_offset)?)
    }
}

/// Reads `count` functions through `entry_of` (index `count` gives the end of the last) and
/// `name_of`, stopping at the first entry that cannot be read or is out of order.
fn collect(
    count: u64,
    entry_of: &dyn Fn(usize) -> Option<u64>,
    name_of: &dyn Fn(usize) -> Option<String>,
) -> Vec<GoFunction> {
    let count = count.min(MAX_FUNCTIONS as u64) as usize;
    let mut out = Vec::new();
    let Some(mut start) = entry_of(0) else { return out };
    for i in 0..count {
        let Some(end) = entry_of(i + 1) else { break };
        if end <= start {
            break;
        }
        out.push(GoFunction { start, end, name: name_of(i).unwrap_or_default() });
        start = end;
    }
    out
}

fn u32_at(data: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(offset..offset.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(data: &[u8], offset: usize) -> Option<u64> {
    Some(u64::from_le_bytes(data.get(offset..offset.checked_add(8)?)?.try_into().ok()?))
}

/// The NUL-terminated string at `offset`, if it ends within `data` and `MAX_NAME` bytes and is UTF-8.
fn c_string(data: &[u8], offset: usize) -> Option<String> {
    let rest = data.get(offset..)?;
    let len = rest.iter().take(MAX_NAME + 1).position(|&b| b == 0)?;
    std::str::from_utf8(&rest[..len]).ok().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A Go 1.18+ table: two functions at text+0x10 and text+0x40, the text ending at text+0x80.
    fn go118_table(text_start: u64) -> Vec<u8> {
        let mut t = vec![0u8; 72];
        t[..4].copy_from_slice(&0xffff_fff1u32.to_le_bytes());
        t[4..8].copy_from_slice(&[0, 0, 4, 8]);
        t[8..16].copy_from_slice(&2u64.to_le_bytes());
        t[24..32].copy_from_slice(&text_start.to_le_bytes());
        let names = t.len();
        t.extend_from_slice(b"main.main\0main.helper\0");
        t[32..40].copy_from_slice(&(names as u64).to_le_bytes());
        let table = t.len();
        t[64..72].copy_from_slice(&(table as u64).to_le_bytes());
        // functab: (entryoff, funcoff) x 3, then the two _func records (entryoff, nameoff).
        let funcs = 3 * 8;
        for (entry, func) in [(0x10u32, funcs as u32), (0x40, funcs as u32 + 8), (0x80, 0)] {
            t.extend_from_slice(&entry.to_le_bytes());
            t.extend_from_slice(&func.to_le_bytes());
        }
        for (entry, name) in [(0x10u32, 0u32), (0x40, 10)] {
            t.extend_from_slice(&entry.to_le_bytes());
            t.extend_from_slice(&name.to_le_bytes());
        }
        t
    }

    fn read(t: &[u8]) -> Vec<GoFunction> {
        functions(t).unwrap_or_default()
    }

    #[test]
    fn a_go_1_18_table_lists_its_functions_with_names() {
        let t = go118_table(0x11000);
        assert_eq!(
            read(&t),
            vec![
                GoFunction { start: 0x11010, end: 0x11040, name: "main.main".into() },
                GoFunction { start: 0x11040, end: 0x11080, name: "main.helper".into() },
            ]
        );
    }

    /// A Go 1.16 table (absolute entries, 8-byte fields): the same two functions at 0x11010 and
    /// 0x11040, the text ending at 0x11080.
    #[test]
    fn a_go_1_16_table_lists_its_functions_with_names() {
        let mut t = vec![0u8; 64];
        t[..4].copy_from_slice(&0xffff_fffau32.to_le_bytes());
        t[4..8].copy_from_slice(&[0, 0, 4, 8]);
        t[8..16].copy_from_slice(&2u64.to_le_bytes());
        let names = t.len();
        t.extend_from_slice(b"main.main\0main.helper\0");
        t[24..32].copy_from_slice(&(names as u64).to_le_bytes());
        let table = t.len();
        t[56..64].copy_from_slice(&(table as u64).to_le_bytes());
        let records = 3 * 16;
        for (entry, record) in [(0x11010u64, records as u64), (0x11040, records as u64 + 16), (0x11080, 0)] {
            t.extend_from_slice(&entry.to_le_bytes());
            t.extend_from_slice(&record.to_le_bytes());
        }
        for (entry, name) in [(0x11010u64, 0u32), (0x11040, 10)] {
            t.extend_from_slice(&entry.to_le_bytes());
            t.extend_from_slice(&name.to_le_bytes());
            t.extend_from_slice(&[0; 4]);
        }
        assert_eq!(
            read(&t),
            vec![
                GoFunction { start: 0x11010, end: 0x11040, name: "main.main".into() },
                GoFunction { start: 0x11040, end: 0x11080, name: "main.helper".into() },
            ]
        );
    }

    #[test]
    fn a_truncated_or_foreign_table_yields_what_it_holds() {
        let t = go118_table(0x11000);
        // Cut inside the second functab entry: only what precedes it.
        assert!(read(&t[..t.len() - 30]).len() < 2);
        assert!(read(&t[..20]).is_empty());
        let mut other = t.clone();
        other[6] = 1; // minLC 1 (x86-64)
        assert!(functions(&other).is_err());
        let mut newer = t.clone();
        newer[..4].copy_from_slice(&0xffff_fff2u32.to_le_bytes());
        assert!(functions(&newer).unwrap_err().contains("unknown layout (magic 0xfffffff2)"));
    }

    #[test]
    fn a_name_without_an_end_in_sight_is_dropped() {
        let mut t = go118_table(0x11000);
        let names = u64_at(&t, 32).unwrap() as usize;
        // Overwrite the names with a run of letters longer than any name, then a NUL.
        let long = vec![b'a'; 2 * MAX_NAME];
        t.splice(names..names + 22, long.iter().copied().chain([0u8]));
        let table = names + long.len() + 1;
        t[64..72].copy_from_slice(&(table as u64).to_le_bytes());
        let functions = read(&t);
        assert_eq!(functions.len(), 2);
        assert!(functions.iter().all(|f| f.name.is_empty()));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..512), magic in 0u8..4) {
            if bytes.len() >= 8 {
                let magics = [0xffff_fff0u32, 0xffff_fff1, 0xffff_fffa, 0xffff_fffb];
                bytes[..4].copy_from_slice(&magics[magic as usize].to_le_bytes());
                bytes[4..8].copy_from_slice(&[0, 0, 4, 8]);
            }
            let _ = read(&bytes);
        }
    }
}
