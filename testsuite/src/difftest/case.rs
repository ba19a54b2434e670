//! Test cases and machine states: the data both the oracle and the candidates consume, with the
//! fixed addresses every engine must use and the byte layout of the oracle's state block.

/// Where the memory window lives in every engine.
pub const WINDOW_ADDR: u64 = 0x1000_0000;
/// The window's size in bytes.
pub const WINDOW_SIZE: usize = 4096;
/// Where the oracle's case slots start; slot `i` is `CASES_ADDR + i * SLOT_SIZE`.
pub const CASES_ADDR: u64 = 0x0100_0000;
/// The size of one case slot in the oracle.
pub const SLOT_SIZE: u64 = 256;
/// The bytes of a slot's prologue, which loads the general registers before the case's code.
pub const PROLOGUE_BYTES: u64 = 72;
/// The most instruction words one case may hold (the slot also holds the prologue and a branch).
pub const MAX_CODE_WORDS: usize = ((SLOT_SIZE - PROLOGUE_BYTES) / 4 - 1) as usize;
/// The size of the state block (see testsuite/difftest/harness.S for its layout).
pub const STATE_BYTES: usize = 800;

/// The address at which the code of the case in batch slot `slot` runs, in every engine (so
/// that PC-relative results agree).
pub fn code_addr(slot: usize) -> u64 {
    CASES_ADDR + slot as u64 * SLOT_SIZE + PROLOGUE_BYTES
}

/// Everything a case reads or writes: the architectural state the tester compares.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MachineState {
    /// x0..x30.
    pub x: [u64; 31],
    pub sp: u64,
    /// The NZCV register's value: N, Z, C, V in bits 31..28, all other bits zero.
    pub nzcv: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    /// v0..v31, little-endian.
    pub v: [u128; 32],
    /// The memory window's bytes (`WINDOW_SIZE` of them, at `WINDOW_ADDR`).
    pub mem: Vec<u8>,
}

impl Default for MachineState {
    fn default() -> Self {
        MachineState {
            x: [0; 31],
            sp: WINDOW_ADDR + WINDOW_SIZE as u64 / 2,
            nzcv: 0,
            fpcr: 0,
            fpsr: 0,
            v: [0; 32],
            mem: vec![0; WINDOW_SIZE],
        }
    }
}

impl MachineState {
    /// The state block the oracle harness reads and writes (without the window).
    pub fn to_block(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(STATE_BYTES);
        for x in self.x.iter().chain([&self.sp, &self.nzcv, &self.fpcr, &self.fpsr, &0]) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for v in &self.v {
            out.extend_from_slice(&v.to_le_bytes());
        }
        debug_assert_eq!(out.len(), STATE_BYTES);
        out
    }

    /// Reads a state block and a window back; `None` when either has the wrong size.
    pub fn from_block(block: &[u8], window: &[u8]) -> Option<MachineState> {
        if block.len() != STATE_BYTES || window.len() != WINDOW_SIZE {
            return None;
        }
        let word = |i: usize| u64::from_le_bytes(block[8 * i..8 * i + 8].try_into().unwrap_or_default());
        let vec = |i: usize| u128::from_le_bytes(block[288 + 16 * i..304 + 16 * i].try_into().unwrap_or_default());
        Some(MachineState {
            x: std::array::from_fn(word),
            sp: word(31),
            nzcv: word(32),
            fpcr: word(33),
            fpsr: word(34),
            v: std::array::from_fn(vec),
            mem: window.to_vec(),
        })
    }

    /// Writes `bytes` into the window at guest address `addr` (which must lie inside it).
    pub fn poke(&mut self, addr: u64, bytes: &[u8]) {
        let off = (addr - WINDOW_ADDR) as usize;
        self.mem[off..off + bytes.len()].copy_from_slice(bytes);
    }
}

/// One test: an instruction class, instruction words and the state they start from.
#[derive(Clone, Debug)]
pub struct Case {
    /// The generator's class name (used for counts and known failures).
    pub class: &'static str,
    /// The instructions, run from the first until control passes the last.
    pub code: Vec<u32>,
    pub init: MachineState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_round_trips() {
        let mut s = MachineState::default();
        for (i, x) in s.x.iter_mut().enumerate() {
            *x = i as u64 * 0x0101_0101_0101_0101;
        }
        s.nzcv = 0xa000_0000;
        s.fpsr = 0x8;
        for (i, v) in s.v.iter_mut().enumerate() {
            *v = (i as u128) << 100 | 77;
        }
        s.mem[5] = 9;
        let back = MachineState::from_block(&s.to_block(), &s.mem).expect("sizes");
        assert_eq!(back, s);
        assert_eq!(code_addr(1), CASES_ADDR + SLOT_SIZE + PROLOGUE_BYTES);
        assert_eq!(MAX_CODE_WORDS, 45);
    }
}
