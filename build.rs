//! Links the `rtadvisor` program as a position-dependent executable on Linux.
//!
//! A run of rtadvisor is short (one profile takes about as long as starting the
//! process), and a position-independent executable starts with the dynamic loader
//! patching some 10,000 pointers into the program's data, page by page, before `main`.
//! Linked at a fixed address, those pointers are written by the linker instead: about
//! a tenth off every run (see README, Performance). The price is that the program's own
//! code and data are not placed at a random address (shared libraries and the stack
//! still are); delete this file to go back to a PIE.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
