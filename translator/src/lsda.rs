//! Landing pads from the language-specific data areas (LSDAs) that `.eh_frame` FDEs point to.
//!
//! A C++ `catch` block or cleanup (the destructors run while an exception passes) is entered
//! only by the unwinder: `_Unwind_RaiseException` returns to the landing pad with the frame's
//! registers restored, and no branch in the code leads there. Discovery finds such code only
//! through the LSDA (`.gcc_except_table`), whose call-site table gives each landing pad as an
//! offset from the function's start. The format is GCC's (libgcc's `unwind-pe.h` and
//! `unwind-c.c`/`eh_personality.cc` read it; LLVM writes the same): a header with the landing
//! pads' base (`LPStart`, by default the function's start), the type table's offset, and the
//! call-site table, a list of (start, length, landing pad, action) records.
//!
//! The reader is defensive: a malformed or unusual LSDA yields the landing pads read before the
//! problem, never a panic. A missed landing pad costs speed only (the fallback engine runs it);
//! a wrong one only adds a leader to the function around it.

/// `DW_EH_PE_omit`: the value is absent.
const OMIT: u8 = 0xff;
/// The application bits of a pointer encoding: absolute, or relative to the value's own address.
const APPLICATION_MASK: u8 = 0x70;
const PC_RELATIVE: u8 = 0x10;
/// `DW_EH_PE_indirect`: the value is the address of the pointer.
const INDIRECT: u8 = 0x80;

/// A cursor over an LSDA's bytes, which lie at guest address `base`.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    base: u64,
}

impl Cursor<'_> {
    fn u8(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn fixed(&mut self, size: usize, signed: bool) -> Option<u64> {
        let raw = self.bytes.get(self.at..self.at.checked_add(size)?)?;
        self.at += size;
        let mut buf = [0u8; 8];
        buf[..size].copy_from_slice(raw);
        let value = u64::from_le_bytes(buf);
        let unused = 64 - 8 * size as u32;
        Some(if signed && unused > 0 { ((value << unused) as i64 >> unused) as u64 } else { value })
    }

    fn leb128(&mut self, signed: bool) -> Option<u64> {
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let b = self.u8()?;
            if shift < 64 {
                value |= u64::from(b & 0x7f) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                if signed && shift < 64 && b & 0x40 != 0 {
                    value |= u64::MAX << shift;
                }
                return Some(value);
            }
            if shift > 70 {
                return None;
            }
        }
    }

    /// Reads a value in pointer encoding `encoding`, applying only what needs no run-time
    /// context: absolute values, and values relative to their own address. Indirect pointers and
    /// the other applications (relative to text, data or the function) are refused.
    fn encoded(&mut self, encoding: u8) -> Option<u64> {
        if encoding & INDIRECT != 0 {
            return None;
        }
        let own_address = self.base.wrapping_add(self.at as u64);
        let value = match encoding & 0x0f {
            0x00 | 0x04 => self.fixed(8, false)?,
            0x01 => self.leb128(false)?,
            0x02 => self.fixed(2, false)?,
            0x03 => self.fixed(4, false)?,
            0x09 => self.leb128(true)?,
            0x0a => self.fixed(2, true)?,
            0x0b => self.fixed(4, true)?,
            0x0c => self.fixed(8, true)?,
            _ => return None,
        };
        match encoding & APPLICATION_MASK {
            0 => Some(value),
            PC_RELATIVE if value != 0 => Some(own_address.wrapping_add(value)),
            PC_RELATIVE => Some(0),
            _ => None,
        }
    }
}

/// The landing pads named by the LSDA in `bytes` (which lie at guest address `lsda_address`) of
/// the function starting at `function_start`, in table order, without duplicates.
pub fn landing_pads(bytes: &[u8], lsda_address: u64, function_start: u64) -> Vec<u64> {
    let mut pads = vec![];
    let mut c = Cursor { bytes, at: 0, base: lsda_address };
    let _ = read_call_sites(&mut c, function_start, &mut pads);
    pads.sort_unstable();
    pads.dedup();
    pads
}

/// Reads the header and the call-site table into `pads`; `None` where the data ends or is
/// malformed (what was read stays).
fn read_call_sites(c: &mut Cursor, function_start: u64, pads: &mut Vec<u64>) -> Option<()> {
    let lpstart_encoding = c.u8()?;
    let lpstart = if lpstart_encoding == OMIT { function_start } else { c.encoded(lpstart_encoding)? };
    let ttype_encoding = c.u8()?;
    if ttype_encoding != OMIT {
        c.leb128(false)?;
    }
    let call_site_encoding = c.u8()?;
    // Call-site values are offsets, read with base 0 (libgcc's `parse_lsda_header` and the
    // personality routines): only absolute encodings make sense for them.
    if call_site_encoding & (APPLICATION_MASK | INDIRECT) != 0 {
        return None;
    }
    let table_length = c.leb128(false)?;
    let table_end = c.at.checked_add(usize::try_from(table_length).ok()?)?;
    if table_end > c.bytes.len() {
        return None;
    }
    while c.at < table_end {
        let _start = c.encoded(call_site_encoding)?;
        let _length = c.encoded(call_site_encoding)?;
        let landing_pad = c.encoded(call_site_encoding)?;
        let _action = c.leb128(false)?;
        if landing_pad != 0 {
            pads.push(lpstart.wrapping_add(landing_pad));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An LSDA as GCC writes it for a function with three call sites, the first without a
    /// landing pad and the other two sharing one: LPStart omitted, a type table (sdata4,
    /// pc-relative, indirect), and call sites in uleb128.
    #[test]
    fn gcc_call_site_tables_give_landing_pads_from_the_function_start() {
        let lsda = [
            0xff, // LPStart omitted: the function's start.
            0x9b, 0x15, // The type table's encoding and offset.
            0x01, 14, // Call sites in uleb128, 14 bytes of them.
            0x10, 0x04, 0x00, 0x00, // At +0x10, 4 bytes long, no landing pad, no action.
            0x20, 0x08, 0xb4, 0x01, 0x01, // At +0x20, 8 bytes long, landing pad +0xb4, action 1.
            0x30, 0x04, 0xb4, 0x01, 0x00, // At +0x30, the same landing pad, a cleanup.
            0x7f, 0x00, // The action table, which is not read.
        ];
        assert_eq!(landing_pads(&lsda, 0x5000, 0x40_0000), vec![0x40_00b4]);
    }

    #[test]
    fn a_table_longer_than_the_data_yields_nothing() {
        let lsda = [0xff, 0xff, 0x01, 40, 0x20, 0x08, 0xb4, 0x01, 0x01];
        assert!(landing_pads(&lsda, 0x5000, 0x40_0000).is_empty());
    }

    #[test]
    fn an_explicit_pc_relative_lpstart_is_the_base() {
        // LPStart pc-relative sdata4 (+0x100 from its own address 0x5001), no type table,
        // call sites in udata4.
        let mut lsda = vec![0x1b, 0x00, 0x01, 0x00, 0x00, 0xff, 0x03, 16];
        for v in [0u32, 4, 0x40, 0] {
            lsda.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(landing_pads(&lsda, 0x5000, 0x40_0000), vec![0x5101 + 0x40]);
    }

    #[test]
    fn unusual_call_site_encodings_are_refused() {
        let lsda = [0xff, 0xff, 0x11, 0x04, 0x00, 0x00, 0x08, 0x00];
        assert!(landing_pads(&lsda, 0x5000, 0x40_0000).is_empty());
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), base in any::<u64>(), start in any::<u64>()) {
            let _ = landing_pads(&bytes, base, start);
        }
    }
}
