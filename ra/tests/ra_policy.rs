//! RA checks: enrollment chain and blocklist, duplicates, time, rate and
//! overlap policy, decryption, download readiness; the shuffle's T rule for a
//! lone device; explicit certificates with butterfly randomization.

mod common;

use common::{now, Device, World};
use scms_asn1::ieee1609dot2::Certificate;
use scms_ca::profile::Family;
use scms_crypto::verify::{certificate_hashed_id8, certificate_public_key};
use scms_ra::RaError;
use scms_sdk::provision::ButterflyKind;

fn submit(w: &mut World, req: &[u8], t: u32) -> Result<Vec<u8>, RaError> {
    w.ra.handle_cert_request(&mut w.state, &w.ks, &w.blocklist, req, t)
}

#[test]
fn request_policy() {
    let mut w = World::new(Family::Us);
    let mut d = Device::new(&w, ButterflyKind::Original);
    let params = w.params();

    // Not for this RA: encrypted to the ACA's certificate instead.
    let misdirected = d
        .request
        .build_request(
            &d.ks,
            "enrol",
            &d.enrollment,
            &w.ra.aca_certificate,
            &params,
            now(),
        )
        .unwrap();
    assert!(matches!(
        submit(&mut w, &misdirected, now()),
        Err(RaError::Malformed(_))
    ));

    // Signed by an authority certificate (the RA's own) instead of an enrollment certificate.
    let by_ra = d
        .request
        .build_request(
            &w.ks,
            &w.ra.key_label,
            &w.ra.certificate,
            &w.ra.certificate,
            &params,
            now(),
        )
        .unwrap();
    assert!(matches!(
        submit(&mut w, &by_ra, now()),
        Err(RaError::Unauthorized(_))
    ));

    // Blocklisted enrollment certificate.
    let id = certificate_hashed_id8(&scms_asn1::decode::<Certificate<'_>>(&d.enrollment).unwrap())
        .unwrap()
        .0;
    w.blocklist.0.insert(id);
    let req = d.request_bytes(&w, &params, now());
    assert!(matches!(
        submit(&mut w, &req, now()),
        Err(RaError::Blocklisted)
    ));
    w.blocklist.0.clear();

    // Clock skew and a start too far ahead.
    let req = d.request_bytes(&w, &params, now() - 3600);
    assert!(matches!(
        submit(&mut w, &req, now()),
        Err(RaError::TooEarly(_))
    ));
    let mut far = params.clone();
    far.start = now() + 30 * 86_400;
    let req = d.request_bytes(&w, &far, now());
    assert!(matches!(
        submit(&mut w, &req, now()),
        Err(RaError::TooEarly(_))
    ));
    let mut long = params.clone();
    long.hours = 168 * 10;
    let req = d.request_bytes(&w, &long, now());
    assert!(matches!(
        submit(&mut w, &req, now()),
        Err(RaError::TooEarly(_))
    ));

    // Accepted once; the same bytes again are a duplicate; the same periods again overlap.
    let req = d.request_bytes(&w, &params, now());
    submit(&mut w, &req, now()).unwrap();
    assert!(matches!(
        submit(&mut w, &req, now()),
        Err(RaError::Duplicate)
    ));
    let again = d.request_bytes(&w, &params, now() + 1);
    assert!(matches!(
        submit(&mut w, &again, now() + 1),
        Err(RaError::TooEarly(_))
    ));

    // Rate limit: the next weeks, until the window is full.
    w.ra.config.policy.max_requests_per_window = 2;
    let mut next = params.clone();
    next.start = now() + 7 * 86_400;
    let req = d.request_bytes(&w, &next, now() + 2);
    submit(&mut w, &req, now() + 2).unwrap();
    next.start = now() + 6 * 86_400 + 7 * 86_400;
    w.ra.config.policy.max_advance_secs = 14 * 86_400;
    let req = d.request_bytes(&w, &next, now() + 3);
    assert!(matches!(
        submit(&mut w, &req, now() + 3),
        Err(RaError::RateLimited { .. })
    ));
}

#[test]
fn enrollment_from_another_hierarchy_is_refused() {
    let mut w = World::new(Family::Us);
    let stranger = World::new(Family::Us);
    let mut d = Device::new(&stranger, ButterflyKind::Unified);
    let params = w.params();
    let req = d.request_bytes(&w, &params, now());
    assert!(matches!(
        submit(&mut w, &req, now()),
        Err(RaError::Unauthorized(_))
    ));
}

#[test]
fn lone_device_waits_t_then_explicit_certificates_reconstruct() {
    for kind in [
        ButterflyKind::Original,
        ButterflyKind::Unified,
        ButterflyKind::CompactUnified,
    ] {
        let mut w = World::new(Family::Us);
        w.ra.config.policy.certs_per_period = 3;
        let mut d = Device::new(&w, kind);
        let mut params = w.params();
        params.explicit = true;
        let req = d.request_bytes(&w, &params, now());
        let ack = submit(&mut w, &req, now()).unwrap();
        let ack = d.request.process_ack(&ack, &w.ra.certificate).unwrap();
        assert_eq!(w.expand(), 3);
        // One device: nothing before T (60 s), then one request at a time.
        assert!(w
            .ra
            .release_batch(&mut w.state, &w.ks, now() + 59)
            .unwrap()
            .is_none());
        let t = now() + 60;
        let mut n = 0;
        while let Some(batch) = w.ra.release_batch(&mut w.state, &w.ks, t).unwrap() {
            assert_eq!(batch.len(), 1);
            for r in batch {
                let out = w.aca.handle_ra_aca_request(&w.ks, &r, t).unwrap();
                w.ra.accept_aca_response(&mut w.state, &out.response, t)
                    .unwrap();
                // A response cannot be accepted twice.
                assert!(w
                    .ra
                    .accept_aca_response(&mut w.state, &out.response, t)
                    .is_err());
                n += 1;
            }
        }
        assert_eq!(n, 3);
        let i = u32::from(ack.first_i.unwrap());
        let dl = d.download_request(&w, i, now());
        assert!(matches!(
            w.ra.handle_download(&w.state, &w.ks, &dl, now()),
            Err(RaError::NotReady { .. })
        ));
        let dl = d.download_request(&w, i, ack.next_dl_time);
        let zip =
            w.ra.handle_download(&w.state, &w.ks, &dl, ack.next_dl_time)
                .unwrap();
        let ps = d
            .request
            .process_download(&zip, &w.ra.aca_certificate, i)
            .unwrap();
        assert_eq!(ps.len(), 3);
        for p in &ps {
            let c: Certificate<'_> = scms_asn1::decode(&p.certificate).unwrap();
            assert!(c.is_explicit());
            assert_eq!(
                p.key.public_key(),
                certificate_public_key(&c, None).unwrap()
            );
        }
        // Downloading i + 1 (not requested) is not found.
        let dl = d.download_request(&w, i + 1, ack.next_dl_time);
        assert!(matches!(
            w.ra.handle_download(&w.state, &w.ks, &dl, ack.next_dl_time),
            Err(RaError::NotFound)
        ));
        // A tampered archive is rejected by the device.
        let mut bad = zip.clone();
        bad[40] ^= 1;
        assert!(d
            .request
            .process_download(&bad, &w.ra.aca_certificate, i)
            .is_err());
    }
}
