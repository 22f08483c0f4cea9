//! Builds a hierarchy in memory and writes `<role>.oer` and `ctl.oer`, the
//! layout `scms export` will produce:
//! `cargo run -p scms-ca --example export_hierarchy -- us OUT_DIR`.

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_ca::hierarchy::{build, HierarchyOptions};
use scms_ca::profile::Family;
use scms_hsm::MemoryKeyStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let family = args
        .get(1)
        .and_then(|f| Family::parse(f))
        .ok_or("usage: export_hierarchy us|cn OUT_DIR")?;
    let out = std::path::PathBuf::from(args.get(2).ok_or("usage: export_hierarchy us|cn OUT_DIR")?);
    std::fs::create_dir_all(&out)?;
    let now = time32_from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs() as i64,
    );
    let ks = MemoryKeyStore::new();
    let h = build(&ks, &HierarchyOptions::new(family, now))?;
    for (name, bytes) in h.export_files() {
        std::fs::write(out.join(name), bytes)?;
    }
    for r in &h.records {
        println!(
            "{:<12} {} {:?} issuer {:?}",
            r.profile, r.hashed_id8, r.curve, r.issuer
        );
    }
    Ok(())
}
