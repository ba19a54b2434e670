#!/usr/bin/env bash
#
# Installs what building and testing vmtrans needs on Debian 12 (bookworm), and nothing else.
#
# The script is idempotent: it asks dpkg which of the required packages are already installed, runs
# `apt-get update` once and `apt-get install` only when some are missing, and installs Rust with rustup
# only when no cargo is found (neither on PATH nor in ~/.cargo/bin). It runs as root, or as a user with
# sudo (apt-get then runs through sudo and rustup installs into that user's home). It changes no shell
# profile and exports nothing persistent: the scripts that build set LLVM_SYS_191_PREFIX and PATH themselves.
#
# Environment: INSTALL_DEPS_DRY_RUN=1 prints the commands instead of running them.

set -euo pipefail

# The Debian packages vmtrans needs: the host toolchain, LLVM 19 with the libraries its static and cmake
# parts refer to (Polly, zlib, zstd, libxml2, libffi), the AArch64 cross toolchain (C and C++) that builds test guests,
# qemu-user as the behaviour oracle, and what rustup needs to download.
readonly REQUIRED_PACKAGES=(
    build-essential
    pkg-config
    llvm-19-dev
    libpolly-19-dev
    zlib1g-dev
    libzstd-dev
    libxml2-dev
    libffi-dev
    gcc-aarch64-linux-gnu
    g++-aarch64-linux-gnu
    libc6-dev-arm64-cross
    binutils-aarch64-linux-gnu
    qemu-user
    curl
    ca-certificates
    git
    time
)

# The oldest Rust the workspace accepts (rust-version in Cargo.toml).
readonly MINIMUM_RUST_VERSION="1.85"

dry_run="${INSTALL_DEPS_DRY_RUN:-0}"

say() {
    echo "install-deps: $*"
}

# Runs a command, or only prints it in dry-run mode.
run() {
    if [[ "$dry_run" == 1 ]]; then
        echo "install-deps: would run: $*"
    else
        "$@"
    fi
}

# Prefix for commands that need root: empty as root, sudo otherwise.
as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    elif [[ "$dry_run" != 1 ]]; then
        say "error: not running as root and sudo is not installed; run this script as root." >&2
        exit 1
    fi
fi

if [[ ! -r /etc/os-release ]] || ! grep -q '^ID=debian' /etc/os-release || ! grep -q '^VERSION_ID="12"' /etc/os-release; then
    say "warning: this script targets Debian 12 (bookworm); continuing, but package names may differ."
fi

# True when dpkg reports the package as fully installed (a package removed but with its configuration
# files left behind also has a dpkg record, so the exit status of `dpkg -s` alone is not enough).
package_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing_packages=()
for package in "${REQUIRED_PACKAGES[@]}"; do
    if ! package_installed "$package"; then
        missing_packages+=("$package")
    fi
done

if [[ ${#missing_packages[@]} -eq 0 ]]; then
    say "all ${#REQUIRED_PACKAGES[@]} Debian packages are already installed; apt-get not run."
else
    say "missing Debian packages: ${missing_packages[*]}"
    run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing_packages[@]}"
    if [[ "$dry_run" != 1 ]]; then
        say "installed: ${missing_packages[*]}"
    fi
fi

# Rust: rustup installs into ~/.cargo/bin, which a fresh shell (or sudo's secure_path) may not have on PATH.
export PATH="$HOME/.cargo/bin:$PATH"

# Prints "MAJOR.MINOR" of the rustc on PATH, or nothing (also when rustc is missing or does not run).
rustc_version() {
    { rustc --version 2>/dev/null || true; } | sed -n 's/^rustc \([0-9]*\.[0-9]*\).*/\1/p'
}

# True when version $1 (MAJOR.MINOR) is at least version $2.
version_at_least() {
    [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]
}

# Installs the stable toolchain with rustup into ~/.cargo (which the project's scripts put first on PATH).
install_rust_with_rustup() {
    say "installing Rust (stable, minimal profile) with rustup into $HOME/.cargo."
    if [[ "$dry_run" == 1 ]]; then
        echo "install-deps: would run: curl https://sh.rustup.rs | sh -s -- -y --profile minimal" \
            "--default-toolchain stable --no-modify-path"
        return
    fi
    curl --proto '=https' --tlsv1.2 --fail --silent --show-error https://sh.rustup.rs |
        RUSTUP_INIT_SKIP_PATH_CHECK=yes sh -s -- -y --quiet --profile minimal --default-toolchain stable --no-modify-path
    say "installed $("$HOME/.cargo/bin/rustc" --version)."
    say "note: $HOME/.cargo/bin was not added to any shell profile; the project's scripts look there."
}

if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found."
    install_rust_with_rustup
else
    found_version="$(rustc_version)"
    if [[ -n "$found_version" ]] && ! version_at_least "$found_version" "$MINIMUM_RUST_VERSION"; then
        say "$(command -v rustc) is Rust $found_version; vmtrans needs $MINIMUM_RUST_VERSION or newer."
        if command -v rustup >/dev/null 2>&1; then
            # A rustup-managed toolchain is the user's to change: say how instead of switching it.
            say "error: run \`rustup update stable\` (and \`rustup default stable\` if needed), then retry." >&2
            exit 1
        fi
        install_rust_with_rustup
    else
        say "cargo found ($(command -v cargo), Rust ${found_version:-unknown}); rustup not run."
    fi
fi

say "done."
