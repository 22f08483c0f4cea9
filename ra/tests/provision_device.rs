//! The device rejects what does not fit: a response whose private key info
//! does not reconstruct the certificate's key (even correctly signed by the
//! ACA), a response signed by someone else, and a batch of another i-period.

mod common;

use common::{now, Device, World};
use scms_asn1::ieee1609dot2::Certificate;
use scms_asn1::ieee1609dot2dot1::aca_ee::{AcaEeCertResponse, AcaEeInterfacePdu};
use scms_asn1::ieee1609dot2dot1::protocol::{ScmsPdu, ScmsPduContent, SECURITY_MGMT_PSID};
use scms_ca::profile::Family;
use scms_ca::spdu::{signed_spdu, SignerForm};
use scms_crypto::butterfly::{expand_cocoon_key, ExpansionKind};
use scms_crypto::wire;
use scms_hsm::envelope;
use scms_ra::Butterfly;
use scms_sdk::provision::{ButterflyKind, ProvisionError};

#[test]
fn device_rejects_a_wrong_key_a_foreign_signer_and_another_period() {
    let mut w = World::new(Family::Us);
    w.ra.config.policy.certs_per_period = 2;
    w.ra.config.shuffle.min_devices = 1;
    let mut d = Device::new(&w, ButterflyKind::Original);
    let ack = d.provision(&mut w);
    w.expand();
    while let Some(batch) = w.ra.release_batch(&mut w.state, &w.ks, now()).unwrap() {
        for r in batch {
            let out = w.aca.handle_ra_aca_request(&w.ks, &r, now()).unwrap();
            w.ra.accept_aca_response(&mut w.state, &out.response, now())
                .unwrap();
        }
    }
    let i = u32::from(ack.first_i.unwrap());
    let t = ack.next_dl_time;
    let zip =
        w.ra.handle_download(&w.state, &w.ks, &d.download_request(&w, i, t), t)
            .unwrap();
    let good = d
        .request
        .process_download(&zip, &w.ra.aca_certificate, i)
        .unwrap();
    assert!(matches!(
        d.request
            .process_download(&zip, &w.ra.aca_certificate, i + 1),
        Err(ProvisionError::Malformed(_))
    ));

    // A response for (i, 0) with a wrong reconstruction value, encrypted to the
    // right butterfly encryption key and signed by the ACA (or by the RA).
    let rec = &w.state.requests[&ack.request_hash];
    let pek = match &rec.butterfly {
        Butterfly::Original {
            encryption,
            encryption_expansion,
            ..
        } => wire::encryption_key(
            expand_cocoon_key(
                encryption,
                encryption_expansion,
                ExpansionKind::Encryption,
                i,
                0,
            )
            .unwrap()
            .point(),
        )
        .unwrap(),
        _ => unreachable!(),
    };
    let cert: Certificate<'_> = scms_asn1::decode(&good[0].certificate).unwrap();
    let pdu = ScmsPdu::new(ScmsPduContent::AcaEe(AcaEeInterfacePdu::AcaEeCertResponse(
        AcaEeCertResponse {
            version: 2,
            generation_time: now(),
            certificate: cert,
            private_key_info: Some([7; 32]),
            unknown_extensions: Default::default(),
        },
    )));
    let pt = envelope::unsecured(&scms_asn1::encode(&pdu).unwrap()).unwrap();
    let enc = envelope::encrypt_to_rek(&pek, &pt).unwrap();
    for (label, cert, expect_mismatch) in [
        (
            w.h.key_labels["aca"].clone(),
            w.ra.aca_certificate.clone(),
            true,
        ),
        (w.ra.key_label.clone(), w.ra.certificate.clone(), false),
    ] {
        let forged = signed_spdu(
            &w.ks,
            &label,
            &cert,
            SECURITY_MGMT_PSID,
            enc.clone(),
            SignerForm::Certificate,
        )
        .unwrap();
        let mut files = scms_asn1::ieee1609dot2dot1::zip::read(&zip).unwrap();
        for (name, data) in files.iter_mut() {
            if name == &format!("{i:X}_0") {
                *data = forged.clone();
            }
        }
        let bad = scms_asn1::ieee1609dot2dot1::zip::write(&files).unwrap();
        let r = d.request.process_download(&bad, &w.ra.aca_certificate, i);
        if expect_mismatch {
            assert!(
                matches!(r, Err(ProvisionError::KeyMismatch { j: 0, .. })),
                "{r:?}"
            );
        } else {
            assert!(matches!(r, Err(ProvisionError::BadSignature(_))), "{r:?}");
        }
    }
}
