//! Linking the translated object with the runtime library into one executable, with the host's
//! C compiler driver (as a position-independent executable, so the host program never sits on
//! the guest's fixed addresses).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The file name of the runtime library.
pub const RUNTIME_LIB: &str = "libvmtrans_runtime.a";

/// Finds the runtime library: `explicit` if given, else `$VMTRANS_RUNTIME`, else next to the
/// `vmtrans` executable (where `cargo build` puts both).
pub fn find_runtime(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        if p.is_file() {
            return Ok(p.to_path_buf());
        }
        bail!("runtime library {} does not exist", p.display());
    }
    if let Some(p) = std::env::var_os("VMTRANS_RUNTIME") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        bail!("VMTRANS_RUNTIME names {}, which does not exist", p.display());
    }
    let exe = std::env::current_exe().context("cannot find the vmtrans executable's path")?;
    let beside = exe.parent().map(|d| d.join(RUNTIME_LIB));
    match beside {
        Some(p) if p.is_file() => Ok(p),
        _ => bail!(
            "runtime library {RUNTIME_LIB} not found next to {}; build it with `cargo build --release -p vmtrans-runtime` or pass --runtime",
            exe.display()
        ),
    }
}

/// Links `objects` and `runtime` into the executable `out`.
pub fn link(objects: &[PathBuf], runtime: &Path, out: &Path) -> Result<()> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let output = Command::new(&cc)
        .arg("-pie")
        .arg("-o")
        .arg(out)
        .args(objects)
        .arg(runtime)
        .args(["-Wl,--gc-sections", "-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc"])
        .output()
        .with_context(|| format!("cannot run the linker driver '{cc}'"))?;
    if !output.status.success() {
        // The linker's own lines, not the driver's summary: the cause is often on the line before
        // the one that says "error" ("X: TLS reference in a.o mismatches non-TLS reference in b.o").
        let msg = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> =
            msg.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("collect2:")).take(4).collect();
        let said = if lines.is_empty() { "(no message)".to_string() } else { lines.join(" | ") };
        bail!("linking failed ({cc} exited with {}): {said}", output.status);
    }
    Ok(())
}
