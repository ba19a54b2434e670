//! Loading the guest ELF file: validation with clear, one-line errors, the loadable segments,
//! and the facts code discovery starts from (entry, function symbols, `.eh_frame` FDEs and the
//! landing pads of their LSDAs, Go's function table, init/fini arrays, IRELATIVE resolvers).
//!
//! Every size and offset in the file is checked before use: a hostile or truncated file gets an
//! [`ElfError`], never a panic.

use std::collections::BTreeMap;

use object::elf;
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::{Endianness, Object, ObjectSection, ObjectSymbol, SectionFlags, SymbolKind};
use thiserror::Error;

/// The guest address space the runtime reserves; every segment must lie below it.
pub use vmtrans_ir::a64::state::GUEST_SPACE;
use vmtrans_ir::a64::state::STATIC_PIE_BASE;

use crate::static_pie;

/// Why a file cannot be translated.
#[derive(Debug, Error)]
pub enum ElfError {
    #[error("{0}: empty file, not an ELF executable")]
    Empty(String),
    #[error("{0}: not an ELF file")]
    NotElf(String),
    #[error("{0}: truncated ELF file ({1})")]
    Truncated(String, String),
    #[error("{0}: malformed ELF file: {1}")]
    Malformed(String, String),
    #[error("{0}: 32-bit ELF; vmtrans translates 64-bit AArch64 executables")]
    Class32(String),
    #[error("{0}: big-endian ELF; vmtrans translates little-endian AArch64 executables")]
    BigEndian(String),
    #[error("{0}: ELF for machine {1}; vmtrans translates AArch64 (EM_AARCH64) executables")]
    WrongMachine(String, String),
    #[error(
        "{0}: dynamically linked executable; vmtrans supports statically linked programs for now (link with -static)"
    )]
    Dynamic(String),
    #[error("{0}: {1}")]
    Unsupported(String, String),
}

/// A loadable segment.
#[derive(Clone, Debug)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub file_offset: u64,
    pub filesz: u64,
    pub executable: bool,
    pub writable: bool,
}

/// The guest program, validated.
pub struct GuestImage {
    /// The file as read, which the translated program embeds and the runtime loads.
    pub bytes: Vec<u8>,
    /// The file as discovery reads it: for a static PIE, with its relative relocations applied
    /// for the load address (so that function pointers in data and init arrays are addresses).
    view: Vec<u8>,
    /// What is added to the file's addresses: `STATIC_PIE_BASE` for a static PIE, else 0. Every
    /// address in a `GuestImage` already includes it.
    pub bias: u64,
    pub entry: u64,
    pub segments: Vec<Segment>,
    /// Function symbols: address to (name, size).
    pub symbols: BTreeMap<u64, (String, u64)>,
    /// Function ranges from `.eh_frame` FDEs and Go's function table (`.gopclntab`): start to end.
    pub fdes: BTreeMap<u64, u64>,
    /// Exception landing pads (C++ catch blocks and cleanups) named by the FDEs' LSDAs: code that
    /// only the unwinder enters.
    pub landing_pads: Vec<u64>,
    /// The entries of the functions in Go's function table: Go calls its interface methods through
    /// tables the runtime builds from offsets into the text, so any of them may be reached by an
    /// indirect call without its address appearing anywhere in the file.
    pub go_functions: Vec<u64>,
    /// Why Go's function table could not be read, when there is one that could not.
    pub go_table_problem: Option<String>,
    /// Addresses held in `.init_array`, `.fini_array` and `.preinit_array`.
    pub init_fini: Vec<u64>,
    /// IRELATIVE resolvers.
    pub ifunc_resolvers: Vec<u64>,
    /// Values in data segments that point at executable code, and addresses that code forms
    /// with ADR or an ADRP/ADD pair (candidate code addresses: function pointers, computed-goto label
    /// tables, callbacks passed as arguments).
    pub code_pointers: Vec<u64>,
    /// The address ranges of executable sections (`SHF_EXECINSTR`), or of the executable
    /// segments when the file has no section headers. Executable segments often hold read-only
    /// data too, which is no place for a code address.
    pub code_ranges: Vec<(u64, u64)>,
}

fn machine_name(m: u16) -> String {
    match m {
        elf::EM_X86_64 => "x86-64".into(),
        elf::EM_386 => "i386".into(),
        elf::EM_ARM => "32-bit ARM".into(),
        elf::EM_RISCV => "RISC-V".into(),
        elf::EM_PPC64 => "PowerPC64".into(),
        elf::EM_S390 => "s390".into(),
        other => format!("#{other}"),
    }
}

impl GuestImage {
    /// Validates and loads `bytes`, read from `name`.
    pub fn parse(name: &str, bytes: Vec<u8>) -> Result<GuestImage, ElfError> {
        let n = || name.to_string();
        if bytes.is_empty() {
            return Err(ElfError::Empty(n()));
        }
        if bytes.len() < 4 || &bytes[..4] != b"\x7fELF" {
            return Err(ElfError::NotElf(n()));
        }
        if bytes.len() < 6 {
            return Err(ElfError::Truncated(n(), "the header is incomplete".into()));
        }
        match bytes[4] {
            elf::ELFCLASS64 => {}
            elf::ELFCLASS32 => return Err(ElfError::Class32(n())),
            c => return Err(ElfError::Malformed(n(), format!("unknown ELF class {c}"))),
        }
        match bytes[5] {
            elf::ELFDATA2LSB => {}
            elf::ELFDATA2MSB => return Err(ElfError::BigEndian(n())),
            d => return Err(ElfError::Malformed(n(), format!("unknown data encoding {d}"))),
        }
        if bytes.len() < std::mem::size_of::<elf::FileHeader64<Endianness>>() {
            return Err(ElfError::Truncated(n(), "the header is incomplete".into()));
        }
        let header =
            elf::FileHeader64::<Endianness>::parse(&bytes[..]).map_err(|e| ElfError::Truncated(n(), e.to_string()))?;
        let endian = header.endian().map_err(|e| ElfError::Malformed(n(), e.to_string()))?;
        let machine = header.e_machine(endian);
        if machine != elf::EM_AARCH64 {
            return Err(ElfError::WrongMachine(n(), machine_name(machine)));
        }
        let phdrs = header
            .program_headers(endian, &bytes[..])
            .map_err(|e| ElfError::Truncated(n(), format!("program header table lies outside the file ({e})")))?;
        let e_type = header.e_type(endian);
        match e_type {
            elf::ET_EXEC | elf::ET_DYN => {}
            elf::ET_REL => return Err(ElfError::Unsupported(n(), "relocatable object file, not an executable".into())),
            elf::ET_CORE => return Err(ElfError::Unsupported(n(), "core dump, not an executable".into())),
            t => return Err(ElfError::Malformed(n(), format!("unknown ELF type {t}"))),
        }
        // A static PIE is translated (and run) as loaded at STATIC_PIE_BASE.
        let bias = if e_type == elf::ET_DYN { STATIC_PIE_BASE } else { 0 };
        let mut segments = vec![];
        let mut interpreter = false;
        let mut dynamic_table = None;
        for ph in phdrs {
            match ph.p_type(endian) {
                elf::PT_INTERP => interpreter = true,
                elf::PT_DYNAMIC => dynamic_table = Some((ph.p_offset(endian), ph.p_filesz(endian))),
                elf::PT_LOAD => {
                    let (off, filesz) = (ph.p_offset(endian), ph.p_filesz(endian));
                    let (vaddr, memsz) = (ph.p_vaddr(endian).wrapping_add(bias), ph.p_memsz(endian));
                    if ph.p_vaddr(endian).checked_add(bias).is_none() {
                        return Err(ElfError::Malformed(n(), "segment address overflows".into()));
                    }
                    if off.checked_add(filesz).is_none_or(|end| end > bytes.len() as u64) {
                        return Err(ElfError::Truncated(
                            n(),
                            format!("segment at {vaddr:#x} extends past the end of the file"),
                        ));
                    }
                    if filesz > memsz || vaddr.checked_add(memsz).is_none_or(|end| end > GUEST_SPACE) {
                        return Err(ElfError::Malformed(
                            n(),
                            format!("segment at {vaddr:#x} (size {memsz:#x}) lies outside the guest address space"),
                        ));
                    }
                    let flags = ph.p_flags(endian);
                    segments.push(Segment {
                        vaddr,
                        memsz,
                        file_offset: off,
                        filesz,
                        executable: flags & elf::PF_X != 0,
                        writable: flags & elf::PF_W != 0,
                    });
                }
                _ => {}
            }
        }
        // An executable with an interpreter, or a non-PIE one with a dynamic table, is dynamically
        // linked; a PIE without an interpreter is static unless its dynamic table needs libraries.
        let dynamic_entries = match dynamic_table {
            Some((offset, size)) => static_pie::dynamic_entries(&bytes, offset, size),
            None => vec![],
        };
        if interpreter
            || (e_type == elf::ET_EXEC && dynamic_table.is_some())
            || dynamic_entries.iter().any(|&(tag, _)| tag == elf::DT_NEEDED as u64)
        {
            return Err(ElfError::Dynamic(n()));
        }
        if segments.is_empty() {
            return Err(ElfError::Malformed(n(), "no loadable segments".into()));
        }
        let raw_entry = header.e_entry(endian);
        if e_type == elf::ET_DYN && raw_entry == 0 {
            return Err(ElfError::Unsupported(n(), "shared library (no entry point), not an executable".into()));
        }
        let entry = raw_entry.wrapping_add(bias);
        let mut view = bytes.clone();
        if bias != 0 {
            static_pie::relocate(&mut view, &segments, bias, &dynamic_entries);
        }
        let mut image = GuestImage {
            bytes,
            view,
            bias,
            entry,
            segments,
            symbols: BTreeMap::new(),
            fdes: BTreeMap::new(),
            landing_pads: vec![],
            go_functions: vec![],
            go_table_problem: None,
            init_fini: vec![],
            ifunc_resolvers: vec![],
            code_pointers: vec![],
            code_ranges: vec![],
        };
        if image.insn(entry).is_none() {
            return Err(ElfError::Malformed(n(), format!("entry point {entry:#x} is not in an executable segment")));
        }
        image.read_sections();
        image.scan_code_pointers();
        Ok(image)
    }

    /// Reads symbols, FDEs, init/fini arrays and IRELATIVE relocations, where the section
    /// headers allow; a file with none (or with broken ones) still translates from its entry.
    fn read_sections(&mut self) {
        let Ok(file) = ElfFile64::<Endianness>::parse(&self.bytes[..]) else { return };
        let bias = self.bias;
        for sym in file.symbols() {
            if sym.kind() == SymbolKind::Text && sym.address() != 0 {
                let name = sym.name().unwrap_or("").to_string();
                self.symbols.insert(sym.address().wrapping_add(bias), (name, sym.size()));
            }
        }
        let mut fdes = BTreeMap::new();
        let mut go_functions = vec![];
        let mut lsdas = vec![];
        let mut init_fini = vec![];
        let mut ifuncs = vec![];
        for section in file.sections() {
            if let SectionFlags::Elf { sh_flags } = section.flags() {
                if sh_flags & elf::SHF_EXECINSTR as u64 != 0 && section.size() > 0 {
                    let start = section.address().wrapping_add(bias);
                    self.code_ranges.push((start, start.saturating_add(section.size())));
                }
            }
            let name = section.name().unwrap_or("");
            let Ok(data) = section.data() else { continue };
            match name {
                ".eh_frame" => read_eh_frame(data, section.address().wrapping_add(bias), &mut fdes, &mut lsdas),
                // Go's linker calls it `.data.rel.ro.gopclntab` when it is relocated (PIE).
                _ if name.ends_with(".gopclntab") => {
                    // Read as relocated: a PIE's table holds link-time addresses.
                    let range = section.file_range().and_then(|(offset, size)| {
                        let start = usize::try_from(offset).ok()?;
                        Some(start..start.checked_add(usize::try_from(size).ok()?)?)
                    });
                    match range.and_then(|range| self.view.get(range)).map(crate::gopclntab::functions) {
                        Some(Ok(functions)) => go_functions = functions,
                        Some(Err(problem)) => self.go_table_problem = Some(problem),
                        None => self.go_table_problem = Some(format!("{name} lies outside the file")),
                    }
                }
                ".init_array" | ".fini_array" | ".preinit_array" => {
                    // Read as relocated: a static PIE's arrays hold link-time addresses.
                    let start = section.address().wrapping_add(bias);
                    let slots = (0..data.len() as u64 / 8).filter_map(|i| self.data(start.wrapping_add(8 * i), 8));
                    init_fini.extend(slots.map(|v| v as u64));
                }
                _ => {
                    if name.starts_with(".rela") {
                        for r in data.chunks_exact(24) {
                            let info = u64::from_le_bytes(r[8..16].try_into().expect("8 bytes"));
                            let addend = i64::from_le_bytes(r[16..24].try_into().expect("8 bytes"));
                            if info & 0xffff_ffff == elf::R_AARCH64_IRELATIVE as u64 {
                                ifuncs.push((addend as u64).wrapping_add(bias));
                            }
                        }
                    }
                }
            }
        }
        // Go's function table gives what FDEs give for C (Go emits none), and names too.
        for f in go_functions {
            if self.insn(f.start).is_some() {
                self.go_functions.push(f.start);
                fdes.entry(f.start).or_insert(f.end);
                if !f.name.is_empty() {
                    self.symbols.entry(f.start).or_insert((f.name, f.end - f.start));
                }
            }
        }
        self.fdes = fdes;
        let mut pads: Vec<u64> = lsdas
            .into_iter()
            .filter_map(|(function, lsda)| Some(crate::lsda::landing_pads(self.file_bytes(lsda)?, lsda, function)))
            .flatten()
            .filter(|&pad| self.insn(pad).is_some())
            .collect();
        pads.sort_unstable();
        pads.dedup();
        self.landing_pads = pads;
        self.init_fini = init_fini.into_iter().filter(|&a| self.insn(a).is_some()).collect();
        self.ifunc_resolvers = ifuncs.into_iter().filter(|&a| self.insn(a).is_some()).collect();
    }

    /// Finds 8-byte aligned values in non-executable segments that are code addresses (see
    /// `is_code_address`).
    fn scan_code_pointers(&mut self) {
        if self.code_ranges.is_empty() {
            let executable = self.segments.iter().filter(|s| s.executable);
            self.code_ranges = executable.map(|s| (s.vaddr, s.vaddr.saturating_add(s.filesz.min(s.memsz)))).collect();
        }
        let mut found = vec![];
        for s in self.segments.iter().filter(|s| !s.executable) {
            let start = s.file_offset as usize;
            let data = &self.view[start..start + s.filesz as usize];
            let skew = (8 - (s.vaddr % 8) as usize) % 8;
            if skew >= data.len() {
                continue;
            }
            for c in data[skew..].chunks_exact(8) {
                let v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                if self.is_code_address(v) {
                    found.push(v);
                }
            }
        }
        found.extend(self.formed_code_addresses());
        found.sort_unstable();
        found.dedup();
        self.code_pointers = found;
    }

    /// Code addresses that executable code forms with `adrp xN, page` followed (within a few
    /// instructions) by `add xD, xN, #offset`: how non-PIC AArch64 code takes a function's
    /// address to pass it as a callback (busybox hands its compressors to a driver this way); and
    /// those it forms with a single `adr`, within 1 MiB of itself: the bases of compact jump tables,
    /// and return addresses set by hand (glibc's swapcontext puts `adr x30, 1f` in the context it
    /// saves, and setcontext later returns there). A stray match only adds a candidate entry or
    /// leader, never changes behaviour.
    fn formed_code_addresses(&self) -> Vec<u64> {
        /// How far after the ADRP the ADD may come.
        const WINDOW: u64 = 8;
        let mut found = vec![];
        for &(start, end) in &self.code_ranges {
            let mut pc = start.saturating_add(3) & !3;
            while pc.saturating_add(4) <= end {
                let Some(adrp) = self.insn(pc) else { break };
                pc += 4;
                if adrp & 0x9f00_0000 == 0x1000_0000 {
                    // ADR: the address is the instruction's own plus a signed 21-bit offset.
                    let imm = ((adrp >> 29) & 3) as u64 | (((adrp >> 5) & 0x7ffff) as u64) << 2;
                    let target = (pc - 4).wrapping_add(((imm << 43) as i64 >> 43) as u64);
                    if self.is_code_address(target) {
                        found.push(target);
                    }
                    continue;
                }
                if adrp & 0x9f00_0000 != 0x9000_0000 {
                    continue;
                }
                let rd = adrp & 0x1f;
                let imm = ((adrp >> 29) & 3) as u64 | (((adrp >> 5) & 0x7ffff) as u64) << 2;
                let offset = ((imm << 43) as i64 >> 31) as u64; // sign-extend 21 bits, times 4096
                let page = ((pc - 4) & !0xfff).wrapping_add(offset);
                for at in (pc..pc.saturating_add(4 * WINDOW)).step_by(4) {
                    let Some(w) = self.insn(at) else { break };
                    // ADD (immediate), 64-bit, unshifted, reading the ADRP's register.
                    if w & 0xffc0_0000 == 0x9100_0000 && (w >> 5) & 0x1f == rd {
                        let target = page.wrapping_add(((w >> 10) & 0xfff) as u64);
                        if self.is_code_address(target) {
                            found.push(target);
                        }
                        break;
                    }
                }
            }
        }
        found
    }

    /// Whether `addr` can be a code address: 4-aligned, inside an executable section, readable.
    fn is_code_address(&self, addr: u64) -> bool {
        addr % 4 == 0 && self.code_ranges.iter().any(|&(s, e)| addr >= s && addr < e) && self.insn(addr).is_some()
    }

    /// The segment holding guest address `addr` (file-backed or not).
    fn segment(&self, addr: u64) -> Option<&Segment> {
        self.segments.iter().find(|s| addr >= s.vaddr && addr - s.vaddr < s.memsz)
    }

    /// The instruction word at `addr`, if it lies in the file-backed part of an executable segment.
    pub fn insn(&self, addr: u64) -> Option<u32> {
        if addr % 4 != 0 {
            return None;
        }
        let s = self.segments.iter().find(|s| s.executable && addr >= s.vaddr && addr - s.vaddr + 4 <= s.filesz)?;
        let off = (s.file_offset + addr - s.vaddr) as usize;
        Some(u32::from_le_bytes(self.view[off..off + 4].try_into().ok()?))
    }

    /// The file's bytes from guest address `addr` to the end of the file-backed part of its
    /// segment.
    fn file_bytes(&self, addr: u64) -> Option<&[u8]> {
        let s = self.segment(addr)?;
        let from = addr - s.vaddr;
        if from >= s.filesz {
            return None;
        }
        let start = usize::try_from(s.file_offset + from).ok()?;
        let end = usize::try_from(s.file_offset + s.filesz).ok()?;
        self.view.get(start..end)
    }

    /// `bytes` bytes of initial memory at `addr` (zero in the part beyond the file), little-endian.
    pub fn data(&self, addr: u64, bytes: usize) -> Option<u128> {
        let s = self.segment(addr)?;
        let mut buf = [0u8; 16];
        for (i, b) in buf.iter_mut().enumerate().take(bytes) {
            let a = addr.checked_add(i as u64)?;
            if a - s.vaddr >= s.memsz {
                return None;
            }
            if a - s.vaddr < s.filesz {
                *b = self.view[(s.file_offset + a - s.vaddr) as usize];
            }
        }
        Some(u128::from_le_bytes(buf))
    }

    /// True when `addr` lies in a writable segment (its contents may change at run time).
    pub fn is_writable(&self, addr: u64) -> bool {
        self.segment(addr).is_some_and(|s| s.writable)
    }
}

/// Collects FDE ranges from an `.eh_frame` section at `address`, and the address of each FDE's
/// LSDA with its function's start.
fn read_eh_frame(data: &[u8], address: u64, out: &mut BTreeMap<u64, u64>, lsdas: &mut Vec<(u64, u64)>) {
    use gimli::{BaseAddresses, CieOrFde, EhFrame, LittleEndian, UnwindSection};
    let eh = EhFrame::new(data, LittleEndian);
    let bases = BaseAddresses::default().set_eh_frame(address);
    let mut entries = eh.entries(&bases);
    // A malformed entry ends the walk: what was read so far is still good.
    while let Ok(Some(entry)) = entries.next() {
        if let CieOrFde::Fde(partial) = entry {
            if let Ok(fde) = partial.parse(|s, b, o| s.cie_from_offset(b, o)) {
                let start = fde.initial_address();
                out.insert(start, start.wrapping_add(fde.len()));
                if let Some(gimli::Pointer::Direct(lsda)) = fde.lsda() {
                    lsdas.push((start, lsda));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A minimal static AArch64 executable: one R+X segment holding `mov x0, #7; mov x8, #93; svc #0`.
    fn minimal() -> Vec<u8> {
        let code: [u32; 3] = [0xd28000e0, 0xd2800ba8, 0xd4000001];
        let mut b = vec![0u8; 0x78];
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = 2; // 64-bit
        b[5] = 1; // little-endian
        b[6] = 1; // version
        let put16 = |b: &mut Vec<u8>, off: usize, v: u16| b[off..off + 2].copy_from_slice(&v.to_le_bytes());
        let put32 = |b: &mut Vec<u8>, off: usize, v: u32| b[off..off + 4].copy_from_slice(&v.to_le_bytes());
        let put64 = |b: &mut Vec<u8>, off: usize, v: u64| b[off..off + 8].copy_from_slice(&v.to_le_bytes());
        put16(&mut b, 16, 2); // ET_EXEC
        put16(&mut b, 18, 183); // EM_AARCH64
        put32(&mut b, 20, 1);
        put64(&mut b, 24, 0x400078); // entry
        put64(&mut b, 32, 64); // phoff
        put16(&mut b, 52, 64); // ehsize
        put16(&mut b, 54, 56); // phentsize
        put16(&mut b, 56, 1); // phnum
        put16(&mut b, 58, 64); // shentsize
        let total = 0x78 + 4 * code.len() as u64;
        put32(&mut b, 64, 1); // PT_LOAD
        put32(&mut b, 68, 5); // R+X
        put64(&mut b, 72, 0);
        put64(&mut b, 80, 0x400000);
        put64(&mut b, 88, 0x400000);
        put64(&mut b, 96, total);
        put64(&mut b, 104, total);
        put64(&mut b, 112, 0x1000);
        for w in code {
            b.extend_from_slice(&w.to_le_bytes());
        }
        b
    }

    #[test]
    fn the_minimal_image_loads_and_lifts() {
        let img = GuestImage::parse("min", minimal()).expect("valid");
        assert_eq!(img.entry, 0x400078);
        assert_eq!(img.insn(0x400080), Some(0xd4000001));
        let found = crate::discover::discover(&img);
        assert_eq!(found.functions.len(), 1);
        assert!(found.unsupported.is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The loader and discovery never panic on a corrupted image: each gives an error or a
        /// program.
        #[test]
        fn corrupted_images_never_panic(edits in proptest::collection::vec((0usize..0x84, any::<u8>()), 1..8), cut in 0usize..0x90) {
            let mut b = minimal();
            for (i, v) in edits {
                b[i] = v;
            }
            b.truncate(cut.max(1));
            if let Ok(img) = GuestImage::parse("fuzz", b) {
                let _ = crate::discover::discover(&img);
            }
        }

        /// Arbitrary bytes, with and without an ELF magic in front.
        #[test]
        fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..512), magic in any::<bool>()) {
            if magic && bytes.len() >= 4 {
                bytes[..4].copy_from_slice(b"\x7fELF");
            }
            let _ = GuestImage::parse("fuzz", bytes);
        }
    }
}
