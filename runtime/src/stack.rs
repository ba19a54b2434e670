//! The guest's initial stack, laid out as Linux's `create_elf_tables` (fs/binfmt_elf.c) does for an
//! AArch64 process: from the top, an 8-byte null end marker, the AT_EXECFN path, the environment
//! strings, the argument strings, the platform string, 16 random bytes; then, from the 16-byte
//! aligned stack pointer upwards, argc, the argv pointers and a null, the envp pointers and a null,
//! and the auxiliary vector of (type, value) pairs ending with AT_NULL.
//!
//! `build` lays it out into a byte buffer for a given top address, so it can be checked without a
//! guest; start-up copies the buffer into the guest stack.

pub const AT_NULL: u64 = 0;
pub const AT_PHDR: u64 = 3;
pub const AT_PHENT: u64 = 4;
pub const AT_PHNUM: u64 = 5;
pub const AT_PAGESZ: u64 = 6;
pub const AT_BASE: u64 = 7;
pub const AT_FLAGS: u64 = 8;
pub const AT_ENTRY: u64 = 9;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
pub const AT_PLATFORM: u64 = 15;
pub const AT_HWCAP: u64 = 16;
pub const AT_CLKTCK: u64 = 17;
pub const AT_SECURE: u64 = 23;
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_EXECFN: u64 = 31;

/// The CPU features advertised in AT_HWCAP (arch/arm64/include/uapi/asm/hwcap.h). Add bits only as
/// the lifter implements the instructions they promise: glibc's start-up, libgcc's outline atomics
/// and libraries such as OpenSSL pick routines by them. Advertised: FP (bit 0), ASIMD (1), AES (3),
/// PMULL (4), SHA1 (5), SHA2 (6), CRC32 (7), ATOMICS (8, the LSE atomics), FPHP (9) and ASIMDHP
/// (10, every scalar and Advanced SIMD half-precision form), ASIMDRDM (12), JSCVT (13, FJCVTZS),
/// FCMA (14, FCMLA and FCADD in every form), LRCPC (15, LDAPR), SHA3 (17), ASIMDDP (20), SHA512
/// (21), ASIMDFHM (23, FMLAL/FMLSL), ILRCPC (26, LDAPUR/STLUR) and FLAGM (27, CFINV/RMIF/SETF8/
/// SETF16); in AT_HWCAP2, FLAGM2 (bit 7, AXFLAG/XAFLAG), FRINT (8) and I8MM (13). The AES steps and
/// PMULL of 64-bit elements run as AES-NI and PCLMULQDQ instructions on the host, so OpenSSL's
/// AES and GHASH with them run several times faster than its vector-permute fallbacks. The
/// identification registers the lifter emulates (`sem/system.rs`) agree.
pub const GUEST_HWCAP: u64 = (1 << 0)
    | (1 << 1)
    | (1 << 3)
    | (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 7)
    | (1 << 8)
    | (1 << 9)
    | (1 << 10)
    | (1 << 12)
    | (1 << 13)
    | (1 << 14)
    | (1 << 15)
    | (1 << 17)
    | (1 << 20)
    | (1 << 21)
    | (1 << 23)
    | (1 << 26)
    | (1 << 27);
/// The features advertised in AT_HWCAP2: FLAGM2 (bit 7), FRINT (8, FRINT32Z/X and FRINT64Z/X,
/// scalar and vector) and I8MM (13: SMMLA, UMMLA, USMMLA, USDOT, SUDOT).
pub const GUEST_HWCAP2: u64 = (1 << 7) | (1 << 8) | (1 << 13);
/// The string AT_PLATFORM points at.
pub const PLATFORM: &[u8] = b"aarch64";

/// The facts about the process that go into the auxiliary vector.
#[derive(Clone, Debug)]
pub struct ProcessInfo {
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub entry: u64,
    pub uid: u64,
    pub euid: u64,
    pub gid: u64,
    pub egid: u64,
    pub random: [u8; 16],
}

/// A laid-out initial stack: `bytes` belong at guest addresses `[sp, top)`.
#[derive(Clone, Debug)]
pub struct InitialStack {
    pub sp: u64,
    pub bytes: Vec<u8>,
}

/// Places strings downward from a cursor, remembering each one's guest address.
struct StringArea {
    cursor: u64,
    pieces: Vec<(u64, Vec<u8>)>,
}

impl StringArea {
    /// Places `strings` as one block below the cursor, in order, each NUL-terminated; returns their addresses.
    fn push_block(&mut self, strings: &[&[u8]]) -> Option<Vec<u64>> {
        let total = strings.iter().try_fold(0u64, |acc, s| acc.checked_add(s.len() as u64 + 1))?;
        self.cursor = self.cursor.checked_sub(total)?;
        let mut at = self.cursor;
        let mut addrs = Vec::with_capacity(strings.len());
        for s in strings {
            let mut bytes = s.to_vec();
            bytes.push(0);
            addrs.push(at);
            at += bytes.len() as u64;
            self.pieces.push((addrs[addrs.len() - 1], bytes));
        }
        Some(addrs)
    }

    /// Places raw bytes below the cursor; returns their address.
    fn push_bytes(&mut self, bytes: &[u8]) -> Option<u64> {
        self.cursor = self.cursor.checked_sub(bytes.len() as u64)?;
        self.pieces.push((self.cursor, bytes.to_vec()));
        Some(self.cursor)
    }
}

/// The auxiliary vector given to the guest at start-up, as /proc/self/auxv shows it (key and value
/// words, little-endian, ending with AT_NULL).
pub static GUEST_AUXV: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();

/// Lays out the initial stack below guest address `top` (16-byte aligned). `None` when it does not fit
/// below `top` or exceeds `limit` bytes.
pub fn build(
    top: u64,
    args: &[&[u8]],
    env: &[&[u8]],
    execfn: &[u8],
    info: &ProcessInfo,
    limit: u64,
) -> Option<InitialStack> {
    let mut area = StringArea { cursor: top, pieces: Vec::new() };
    area.push_bytes(&[0u8; 8])?;
    let execfn_addr = area.push_block(&[execfn])?[0];
    let env_addrs = area.push_block(env)?;
    let arg_addrs = area.push_block(args)?;
    let platform_addr = area.push_block(&[PLATFORM])?[0];
    area.cursor &= !15;
    let random_addr = area.push_bytes(&info.random)?;

    let aux: [(u64, u64); 19] = [
        (AT_HWCAP, GUEST_HWCAP),
        (AT_PAGESZ, 4096),
        (AT_CLKTCK, 100),
        (AT_PHDR, info.phdr),
        (AT_PHENT, info.phent),
        (AT_PHNUM, info.phnum),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, info.entry),
        (AT_UID, info.uid),
        (AT_EUID, info.euid),
        (AT_GID, info.gid),
        (AT_EGID, info.egid),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, GUEST_HWCAP2),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform_addr),
        (AT_NULL, 0),
    ];
    let mut auxv = Vec::with_capacity(aux.len() * 16);
    for (key, value) in aux {
        auxv.extend_from_slice(&key.to_le_bytes());
        auxv.extend_from_slice(&value.to_le_bytes());
    }
    let _ = GUEST_AUXV.set(auxv);
    let mut words: Vec<u64> = Vec::new();
    words.push(args.len() as u64);
    words.extend(&arg_addrs);
    words.push(0);
    words.extend(&env_addrs);
    words.push(0);
    for (key, value) in aux {
        words.extend([key, value]);
    }
    let sp = area.cursor.checked_sub(words.len() as u64 * 8)? & !15;
    if top - sp > limit {
        return None;
    }

    let mut bytes = vec![0u8; (top - sp) as usize];
    for (i, word) in words.iter().enumerate() {
        let at = i * 8;
        bytes[at..at + 8].copy_from_slice(&word.to_le_bytes());
    }
    for (addr, piece) in &area.pieces {
        let at = (addr - sp) as usize;
        bytes[at..at + piece.len()].copy_from_slice(piece);
    }
    Some(InitialStack { sp, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOP: u64 = 0x7f_0000_0000;

    fn info() -> ProcessInfo {
        ProcessInfo {
            phdr: 0x400040,
            phent: 56,
            phnum: 7,
            entry: 0x400580,
            uid: 1000,
            euid: 1001,
            gid: 100,
            egid: 101,
            random: *b"0123456789abcdef",
        }
    }

    /// Reads the word at guest address `addr` of the laid-out stack.
    fn word(stack: &InitialStack, addr: u64) -> u64 {
        let at = (addr - stack.sp) as usize;
        u64::from_le_bytes(stack.bytes[at..at + 8].try_into().unwrap())
    }

    /// Reads the NUL-terminated string at guest address `addr`.
    fn string(stack: &InitialStack, addr: u64) -> Vec<u8> {
        let at = (addr - stack.sp) as usize;
        stack.bytes[at..].iter().take_while(|&&b| b != 0).copied().collect()
    }

    #[test]
    fn layout_matches_the_kernel_abi_field_by_field() {
        let args: [&[u8]; 3] = [b"/bin/prog", b"first arg", b""];
        let env: [&[u8]; 2] = [b"HOME=/root", b"LANG=C"];
        let stack = build(TOP, &args, &env, b"/bin/prog", &info(), 1 << 20).unwrap();
        assert_eq!(stack.sp % 16, 0);
        assert_eq!(stack.sp + stack.bytes.len() as u64, TOP);
        // argc, argv[], NULL.
        let mut at = stack.sp;
        assert_eq!(word(&stack, at), 3);
        at += 8;
        for arg in args {
            assert_eq!(string(&stack, word(&stack, at)), arg);
            at += 8;
        }
        assert_eq!(word(&stack, at), 0);
        at += 8;
        // envp[], NULL.
        for var in env {
            assert_eq!(string(&stack, word(&stack, at)), var);
            at += 8;
        }
        assert_eq!(word(&stack, at), 0);
        at += 8;
        // auxv pairs up to AT_NULL.
        let mut aux = std::collections::HashMap::new();
        loop {
            let (key, value) = (word(&stack, at), word(&stack, at + 8));
            at += 16;
            if key == AT_NULL {
                break;
            }
            assert!(aux.insert(key, value).is_none(), "duplicate auxv entry {key}");
        }
        assert_eq!(aux[&AT_PHDR], 0x400040);
        assert_eq!(aux[&AT_PHENT], 56);
        assert_eq!(aux[&AT_PHNUM], 7);
        assert_eq!(aux[&AT_PAGESZ], 4096);
        assert_eq!(aux[&AT_BASE], 0);
        assert_eq!(aux[&AT_FLAGS], 0);
        assert_eq!(aux[&AT_ENTRY], 0x400580);
        assert_eq!((aux[&AT_UID], aux[&AT_EUID], aux[&AT_GID], aux[&AT_EGID]), (1000, 1001, 100, 101));
        assert_eq!(aux[&AT_SECURE], 0);
        // HWCAP_FP | HWCAP_ASIMD | HWCAP_AES | HWCAP_PMULL | HWCAP_SHA1 | HWCAP_SHA2 | HWCAP_CRC32 |
        // HWCAP_ATOMICS | HWCAP_FPHP | HWCAP_ASIMDHP | HWCAP_ASIMDRDM | HWCAP_JSCVT | HWCAP_FCMA | HWCAP_LRCPC |
        // HWCAP_SHA3 | HWCAP_ASIMDDP | HWCAP_SHA512 | HWCAP_ASIMDFHM | HWCAP_ILRCPC | HWCAP_FLAGM, and HWCAP2_FLAGM2 |
        // HWCAP2_FRINT | HWCAP2_I8MM,
        // with the bit numbers of arch/arm64/include/uapi/asm/hwcap.h.
        assert_eq!(aux[&AT_HWCAP], 0x0cb2_f7fb);
        assert_eq!(aux[&AT_HWCAP2], 0x2180);
        assert_eq!(aux[&AT_CLKTCK], 100);
        assert_eq!(string(&stack, aux[&AT_PLATFORM]), b"aarch64");
        assert_eq!(string(&stack, aux[&AT_EXECFN]), b"/bin/prog");
        let random = aux[&AT_RANDOM];
        let at_random = (random - stack.sp) as usize;
        assert_eq!(&stack.bytes[at_random..at_random + 16], b"0123456789abcdef");
        // The strings lie above the tables, and the top word is the null end marker.
        assert!(random >= at);
        assert_eq!(word(&stack, TOP - 8), 0);
        // Argument strings sit below the environment strings, as exec copies them.
        assert!(word(&stack, stack.sp + 8) < word(&stack, stack.sp + 8 * 5));
    }

    #[test]
    fn oversized_stacks_are_refused() {
        let big = vec![b'x'; 5000];
        assert!(build(TOP, &[&big], &[], b"p", &info(), 4096).is_none());
        assert!(build(64, &[b"p"], &[], b"p", &info(), 4096).is_none());
    }
}
