//! A real library's hand-written assembly: OpenSSL 3's libcrypto from Debian's arm64
//! `libssl-dev` (its `libcrypto.a`, linked statically under `libraries/openssl_crypto.c`). OpenSSL
//! picks its routines by AT_HWCAP: with what vmtrans advertises, the ARMv8 crypto-extension
//! assembly (AESE/AESMC, PMULL, SHA256H, SHA512H, EOR3, ...); with `OPENSSL_armcap=0x1` (NEON
//! only), vector-permute AES built on TBL and table-driven GHASH. The program is translated once
//! and run both ways against qemu-aarch64 running the same binary with the same setting: exit
//! status and standard output must be equal, with no guest instruction in the fallback engine.
//! Both paths once broke here: TBL and the AES instructions were so large that the AES functions
//! were compiled as at -O0 and ran slower than qemu, and `aes_v8_set_decrypt_key` reads x2 and x12
//! that `aes_v8_set_encrypt_key` leaves, which the call convention had dropped.
//!
//! The package is fetched with `scripts/fetch-deb.sh` into `$DEBIAN_CACHE` (default
//! `.cache/debian`); a failure to fetch fails the test.

use vmtrans_testsuite::static_libraries::{compare_with_qemu, link, package, Case, LIBRARY_DIR};
use vmtrans_testsuite::{fetch_debian_packages, find_in_path, require_vmtrans, suite_dir, ScratchDir, QEMU};

#[test]
fn translated_openssl_matches_qemu_on_both_of_its_paths() {
    let vmtrans = require_vmtrans().unwrap_or_else(|message| panic!("{message}"));
    let qemu = find_in_path(QEMU).unwrap_or_else(|| panic!("{QEMU} is not installed (Debian package qemu-user)"));
    let cache = fetch_debian_packages(&["libssl-dev:arm64".to_string()]);
    let scratch = ScratchDir::new("libraries").expect("a scratch directory");
    let dev = package(&cache, "libssl-dev");
    let guest = scratch.path().join("openssl_crypto");
    link(
        &[
            "-O2".as_ref(),
            "-I".as_ref(),
            dev.join("usr/include").as_os_str(),
            "-I".as_ref(),
            dev.join("usr/include/aarch64-linux-gnu").as_os_str(),
            suite_dir().join("libraries/openssl_crypto.c").as_os_str(),
            dev.join(LIBRARY_DIR).join("libcrypto.a").as_os_str(),
            "-lpthread".as_ref(),
        ],
        &guest,
    );
    let cases = [
        Case {
            name: "openssl_advertised",
            guest: guest.clone(),
            args: vec!["1".into()],
            env: vec![],
            oracle_must_print: "\ndone\n",
        },
        Case {
            name: "openssl_neon_only",
            guest,
            args: vec!["1".into()],
            env: vec![("OPENSSL_armcap", "0x1".into())],
            oracle_must_print: "\ndone\n",
        },
    ];
    let failures = compare_with_qemu(&cases, &vmtrans, &qemu, scratch.path());
    assert!(failures.is_empty(), "{} of {} runs differ:\n\n{}", failures.len(), cases.len(), failures.join("\n"));
}
