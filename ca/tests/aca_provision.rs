//! ACA pseudonym issuance from `RaAcaCertRequest`: the RA's signature and
//! permissions, the two encrypted pre-linkage values, the linkage value in the
//! certificate, the response encrypted to `certEncKey` and signed, and the
//! device's key reconstruction. US and CN.

use scms_asn1::ieee1609dot2::time::time32_from_unix;
use scms_asn1::ieee1609dot2::{
    Certificate, CertificateId, CertificateType, Ieee1609Dot2Data, LinkageData,
    SymmetricEncryptionKey, Time32, VerificationKeyIndicator,
};
use scms_asn1::ieee1609dot2dot1::aca_ee::AcaEeInterfacePdu;
use scms_asn1::ieee1609dot2dot1::aca_ra::{
    AcaRaInterfacePdu, AcaResponse, EncryptedIndividualPLV, LinkageInfo, RaAcaCertRequest,
    RaAcaCertRequestFlags,
};
use scms_asn1::ieee1609dot2dot1::protocol::{
    AcaEeCertResponseCubkSpdu, AcaEeCertResponsePrivateSpdu, AcaRaCertResponseSpdu,
    Ieee1609Dot2DataSymmEncryptedSingleRecipient, ScmsPdu, ScmsPduContent,
};
use scms_ca::aca::{sign_cert_request, spdu_hash, Aca, AcaError, TrustStore};
use scms_ca::hierarchy::{build, Hierarchy, HierarchyOptions};
use scms_ca::issue::{to_be_signed, IssueParams, SubjectId};
use scms_ca::profile::{builtin, Family};
use scms_crypto::ccm::{SymmAlgorithm, SymmetricKey};
use scms_crypto::ecqv;
use scms_crypto::suite::{os_rng, Curve, SecretKey};
use scms_crypto::verify::certificate_public_key;
use scms_crypto::wire;
use scms_hsm::envelope::{self, Decryptor};
use scms_hsm::{KeyStore, MemoryKeyStore};

struct Setup {
    family: Family,
    ks: MemoryKeyStore,
    h: Hierarchy,
    aca: Aca,
    psk: [SymmetricKey; 2],
    alg: SymmAlgorithm,
    now: Time32,
    /// A device's enrollment certificate (key "dev-enrol"): it has
    /// certRequestPermissions but is no RA.
    enrollment: Vec<u8>,
    /// An RA certificate (key "narrow-ra") whose certRequestPermissions name
    /// only PSID 127, not what the pseudonym profile issues.
    narrow_ra: Vec<u8>,
}

fn curve(f: Family) -> Curve {
    if f == Family::Cn {
        Curve::Sm2
    } else {
        Curve::NistP256
    }
}

fn setup(family: Family) -> Setup {
    let now = time32_from_unix(1_767_225_600);
    let ks = MemoryKeyStore::new();
    let h = build(&ks, &HierarchyOptions::new(family, now - 86_400)).unwrap();
    let aca_cert = h.certificate("aca").unwrap().to_vec();
    let aca_enc = format!("{}-enc", h.key_labels["aca"]);
    let mut trust = TrustStore::new();
    trust.add_anchor(h.certificate("root").unwrap()).unwrap();
    trust.add_ca(h.certificate("ica").unwrap()).unwrap();
    let mut aca = Aca::new(
        aca_cert.clone(),
        h.key_labels["aca"].clone(),
        &aca_enc,
        builtin(family, "pseudonym").unwrap(),
        trust,
    );
    let alg = envelope::symm_for(curve(family));
    let psk = [
        SymmetricKey::from_bytes([1; 16]),
        SymmetricKey::from_bytes([2; 16]),
    ];
    for k in &psk {
        let sek = match alg {
            SymmAlgorithm::Aes128Ccm => SymmetricEncryptionKey::Aes128Ccm(*k.as_bytes()),
            SymmAlgorithm::Sm4Ccm => SymmetricEncryptionKey::Sm4Ccm(*k.as_bytes()),
        };
        let pt = envelope::unsecured(&scms_asn1::encode(&sek).unwrap()).unwrap();
        let msg = envelope::encrypt_to_certificate(&aca_cert, &pt).unwrap();
        aca.accept_la_key(&ks, &msg).unwrap();
    }
    let info = ks.generate("dev-enrol", curve(family)).unwrap();
    let key = scms_crypto::suite::PublicKey::from_sec1(info.curve, &info.public_key).unwrap();
    let profile = builtin(family, "enrollment").unwrap();
    let mut p = IssueParams::new(&profile, SubjectId::None, key, now - 86_400);
    p.craca_id = h.craca_id().unwrap();
    let enrollment = scms_ca::issue::issue(&ks, &h.issuer_ref("eca").unwrap(), &p)
        .unwrap()
        .record
        .certificate;
    trust_eca(&mut aca, h.certificate("eca").unwrap());
    let narrow = scms_ca::profile::builtin_toml(family, "ra")
        .unwrap()
        .replace("all = true", "psids = [{ psid = 127 }]");
    assert!(narrow.contains("psid = 127"), "{narrow}");
    let narrow = scms_ca::profile::Profile::from_toml(&narrow).unwrap();
    let info = ks.generate("narrow-ra", curve(family)).unwrap();
    let key = scms_crypto::suite::PublicKey::from_sec1(info.curve, &info.public_key).unwrap();
    let mut p = IssueParams::new(
        &narrow,
        SubjectId::Name("narrow-ra.example".into()),
        key,
        now - 86_400,
    );
    p.craca_id = h.craca_id().unwrap();
    let narrow_ra = scms_ca::issue::issue(&ks, &h.issuer_ref("ica").unwrap(), &p)
        .unwrap()
        .record
        .certificate;
    Setup {
        enrollment,
        narrow_ra,
        family,
        ks,
        h,
        aca,
        psk,
        alg,
        now,
    }
}

fn trust_eca(aca: &mut Aca, eca: &[u8]) {
    aca.trust.add_ca(eca).unwrap();
}

fn enc_plv(s: &Setup, la: usize, plv: [u8; 9]) -> Vec<u8> {
    let ct = envelope::encrypt_symmetric(&s.psk[la], s.alg, &envelope::unsecured(&plv).unwrap())
        .unwrap();
    let d: Ieee1609Dot2Data<'_> = scms_asn1::decode(&ct).unwrap();
    scms_asn1::encode(&EncryptedIndividualPLV {
        version: 2,
        la_id: [0, la as u8 + 1],
        enc_plv: Ieee1609Dot2DataSymmEncryptedSingleRecipient(d),
    })
    .unwrap()
}

struct Req {
    signer: &'static str,
    plvs: [Vec<u8>; 2],
    enc_key: bool,
    flags: Vec<usize>,
}

fn request(s: &Setup, cocoon: &SecretKey, enc: &SecretKey, r: &Req) -> Vec<u8> {
    let profile = builtin(s.family, "pseudonym").unwrap();
    let p = IssueParams::new(&profile, SubjectId::None, cocoon.public_key(), s.now);
    let mut tbs = to_be_signed(
        &p,
        None,
        VerificationKeyIndicator::ReconstructionValue(
            wire::ecc_point256(&cocoon.public_key()).unwrap(),
        ),
    )
    .unwrap();
    tbs.crl_series = 0;
    tbs.id = CertificateId::LinkageData(LinkageData {
        i_cert: 574,
        linkage_value: [0; 9],
        group_linkage_value: None,
    });
    let req = RaAcaCertRequest {
        version: 2,
        generation_time: s.now,
        r#type: CertificateType::Implicit,
        flags: RaAcaCertRequestFlags::with(&r.flags),
        linkage_info: Some(LinkageInfo {
            enc_plv1: scms_asn1::decode(&r.plvs[0]).unwrap(),
            enc_plv2: scms_asn1::decode(&r.plvs[1]).unwrap(),
            unknown_extensions: Default::default(),
        }),
        cert_enc_key: r
            .enc_key
            .then(|| wire::encryption_key(&enc.public_key()).unwrap()),
        tbs_cert: tbs,
        unknown_extensions: Default::default(),
    };
    let pdu = ScmsPdu::new(ScmsPduContent::AcaRa(AcaRaInterfacePdu::RaAcaCertRequest(
        req,
    )));
    let (label, cert) = if r.signer == "enrollment" {
        ("dev-enrol", &s.enrollment[..])
    } else if r.signer == "narrow-ra" {
        ("narrow-ra", &s.narrow_ra[..])
    } else {
        (
            &s.h.key_labels[r.signer][..],
            s.h.certificate(r.signer).unwrap(),
        )
    };
    sign_cert_request(&s.ks, label, cert, pdu).unwrap()
}

fn issue_and_open(family: Family) {
    let s = setup(family);
    let c = curve(family);
    let cocoon = SecretKey::generate(c, &mut os_rng()).unwrap();
    let enc = SecretKey::generate(c, &mut os_rng()).unwrap();
    let (plv1, plv2) = ([0x11; 9], [0x5a; 9]);
    let good = Req {
        signer: "ra",
        plvs: [enc_plv(&s, 0, plv1), enc_plv(&s, 1, plv2)],
        enc_key: true,
        flags: vec![],
    };
    let req = request(&s, &cocoon, &enc, &good);
    let out = s.aca.handle_ra_aca_request(&s.ks, &req, s.now).unwrap();

    // The RA's view: a signed response naming its request, with an encrypted inner response.
    let spdu: AcaRaCertResponseSpdu<'_> = scms_asn1::decode(&out.response).unwrap();
    let pdu = spdu.scms_pdu().unwrap();
    let r = match &pdu.content {
        ScmsPduContent::AcaRa(AcaRaInterfacePdu::AcaRaCertResponse(r)) => r,
        _ => panic!("not a response"),
    };
    assert_eq!(r.request_hash, spdu_hash(&req, family == Family::Cn));
    let private: &AcaEeCertResponsePrivateSpdu<'_> = match &r.aca_response {
        AcaResponse::Private(p) => p,
        _ => panic!("not private"),
    };
    let aca_cert = s.aca.certificate.clone();
    let aca: Certificate<'_> = scms_asn1::decode(&aca_cert).unwrap();
    scms_crypto::verify::verify_signed_data(private.signed_data().unwrap(), &aca, None).unwrap();
    assert!(!out
        .response
        .windows(out.record.certificate.len())
        .any(|w| w == out.record.certificate));

    // The device's view.
    let pek = wire::encryption_key(&enc.public_key()).unwrap();
    let pt = envelope::decrypt_for_rek(Decryptor::Key(&enc), &pek, &private.encrypted().unwrap())
        .unwrap();
    let pt: Ieee1609Dot2Data<'_> = scms_asn1::decode(&pt).unwrap();
    let ee = AcaEeCertResponsePrivateSpdu::check_decrypted(&pt).unwrap();
    let resp = match &ee.content {
        ScmsPduContent::AcaEe(AcaEeInterfacePdu::AcaEeCertResponse(r)) => r,
        _ => panic!("not an AcaEeCertResponse"),
    };
    let cert = &resp.certificate;
    match &cert.to_be_signed.id {
        CertificateId::LinkageData(l) => {
            assert_eq!(l.i_cert, 574);
            let lv: Vec<u8> = plv1.iter().zip(&plv2).map(|(a, b)| a ^ b).collect();
            assert_eq!(&l.linkage_value[..], &lv[..]);
        }
        _ => panic!("no linkage data"),
    }
    assert_eq!(
        cert.to_be_signed.crl_series, 3,
        "the ACA sets the profile's CRL series"
    );
    let s_rec =
        scms_crypto::suite::EcScalar::from_be_bytes(c, &resp.private_key_info.unwrap()).unwrap();
    let e = ecqv::certificate_e(c, &cert.to_be_signed.to_bytes().unwrap(), &aca_cert);
    let d = ecqv::reconstruct_private_key(&cocoon, &e, &s_rec).unwrap();
    assert_eq!(
        d.public_key(),
        certificate_public_key(cert, Some(&aca)).unwrap()
    );
    assert!(
        d.public_key() != cocoon.public_key(),
        "the ACA shifts the key"
    );

    // Refusals.
    let refuse = |r: Req| {
        s.aca
            .handle_ra_aca_request(&s.ks, &request(&s, &cocoon, &enc, &r), s.now)
    };
    let plvs = || [enc_plv(&s, 0, plv1), enc_plv(&s, 1, plv2)];
    assert!(matches!(
        refuse(Req {
            signer: "la1",
            plvs: plvs(),
            enc_key: true,
            flags: vec![]
        }),
        Err(AcaError::Unauthorized(_))
    ));
    assert!(matches!(
        refuse(Req {
            signer: "ra",
            plvs: plvs(),
            enc_key: false,
            flags: vec![]
        }),
        Err(AcaError::Unsupported(_))
    ));
    assert!(matches!(
        refuse(Req {
            signer: "ra",
            plvs: plvs(),
            enc_key: true,
            flags: vec![RaAcaCertRequestFlags::CUBK]
        }),
        Err(AcaError::Malformed(_))
    ));

    // An RA may not obtain what its certificate does not permit: the same
    // request from an RA whose certRequestPermissions lack the profile's PSIDs.
    match refuse(Req {
        signer: "narrow-ra",
        plvs: plvs(),
        enc_key: true,
        flags: vec![],
    }) {
        Err(AcaError::Unauthorized(why)) => {
            assert!(
                why.contains("not in the requester's certRequestPermissions"),
                "{why}"
            )
        }
        other => panic!("narrow RA: {:?}", other.map(|_| ())),
    }

    // Compact unified: no certEncKey; the response is encrypted to the
    // cocoon key and not signed, from an ACA whose certificate has usesCubk.
    assert!(aca.to_be_signed.uses_cubk());
    let out = refuse(Req {
        signer: "ra",
        plvs: plvs(),
        enc_key: false,
        flags: vec![RaAcaCertRequestFlags::CUBK],
    })
    .unwrap();
    let spdu: AcaRaCertResponseSpdu<'_> = scms_asn1::decode(&out.response).unwrap();
    let pdu = spdu.scms_pdu().unwrap();
    let cubk = match &pdu.content {
        ScmsPduContent::AcaRa(AcaRaInterfacePdu::AcaRaCertResponse(r)) => match &r.aca_response {
            AcaResponse::Cubk(c) => c.clone(),
            _ => panic!("not a cubk response"),
        },
        _ => panic!("not a response"),
    };
    let pek = wire::encryption_key(&cocoon.public_key()).unwrap();
    let pt = envelope::decrypt_for_rek(Decryptor::Key(&cocoon), &pek, &cubk.0).unwrap();
    assert!(
        envelope::decrypt_for_rek(
            Decryptor::Key(&enc),
            &wire::encryption_key(&enc.public_key()).unwrap(),
            &cubk.0
        )
        .is_err(),
        "only the cocoon key opens it"
    );
    let pt: Ieee1609Dot2Data<'_> = scms_asn1::decode(&pt).unwrap();
    let ee = AcaEeCertResponseCubkSpdu::check_decrypted(&pt).unwrap();
    let resp = match &ee.content {
        ScmsPduContent::AcaEe(AcaEeInterfacePdu::AcaEeCertResponse(r)) => r,
        _ => panic!("not an AcaEeCertResponse"),
    };
    let e = ecqv::certificate_e(
        c,
        &resp.certificate.to_be_signed.to_bytes().unwrap(),
        &aca_cert,
    );
    let s_rec =
        scms_crypto::suite::EcScalar::from_be_bytes(c, &resp.private_key_info.unwrap()).unwrap();
    let d = ecqv::reconstruct_private_key(&cocoon, &e, &s_rec).unwrap();
    assert_eq!(
        d.public_key(),
        certificate_public_key(&resp.certificate, Some(&aca)).unwrap()
    );
    let same_la = [enc_plv(&s, 0, plv1), enc_plv(&s, 0, plv2)];
    assert!(matches!(
        refuse(Req {
            signer: "ra",
            plvs: same_la,
            enc_key: true,
            flags: vec![]
        }),
        Err(AcaError::Linkage(_))
    ));
    let mut tampered = plvs();
    let n = tampered[1].len();
    tampered[1][n - 1] ^= 1;
    assert!(matches!(
        refuse(Req {
            signer: "ra",
            plvs: tampered,
            enc_key: true,
            flags: vec![]
        }),
        Err(AcaError::Linkage(_))
    ));
    let mut forged = req.clone();
    let n = forged.len();
    forged[n - 1] ^= 1;
    assert!(matches!(
        s.aca.handle_ra_aca_request(&s.ks, &forged, s.now),
        Err(AcaError::Unauthorized(_)) | Err(AcaError::Malformed(_))
    ));

    // The allowlist of peers (as `scms serve` configures it): only the RA's
    // certificate. The narrow RA, another RA certificate of this hierarchy,
    // is then refused on that ground before its permissions are looked at;
    // the RA still gets its certificate.
    let mut s = s;
    s.aca
        .trust
        .allow_peer(s.h.certificate("ra").unwrap())
        .unwrap();
    let ask = |signer| {
        let r = Req {
            signer,
            plvs: [enc_plv(&s, 0, plv1), enc_plv(&s, 1, plv2)],
            enc_key: true,
            flags: vec![],
        };
        s.aca
            .handle_ra_aca_request(&s.ks, &request(&s, &cocoon, &enc, &r), s.now)
    };
    match ask("narrow-ra") {
        Err(AcaError::Unauthorized(why)) => {
            assert!(why.contains("not in the allowlist of peers"), "{why}")
        }
        other => panic!("narrow RA, allowlist: {:?}", other.map(|_| ())),
    }
    assert!(ask("ra").is_ok());
}

#[test]
fn us_aca_issues_implicit_pseudonym() {
    issue_and_open(Family::Us);
}

#[test]
fn cn_aca_issues_implicit_pseudonym() {
    issue_and_open(Family::Cn);
}
