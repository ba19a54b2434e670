//! Real libraries with hand-written assembly, jump tables and code written at run time, from
//! Debian's arm64 packages, linked statically under small drivers in `libraries/`:
//!
//! - OpenSSL 3's libcrypto (`libssl-dev`'s `libcrypto.a`, `openssl_crypto.c`). OpenSSL picks its
//!   routines by AT_HWCAP: with what vmtrans advertises, the ARMv8 crypto-extension assembly
//!   (AESE/AESMC, PMULL, SHA256H, SHA512H, EOR3, ...); with `OPENSSL_armcap=0x1` (NEON only),
//!   vector-permute AES built on TBL and table-driven GHASH. Both paths once broke: TBL and the AES
//!   instructions were so large that the AES functions were compiled as at -O0 and ran slower than
//!   qemu, and `aes_v8_set_decrypt_key` reads x2 and x12 that `aes_v8_set_encrypt_key` leaves,
//!   which the call convention had dropped.
//! - PCRE2 (`libpcre2-dev`'s `libpcre2-8.a`, `pcre2_match.c`), interpreted and JIT-compiled. Its
//!   interpreter's jump tables keep their bases in callee-saved registers across code that GCC
//!   placed after `bl __stack_chk_fail` (once unrecovered: the loop ran in the fallback engine,
//!   a hundred times slower than qemu); its JIT writes code at run time and reuses the buffer for
//!   the next pattern after an IC IVAU (once ignored: the previous pattern's code ran).
//!
//! Each program is translated once and every run compared with qemu-aarch64 running the same
//! binary with the same arguments and environment: exit status and standard output must be equal,
//! with no guest instruction in the fallback engine except where a JIT's code runs.
//!
//! The packages are fetched with `scripts/fetch-deb.sh` into `$DEBIAN_CACHE` (default
//! `.cache/debian`); a failure to fetch fails the test.

use vmtrans_testsuite::static_libraries::{compare_with_qemu, link, package, Case, LIBRARY_DIR};
use vmtrans_testsuite::{fetch_debian_packages, find_in_path, require_vmtrans, suite_dir, ScratchDir, QEMU};

#[test]
fn translated_libraries_match_qemu() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let cache = fetch_debian_packages(&["libssl-dev:arm64".to_string(), "libpcre2-dev:arm64".to_string()]);
    let scratch = ScratchDir::new("libraries").expect("a scratch directory");
    let sources = suite_dir().join("libraries");

    let ssl = package(&cache, "libssl-dev");
    let openssl = scratch.path().join("openssl_crypto");
    link(
        &[
            "-O2".as_ref(),
            "-I".as_ref(),
            ssl.join("usr/include").as_os_str(),
            "-I".as_ref(),
            ssl.join("usr/include/aarch64-linux-gnu").as_os_str(),
            sources.join("openssl_crypto.c").as_os_str(),
            ssl.join(LIBRARY_DIR).join("libcrypto.a").as_os_str(),
            "-lpthread".as_ref(),
        ],
        &openssl,
    );
    let pcre2_dev = package(&cache, "libpcre2-dev");
    let pcre2 = scratch.path().join("pcre2_match");
    link(
        &[
            "-O2".as_ref(),
            "-I".as_ref(),
            pcre2_dev.join("usr/include").as_os_str(),
            sources.join("pcre2_match.c").as_os_str(),
            pcre2_dev.join(LIBRARY_DIR).join("libpcre2-8.a").as_os_str(),
        ],
        &pcre2,
    );

    let run = |name, guest: &std::path::Path, args: &[&str], env: Vec<(&'static str, String)>, jit| Case {
        name,
        guest: guest.to_path_buf(),
        args: args.iter().map(|a| a.to_string()).collect(),
        env,
        oracle_must_print: "\ndone\n",
        runs_generated_code: jit,
    };
    let cases = [
        run("openssl_advertised", &openssl, &["1"], vec![], false),
        run("openssl_neon_only", &openssl, &["1"], vec![("OPENSSL_armcap", "0x1".into())], false),
        run("pcre2_interpreted", &pcre2, &["1", "0"], vec![], false),
        // The JIT's code runs in the fallback engine: a smaller text keeps that short.
        run("pcre2_jit", &pcre2, &["1", "1", "100000"], vec![], true),
    ];
    let failures = compare_with_qemu(&cases, &vmtrans, &qemu, scratch.path());
    assert!(failures.is_empty(), "{} of {} runs differ:\n\n{}", failures.len(), cases.len(), failures.join("\n"));
}
