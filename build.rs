//! How the `rtadvisor` program is linked on Linux (glibc). A run of rtadvisor is short
//! (one profile takes about as long as starting the process), so what the dynamic
//! loader does before `main` counts; see README, Performance, for the measurements.
//!
//! - The unwinder is linked in statically, as `gcc -static-libgcc` does, instead of
//!   loading `libgcc_s.so.1` at every start (one shared library fewer to find, map,
//!   relocate and initialise). rtadvisor is built with `panic = "abort"`: the unwinder
//!   only walks the stack for a panic's backtrace, which works the same. Rust asks
//!   for `-lgcc_s`; a folder searched first holds a `libgcc_s.a` that is GCC's static
//!   unwinder (`libgcc_eh.a`). Where that archive is not found, nothing changes.
//! - The program is position-dependent (`-no-pie`): the loader does not patch some
//!   10,000 pointers into the program's data before `main`. The price is that the
//!   program's own code and data are not placed at a random address (shared
//!   libraries and the stack still are); delete that line to go back to a PIE.
//!
//! Both apply to the program only (in every profile), not to the test and bench
//! binaries.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    if let Some(dir) = static_unwinder(Path::new(&var("OUT_DIR"))) {
        // `-L` folders are searched in order, before the compiler's own.
        println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
    }
}

/// A folder whose `libgcc_s.a` is GCC's static unwinder, when the C compiler that
/// links the program has one.
fn static_unwinder(out: &Path) -> Option<PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let printed = std::process::Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let eh = PathBuf::from(String::from_utf8(printed.stdout).ok()?.trim());
    // A compiler without the archive prints the bare name back.
    if !eh.is_absolute() || !eh.is_file() {
        return None;
    }
    let dir = out.join("static-unwinder");
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::copy(&eh, dir.join("libgcc_s.a")).ok()?;
    Some(dir)
}
