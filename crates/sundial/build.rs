//! Tells the console's embed (`src/console.rs`) where `web/dist` is, as an absolute path with
//! no `..` in it. A debug build reads the console from there at run time, and rust-embed
//! compares each file's canonical path with the folder path it was compiled with: a path
//! through `..` never matches, so a binary compiled before `npm run build` would say "console
//! not built" for good, even after the build (and cargo would not recompile it).

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists");
    let dist = root.join("web").join("dist");
    println!("cargo:rustc-env=CONSOLE_DIST_DIR={}", dist.display());
    println!("cargo:rerun-if-changed=build.rs");
    // A release build embeds the files, so it must be rebuilt when the console is (re)built;
    // a debug build reads them at run time and needs no rebuild.
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rerun-if-changed={}", dist.display());
    }
}
