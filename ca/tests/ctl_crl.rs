//! CTL (elector quorum, untrusted electors, tampering) and CRL (hash-based and
//! linkage-based; sign, decode with scms_asn1, verify with scms_crypto; the
//! layout of the ISS production CRL; refusals).

mod common;

use scms_asn1::codec::{Octets, Open};
use scms_asn1::ieee1609dot2::crl::SecuredCrl;
use scms_asn1::ieee1609dot2::crl_base_types::TypeSpecificCrlContents;
use scms_asn1::ieee1609dot2::{
    Certificate, Ieee1609Dot2Content, Ieee1609Dot2Data, SignerIdentifier,
};
use scms_asn1::ieee1609dot2dot1::cert_management::CertManagementPdu;
use scms_asn1::ieee1609dot2dot1::protocol::{MultiSignedCtlSpdu, ScmsPdu, ScmsPduContent};
use scms_ca::crl::{
    hash_entry, sign_crl, signer_craca, verify_crl, CrlBody, CrlHeader, GroupEntry, IndividualEntry,
};
use scms_ca::ctl::{elector_entry, root_ca_entry, sign_ctl, verify_ctl, CtlContent, Elector};
use scms_ca::hierarchy::Hierarchy;
use scms_ca::profile::Family;
use scms_ca::spdu::SignerForm;
use scms_crypto::hash::{digest, HashAlgorithm};
use scms_crypto::verify::{certificate_hashed_id8, verify_signed_data};

fn electors(h: &Hierarchy, n: usize) -> Vec<(Vec<u8>, String)> {
    (1..=n)
        .map(|i| {
            let name = format!("elector-{i}");
            (
                h.certificate(&name).unwrap().to_vec(),
                h.key_labels[&name].clone(),
            )
        })
        .collect()
}

fn content(h: &Hierarchy, es: &[(Vec<u8>, String)]) -> CtlContent {
    CtlContent {
        series_id: *b"test-ctl",
        sequence_number: 2,
        effective_date: common::now(),
        elector_approve: es.iter().map(|(c, _)| elector_entry(c).unwrap()).collect(),
        elector_remove: vec![],
        root_ca_approve: vec![root_ca_entry(h.certificate("root").unwrap()).unwrap()],
        root_ca_remove: vec![],
        quorum: Some(2),
    }
}

#[test]
fn ctl_quorum_trust_and_tampering() {
    for family in [Family::Us, Family::Cn] {
        let (ks, h) = common::hierarchy(family);
        let es = electors(&h, 3);
        let all: Vec<&[u8]> = es.iter().map(|(c, _)| c.as_slice()).collect();
        let c = content(&h, &es);
        let root = h.certificate("root").unwrap();
        let one = [Elector {
            certificate: &es[0].0,
            key_label: &es[0].1,
        }];
        let ctl = sign_ctl(&ks, &c, &[root], &one).unwrap();
        let v = verify_ctl(&ctl.spdu, &all, 1).expect("one signature, quorum 1");
        assert_eq!(v.content, c);
        assert!(
            verify_ctl(&ctl.spdu, &all, 2).is_err(),
            "{family:?}: quorum 2 not reached"
        );
        assert!(
            verify_ctl(&ctl.spdu, &all[1..], 1).is_err(),
            "{family:?}: signer not trusted"
        );

        let two: Vec<Elector<'_>> = es[..2]
            .iter()
            .map(|(c, l)| Elector {
                certificate: c,
                key_label: l,
            })
            .collect();
        let ctl2 = sign_ctl(&ks, &c, &[root], &two).unwrap();
        assert_eq!(verify_ctl(&ctl2.spdu, &all, 2).unwrap().signed_by.len(), 2);

        // tbsCtlHash: the elector's hash over the COER tbsCtl (SHA-384 for the US P-384 electors).
        let outer: MultiSignedCtlSpdu<'_> = scms_asn1::decode(&ctl2.spdu).unwrap();
        let pdu = outer.scms_pdu().unwrap();
        let ScmsPduContent::Cert(CertManagementPdu::MultiSignedCtl(m)) = &pdu.content else {
            panic!("not a CTL")
        };
        assert_eq!(m.tbs_ctl.bytes(), ctl2.tbs_ctl.as_slice());
        let sig_pdu = m.signatures[0].scms_pdu().unwrap();
        let ScmsPduContent::Cert(CertManagementPdu::TbsCtlSignature(t)) = &sig_pdu.content else {
            panic!("not a tbsCtlSignature")
        };
        let alg = if family == Family::Us {
            HashAlgorithm::Sha384
        } else {
            HashAlgorithm::Sm3
        };
        let d = digest(alg, &ctl2.tbs_ctl);
        assert_eq!(&t.tbs_ctl_hash[48 - d.as_bytes().len()..], d.as_bytes());
        assert_eq!(t.sequence_number, 2);

        // Tampered tbsCtl (another sequence number) under the same signatures.
        let mut tbs = m.full_ieee_tbs_ctl().unwrap();
        tbs.sequence_number = 3;
        let mut m2 = m.clone();
        m2.tbs_ctl = Open::from_value(&tbs).unwrap();
        let payload = scms_asn1::encode(&ScmsPdu::new(ScmsPduContent::Cert(
            CertManagementPdu::MultiSignedCtl(m2),
        )))
        .unwrap();
        let bad = scms_asn1::encode(&MultiSignedCtlSpdu(Ieee1609Dot2Data::new(
            Ieee1609Dot2Content::UnsecuredData(Octets::from(payload)),
        )))
        .unwrap();
        assert!(
            verify_ctl(&bad, &all, 1).is_err(),
            "{family:?}: tampered CTL accepted"
        );

        // An elector not in electorApprove cannot sign.
        let mut c3 = c.clone();
        c3.elector_approve.remove(0);
        assert!(sign_ctl(&ks, &c3, &[root], &one).is_err());
    }
}

fn header(h: &Hierarchy, series: u16) -> CrlHeader {
    let root: Certificate<'_> = scms_asn1::decode(h.certificate("root").unwrap()).unwrap();
    CrlHeader {
        series,
        craca: certificate_hashed_id8(&root).unwrap().0,
        issue_date: common::now(),
        next_crl: common::now() + 7 * 86_400,
        priority: None,
    }
}

#[test]
fn hash_crl_round_trip_and_iss_layout() {
    for family in [Family::Us, Family::Cn] {
        let (ks, h) = common::hierarchy(family);
        let signer = h.issuer_ref("crl").unwrap();
        let crl_cert: Certificate<'_> = scms_asn1::decode(signer.certificate).unwrap();
        assert_eq!(
            signer_craca(&crl_cert).unwrap(),
            header(&h, 1).craca,
            "the CRL signer's CRACA is the root"
        );
        let revoked = [
            hash_entry(h.certificate("ma").unwrap()).unwrap(),
            hash_entry(h.certificate("la1").unwrap()).unwrap(),
        ];
        let body = CrlBody::Hash {
            delta: false,
            crl_serial: 5,
            entries: revoked.to_vec(),
        };
        let signed = sign_crl(&ks, &signer, &header(&h, 1), &body, SignerForm::Digest).unwrap();
        assert_eq!(signed.entries, 2);

        // Decode with scms_asn1, verify with scms_crypto.
        let crl: SecuredCrl<'_> = scms_asn1::decode(&signed.bytes).unwrap();
        let sd = crl.signed_data().unwrap();
        verify_signed_data(sd, &crl_cert, None).expect("CRL signature verifies");
        assert_eq!(
            sd.signer,
            SignerIdentifier::Digest(certificate_hashed_id8(&crl_cert).unwrap().0)
        );
        let contents = crl.crl_contents().unwrap();
        let TypeSpecificCrlContents::FullHashCrl(t) = &contents.type_specific else {
            panic!("not a full hash CRL")
        };
        assert_eq!(t.crl_serial, 5);
        assert_eq!(t.entries[0].id, revoked[0].id);
        // HashedId10 is the last 10 bytes of the certificate hash, whose last 8 are its HashedId8.
        let ma: Certificate<'_> = scms_asn1::decode(h.certificate("ma").unwrap()).unwrap();
        assert_eq!(&revoked[0].id[2..], &certificate_hashed_id8(&ma).unwrap().0);
        assert_eq!(
            u64::from(revoked[0].expiry),
            scms_asn1::ieee1609dot2::time::validity_end(&ma.to_be_signed.validity_period)
        );
        assert_eq!(
            verify_crl(&signed.bytes, &[signer.certificate]).unwrap(),
            contents
        );

        // The layout of the ISS production CRL: 03 81 <hashId> 40 03 80 <len> 01 <series>...,
        // a header with the PSID 256 only, a digest signer.
        let iss = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/samples/iss/CRL-2020-2025.oer"
        ))
        .or_else(|_| std::fs::read("/work/shared/samples/iss/CRL-2020-2025.oer"));
        if let Ok(iss) = iss {
            let iss_crl: SecuredCrl<'_> = scms_asn1::decode(&iss).unwrap();
            let iss_sd = iss_crl.signed_data().unwrap();
            assert_eq!(iss[..2], signed.bytes[..2]);
            assert_eq!(iss[3..6], signed.bytes[3..6]);
            assert_eq!(iss_sd.tbs_data.header_info, sd.tbs_data.header_info);
            assert!(matches!(iss_sd.signer, SignerIdentifier::Digest(_)));
            let iss_c = iss_crl.crl_contents().unwrap();
            assert_eq!(iss_c.version, contents.version);
            assert!(matches!(
                iss_c.type_specific,
                TypeSpecificCrlContents::FullHashCrl(_)
            ));
        } else {
            println!("SKIPPED: ISS CRL sample not found");
        }

        // Certificate signer form; the certificate travels with the CRL.
        let signed =
            sign_crl(&ks, &signer, &header(&h, 2), &body, SignerForm::Certificate).unwrap();
        let crl: SecuredCrl<'_> = scms_asn1::decode(&signed.bytes).unwrap();
        assert!(
            matches!(&crl.signed_data().unwrap().signer, SignerIdentifier::Certificate(c) if c.len() == 1)
        );
        verify_crl(&signed.bytes, &[]).expect_err("no known signer given");
        let mut other = signed.bytes.clone();
        let n = other.len();
        other[n - 1] ^= 1;
        assert!(
            verify_crl(&other, &[signer.certificate]).is_err(),
            "corrupted CRL accepted"
        );
    }
}

#[test]
fn linkage_crl_round_trip() {
    for family in [Family::Us, Family::Cn] {
        let (ks, h) = common::hierarchy(family);
        let signer = h.issuer_ref("crl").unwrap();
        let ind = |jmax, la1: u8, imax, s: u8| IndividualEntry {
            jmax,
            la1_id: [0, la1],
            la2_id: [0, 2],
            i_max: imax,
            linkage_seed1: [s; 16],
            linkage_seed2: [s ^ 0xff; 16],
        };
        let body = CrlBody::Linkage {
            delta: false,
            i_rev: 100,
            index_within_i: 0,
            individual: vec![
                ind(20, 1, 150, 1),
                ind(20, 1, 150, 2),
                ind(20, 3, 150, 3),
                ind(10, 1, 120, 4),
            ],
            groups: vec![GroupEntry {
                i_max: 200,
                la1_id: [0, 1],
                linkage_seed1: [7; 16],
                la2_id: [0, 2],
                linkage_seed2: [8; 16],
            }],
        };
        let signed = sign_crl(&ks, &signer, &header(&h, 3), &body, SignerForm::Digest).unwrap();
        assert_eq!(signed.entries, 5);
        let contents = verify_crl(&signed.bytes, &[signer.certificate]).unwrap();
        let TypeSpecificCrlContents::FullLinkedCrl(t) = &contents.type_specific else {
            panic!("not a linked CRL")
        };
        assert_eq!((t.i_rev, t.index_within_i), (100, 0));
        let ind = t.individual.as_ref().unwrap();
        assert_eq!(ind.len(), 2, "two jmax groups");
        assert_eq!(ind[0].jmax, 20);
        assert_eq!(ind[0].contents.len(), 2, "two LA pairs under jmax 20");
        assert_eq!(
            ind[0].contents[0].contents[0].contents.len(),
            2,
            "two devices in one iMax group"
        );
        assert_eq!(t.groups.as_ref().unwrap().len(), 1);
        // Empty linkage CRL: still valid (an empty `individual`).
        let empty = CrlBody::Linkage {
            delta: true,
            i_rev: 100,
            index_within_i: 1,
            individual: vec![],
            groups: vec![],
        };
        let signed = sign_crl(&ks, &signer, &header(&h, 3), &empty, SignerForm::Digest).unwrap();
        let c = verify_crl(&signed.bytes, &[signer.certificate]).unwrap();
        assert!(matches!(
            c.type_specific,
            TypeSpecificCrlContents::DeltaLinkedCrl(_)
        ));
    }
}

#[test]
fn crl_refusals() {
    let (ks, h) = common::hierarchy(Family::Us);
    let signer = h.issuer_ref("crl").unwrap();
    let body = CrlBody::Hash {
        delta: false,
        crl_serial: 1,
        entries: vec![],
    };
    // Series not in the CrlSsp.
    assert!(sign_crl(&ks, &signer, &header(&h, 9), &body, SignerForm::Digest).is_err());
    // Wrong CRACA.
    let mut hd = header(&h, 1);
    hd.craca = [1; 8];
    assert!(sign_crl(&ks, &signer, &hd, &body, SignerForm::Digest).is_err());
    // nextCrl not after issueDate.
    let mut hd = header(&h, 1);
    hd.next_crl = hd.issue_date;
    assert!(sign_crl(&ks, &signer, &hd, &body, SignerForm::Digest).is_err());
    // A certificate without CRL signing permission.
    let ma = h.issuer_ref("ma").unwrap();
    assert!(sign_crl(&ks, &ma, &header(&h, 1), &body, SignerForm::Digest).is_err());
}
