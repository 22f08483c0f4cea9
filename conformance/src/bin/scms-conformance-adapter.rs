//! The reference adapter: our SDK behind the upper-tester protocol (JSON
//! lines on stdin/stdout, docs/conformance.md). A vendor's adapter speaks the
//! same protocol in front of its own device.

use scms_conformance::adapter::serve;
use scms_conformance::device::SdkDevice;

fn main() {
    let mut device = SdkDevice::new();
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    if let Err(e) = serve(&mut device, stdin.lock(), stdout.lock()) {
        eprintln!("scms-conformance-adapter: {e}");
        std::process::exit(1);
    }
}
