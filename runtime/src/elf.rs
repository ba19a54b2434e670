//! Reading the embedded guest ELF image: the file header and program headers of an AArch64,
//! little-endian, 64-bit, statically linked executable (ET_EXEC, or a static PIE: ET_DYN without
//! an interpreter, placed at `STATIC_PIE_BASE` as the translator assumed), parsed by hand with
//! every offset and length checked (a bad image is an error message, never a panic), and mapping
//! its PT_LOAD segments into the guest address space.

use vmtrans_ir::a64::state::STATIC_PIE_BASE;

use crate::memory::{self, page_down, page_up, GUEST_SPACE_SIZE};
use crate::vma::{PROT_EXEC, PROT_READ, PROT_WRITE};

const EM_AARCH64: u16 = 183;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;
/// The size of an ELF64 program header.
pub const PHDR_SIZE: u16 = 56;

/// One PT_LOAD segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub offset: u64,
    pub file_size: u64,
    pub mem_size: u64,
    /// Guest protection bits (PROT_READ/WRITE/EXEC).
    pub prot: u32,
}

/// What the loader and the initial stack need from the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestImage {
    pub entry: u64,
    /// The guest address of the program headers (for AT_PHDR).
    pub phdr_addr: u64,
    pub phnum: u16,
    pub segments: Vec<Segment>,
}

impl GuestImage {
    /// The page-aligned end of the highest segment: where brk starts.
    pub fn end(&self) -> u64 {
        self.segments.iter().map(|s| page_up(s.vaddr + s.mem_size)).max().unwrap_or(0)
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

/// Parses and validates the image's headers.
pub fn parse(image: &[u8]) -> Result<GuestImage, String> {
    let truncated = || "truncated ELF headers".to_string();
    if image.get(0..4) != Some(b"\x7fELF".as_slice()) {
        return Err("not an ELF file".into());
    }
    if image.get(4) != Some(&2) || image.get(5) != Some(&1) {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let e_type = u16_at(image, 16).ok_or_else(truncated)?;
    let machine = u16_at(image, 18).ok_or_else(truncated)?;
    if machine != EM_AARCH64 {
        return Err(format!("ELF machine {machine} is not AArch64"));
    }
    // Every address in the file is `bias` lower than where the program runs.
    let bias = match e_type {
        ET_EXEC => 0,
        ET_DYN => STATIC_PIE_BASE,
        _ => return Err(format!("ELF type {e_type} is not an executable (ET_EXEC or ET_DYN)")),
    };
    let entry = u64_at(image, 24).ok_or_else(truncated)?.checked_add(bias).ok_or_else(truncated)?;
    let phoff = u64_at(image, 32).ok_or_else(truncated)?;
    let phentsize = u16_at(image, 54).ok_or_else(truncated)?;
    let phnum = u16_at(image, 56).ok_or_else(truncated)?;
    if phentsize != PHDR_SIZE {
        return Err(format!("unexpected program header size {phentsize}"));
    }
    let mut segments = Vec::new();
    let mut phdr_segment_addr = None;
    for index in 0..phnum as u64 {
        let at = phoff
            .checked_add(index * PHDR_SIZE as u64)
            .and_then(|at| usize::try_from(at).ok())
            .ok_or_else(truncated)?;
        let field = |off: usize| u64_at(image, at + off).ok_or_else(truncated);
        let p_type = u32_at(image, at).ok_or_else(truncated)?;
        let flags = u32_at(image, at + 4).ok_or_else(truncated)?;
        let (offset, file_size, mem_size) = (field(8)?, field(32)?, field(40)?);
        let vaddr = field(16)?.checked_add(bias).ok_or_else(|| "segment address overflows".to_string())?;
        match p_type {
            PT_INTERP => return Err("the guest is dynamically linked (PT_INTERP); only static guests run".into()),
            PT_PHDR => phdr_segment_addr = Some(vaddr),
            PT_LOAD => {
                let file_end = offset.checked_add(file_size).ok_or_else(truncated)?;
                let mem_end = vaddr.checked_add(mem_size).filter(|&end| end <= GUEST_SPACE_SIZE);
                if file_end > image.len() as u64 || file_size > mem_size || mem_end.is_none() {
                    return Err(format!("bad PT_LOAD segment at {vaddr:#x}"));
                }
                let mut prot = 0;
                if flags & PF_R != 0 {
                    prot |= PROT_READ;
                }
                if flags & PF_W != 0 {
                    prot |= PROT_WRITE;
                }
                if flags & PF_X != 0 {
                    prot |= PROT_EXEC;
                }
                segments.push(Segment { vaddr, offset, file_size, mem_size, prot });
            }
            _ => {}
        }
    }
    if segments.is_empty() {
        return Err("no PT_LOAD segment".into());
    }
    // Without PT_PHDR, the headers are wherever the segment holding file offset e_phoff puts them.
    let phdr_addr = phdr_segment_addr
        .or_else(|| {
            segments
                .iter()
                .find(|s| s.offset <= phoff && phoff < s.offset + s.file_size)
                .map(|s| s.vaddr + (phoff - s.offset))
        })
        .unwrap_or(0);
    Ok(GuestImage { entry, phdr_addr, phnum, segments })
}

/// Maps every PT_LOAD segment of `image` at its guest address: pages are made writable, the file
/// bytes copied in (the rest stays zero: the bss and the tails of partial pages), and then each page
/// given the union of the protections of the segments that touch it.
pub fn load(image: &[u8], parsed: &GuestImage) -> Result<(), String> {
    let rw = PROT_READ | PROT_WRITE;
    // Pages: (start, end) of every segment, merged where segments share pages.
    let mut ranges: Vec<(u64, u64)> =
        parsed.segments.iter().map(|s| (page_down(s.vaddr), page_up(s.vaddr + s.mem_size))).collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut space = memory::space();
    for &(start, end) in &merged {
        let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        space
            .map_fixed(start, end - start, rw, flags, -1, 0)
            .map_err(|e| format!("cannot map guest pages at {start:#x}: errno {}", e.0))?;
    }
    drop(space);
    for segment in &parsed.segments {
        let bytes = &image[segment.offset as usize..(segment.offset + segment.file_size) as usize];
        memory::write_bytes(segment.vaddr, bytes)
            .map_err(|_| format!("cannot fill segment at {:#x}", segment.vaddr))?;
    }
    let mut space = memory::space();
    // Final protections, page by page where segments share a page, else segment by segment.
    for segment in &parsed.segments {
        let (start, end) = (page_down(segment.vaddr), page_up(segment.vaddr + segment.mem_size));
        let mut page = start;
        while page < end {
            let prot = parsed
                .segments
                .iter()
                .filter(|s| page_down(s.vaddr) <= page && page < page_up(s.vaddr + s.mem_size))
                .fold(0, |acc, s| acc | s.prot);
            // Runs of pages with this segment's protection alone go in one call.
            let run_end = if prot == segment.prot {
                next_shared_page(parsed, segment, page, end)
            } else {
                page + memory::PAGE_SIZE
            };
            space
                .protect(page, run_end - page, prot)
                .map_err(|e| format!("cannot protect guest pages at {page:#x}: errno {}", e.0))?;
            page = run_end;
        }
    }
    Ok(())
}

/// The first page at or after `from` (below `end`) that `segment` shares with another segment.
fn next_shared_page(parsed: &GuestImage, segment: &Segment, from: u64, end: u64) -> u64 {
    let mut page = from + memory::PAGE_SIZE;
    while page < end {
        let shared = parsed
            .segments
            .iter()
            .any(|s| !std::ptr::eq(s, segment) && page_down(s.vaddr) <= page && page < page_up(s.vaddr + s.mem_size));
        if shared {
            return page;
        }
        page += memory::PAGE_SIZE;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a minimal ELF64 AArch64 executable header with the given program headers.
    fn image_with(e_type: u16, phdrs: &[(u32, u32, u64, u64, u64, u64)]) -> Vec<u8> {
        let mut image = vec![0u8; 64 + phdrs.len() * 56 + 0x100];
        image[0..4].copy_from_slice(b"\x7fELF");
        image[4] = 2;
        image[5] = 1;
        image[16..18].copy_from_slice(&e_type.to_le_bytes());
        image[18..20].copy_from_slice(&EM_AARCH64.to_le_bytes());
        image[24..32].copy_from_slice(&0x400100u64.to_le_bytes());
        image[32..40].copy_from_slice(&64u64.to_le_bytes());
        image[54..56].copy_from_slice(&56u16.to_le_bytes());
        image[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        for (i, &(p_type, flags, offset, vaddr, filesz, memsz)) in phdrs.iter().enumerate() {
            let at = 64 + i * 56;
            image[at..at + 4].copy_from_slice(&p_type.to_le_bytes());
            image[at + 4..at + 8].copy_from_slice(&flags.to_le_bytes());
            image[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
            image[at + 16..at + 24].copy_from_slice(&vaddr.to_le_bytes());
            image[at + 32..at + 40].copy_from_slice(&filesz.to_le_bytes());
            image[at + 40..at + 48].copy_from_slice(&memsz.to_le_bytes());
        }
        image
    }

    #[test]
    fn parses_segments_and_finds_the_program_headers() {
        let image = image_with(
            ET_EXEC,
            &[(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x100, 0x100), (PT_LOAD, PF_R | PF_W, 0x100, 0x410000, 0x10, 0x2000)],
        );
        let parsed = parse(&image).unwrap();
        assert_eq!(parsed.entry, 0x400100);
        assert_eq!(parsed.phdr_addr, 0x400040);
        assert_eq!(parsed.phnum, 2);
        assert_eq!(parsed.segments[0].prot, PROT_READ | PROT_EXEC);
        assert_eq!(parsed.segments[1].prot, PROT_READ | PROT_WRITE);
        assert_eq!(parsed.end(), 0x412000);
    }

    #[test]
    fn a_static_pie_is_placed_at_its_base() {
        let image = image_with(ET_DYN, &[(PT_LOAD, PF_R | PF_X, 0, 0, 0x100, 0x100)]);
        let parsed = parse(&image).unwrap();
        assert_eq!(parsed.entry, STATIC_PIE_BASE + 0x400100);
        assert_eq!(parsed.segments[0].vaddr, STATIC_PIE_BASE);
        assert_eq!(parsed.phdr_addr, STATIC_PIE_BASE + 0x40);
    }

    #[test]
    fn rejects_bad_images_without_panicking() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\x7fELF\x02\x01").is_err());
        assert!(parse(&image_with(1, &[(PT_LOAD, PF_R, 0, 0x400000, 0x10, 0x10)])).is_err());
        assert!(parse(&image_with(ET_DYN, &[(PT_LOAD, PF_R, 0, u64::MAX - 0x1000, 0x10, 0x10)])).is_err());
        assert!(parse(&image_with(ET_EXEC, &[(PT_INTERP, PF_R, 0, 0, 0, 0)])).is_err());
        assert!(parse(&image_with(ET_EXEC, &[(PT_LOAD, PF_R, 0, 0x400000, 0x10_0000, 0x10_0000)])).is_err());
        assert!(parse(&image_with(ET_EXEC, &[(PT_LOAD, PF_R, 0, u64::MAX - 4, 0x10, 0x10)])).is_err());
        assert!(parse(&image_with(ET_EXEC, &[])).is_err());
        let mut truncated = image_with(ET_EXEC, &[(PT_LOAD, PF_R, 0, 0x400000, 0x10, 0x10)]);
        truncated.truncate(80);
        assert!(parse(&truncated).is_err());
    }
}
