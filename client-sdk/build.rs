//! With the `cbindgen` feature, regenerates `include/scms_sdk.h` from
//! `src/ffi.rs`. The committed header is checked against a fresh generation
//! by `tests/header.rs`, so the feature is only needed to update it.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "cbindgen")]
    generate();
}

#[cfg(feature = "cbindgen")]
fn generate() {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=src/ffi.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config = match cbindgen::Config::from_file(dir.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => {
            println!("cargo:warning=cbindgen.toml: {e}");
            return;
        }
    };
    match cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/ffi.rs"))
        .generate()
    {
        Ok(b) => {
            b.write_to_file(dir.join("include/scms_sdk.h"));
        }
        Err(e) => println!("cargo:warning=cbindgen: {e}"),
    }
}
