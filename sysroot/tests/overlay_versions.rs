//! Every published version an overlay claims takes its patch set (the anchors hold).
//! Ignored by default: `scripts/overlay-versions.sh` lists the versions from the crates.io
//! index and runs this with `CARGO_WASIX_OVERLAY_VERSIONS` naming that list.

use wasix_sysroot::overlay::overlay_of;

use crate::common::options;

#[test]
#[ignore = "needs the version list from scripts/overlay-versions.sh (network)"]
fn every_listed_version_takes_its_overlay() {
    let list = std::env::var("CARGO_WASIX_OVERLAY_VERSIONS")
        .expect("CARGO_WASIX_OVERLAY_VERSIONS: a file of `<crate> <version>` lines");
    let list = std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{list}: {e}"));
    let toolchain = wasix_sysroot::Toolchain::detect().expect("detect toolchain");
    let inputs = wasix_sysroot::embedded::Inputs::embedded();
    let (mut patched, mut outside, mut failed) = (0, 0, Vec::new());
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let (krate, version) = line.split_once(' ').expect("`<crate> <version>`");
        let overlay = overlay_of(&inputs, krate)
            .expect("overlay parses")
            .unwrap_or_else(|| panic!("no overlay for {krate}"));
        let covered = semver::Version::parse(version)
            .ok()
            .and_then(|v| overlay.set_for(&v))
            .is_some();
        if !covered {
            outside += 1;
            continue;
        }
        match wasix_sysroot::patched_crate(
            &toolchain,
            krate,
            version,
            &options(),
            &mut wasix_sysroot::progress::Silent,
        ) {
            Ok(_) => {
                patched += 1;
                println!("ok      {krate} {version}");
            }
            Err(e) => {
                println!("FAILED  {krate} {version}: {e}");
                failed.push(format!("{krate} {version}"));
            }
        }
    }
    println!(
        "{patched} versions patched, {} failed, {outside} outside the overlays' ranges",
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "versions whose overlay does not apply: {failed:?}"
    );
}
