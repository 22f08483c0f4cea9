//! The committed C header `include/scms_sdk.h` is what cbindgen generates from
//! `src/ffi.rs` now. To update it: `cargo build -p scms-client-sdk --features cbindgen`.

#[test]
fn committed_header_matches_cbindgen() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/ffi.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).expect("utf-8");
    let committed =
        std::fs::read_to_string(dir.join("include/scms_sdk.h")).expect("include/scms_sdk.h");
    assert!(
        fresh == committed,
        "include/scms_sdk.h is stale: run `cargo build -p scms-client-sdk --features cbindgen` \
         and commit the header"
    );
    for f in [
        "scms_verifier_new",
        "scms_verifier_verify",
        "scms_verifier_apply_crl",
        "scms_signer_sign",
        "scms_soft_keystore_open",
        "scms_keystore_import_private_key_hex",
        "scms_last_error",
        "SCMS_STATUS_BAD_SIGNATURE",
    ] {
        assert!(committed.contains(f), "{f} missing from the header");
    }
}
