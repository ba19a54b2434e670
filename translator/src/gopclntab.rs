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
//! 0xfffffff1: entries as 32-bit offsets from the header's text start). Anything that does not
//! read as one of them yields what was read so far: a damaged table never stops a translation.

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
/// the absolute entries of the older ones are addresses).
pub fn functions(data: &[u8]) -> Vec<GoFunction> {
    let Some(magic) = u32_at(data, 0) else { return vec![] };
    // pad1, pad2 must be zero; minLC is 4 on AArch64; pointers are 8 bytes.
    if data.get(4..8) != Some(&[0, 0, 4, 8]) {
        return vec![];
    }
    let word = |offset: usize| u64_at(data, offset);
    match magic {
        0xffff_fff0 | 0xffff_fff1 => {
            let (Some(count), Some(names), Some(table)) = (word(8), word(32), word(64)) else { return vec![] };
            let Some(text_start) = word(24) else { return vec![] };
            let entry_of = |i: usize| {
                let at = (table as usize).checked_add(i.checked_mul(8)?)?;
                Some(text_start.wrapping_add(u32_at(data, at)? as u64))
            };
            let name_of = |i: usize| {
                let at = (table as usize).checked_add(i.checked_mul(8)?.checked_add(4)?)?;
                let func = (table as usize).checked_add(u32_at(data, at)? as usize)?;
                let name_offset = u32_at(data, func.checked_add(4)?)? as usize;
                c_string(data, (names as usize).checked_add(name_offset)?)
            };
            collect(count, &entry_of, &name_of)
        }
        0xffff_fffa => {
            let (Some(count), Some(names), Some(table)) = (word(8), word(24), word(56)) else { return vec![] };
            let entry_of = |i: usize| {
                let at = (table as usize).checked_add(i.checked_mul(16)?)?;
                u64_at(data, at)
            };
            let name_of = |i: usize| {
                let at = (table as usize).checked_add(i.checked_mul(16)?.checked_add(8)?)?;
                let func = (table as usize).checked_add(u64_at(data, at)? as usize)?;
                let name_offset = u32_at(data, func.checked_add(8)?)? as usize;
                c_string(data, (names as usize).checked_add(name_offset)?)
            };
            collect(count, &entry_of, &name_of)
        }
        0xffff_fffb => {
            let Some(count) = word(8) else { return vec![] };
            let entry_of = |i: usize| u64_at(data, 16usize.checked_add(i.checked_mul(16)?)?);
            let name_of = |i: usize| {
                let func = u64_at(data, 16usize.checked_add(i.checked_mul(16)?.checked_add(8)?)?)? as usize;
                let name_offset = u32_at(data, func.checked_add(8)?)? as usize;
                c_string(data, name_offset)
            };
            collect(count, &entry_of, &name_of)
        }
        _ => vec![],
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
        functions(t)
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

    #[test]
    fn a_truncated_or_foreign_table_yields_what_it_holds() {
        let t = go118_table(0x11000);
        // Cut inside the second functab entry: only what precedes it.
        assert!(read(&t[..t.len() - 30]).len() < 2);
        assert!(read(&t[..20]).is_empty());
        let mut other = t.clone();
        other[6] = 1; // minLC 1 (x86-64)
        assert!(read(&other).is_empty());
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
