//! The EU CPOC European Certificate Trust List (ECTL) and TLM certificate from
//! `shared/samples/etsi-cpoc/`: the ECTL decodes as `EtsiTs103097Data` down to the
//! TS 102 941 trust list, re-encodes byte-identically, and survives mutations.

use std::path::PathBuf;

use scms_asn1::codec::testing::mutations;
use scms_asn1::codec::Spanned;
use scms_asn1::etsi::ts102941_messages_ca::*;
use scms_asn1::etsi::ts102941_trust_lists::*;
use scms_asn1::etsi::ts103097::*;
use scms_asn1::ieee1609dot2::*;
use scms_asn1::{decode, encode};

fn samples_dir() -> PathBuf {
    match std::env::var_os("SCMS_SAMPLES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/samples")),
    }
}

fn sample(rel: &str) -> Vec<u8> {
    let p = samples_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read sample {}: {e}", p.display()))
}

const ECTL: &str = "etsi-cpoc/CE4CF6C19BFED720.oer";
const TLM: &str = "etsi-cpoc/E7A4B2B045E7ACF9.oer";

/// Rebuilds an SPDU without received spans, so that encoding runs the encoder.
fn strip_data<'a>(d: &Ieee1609Dot2Data<'a>) -> Ieee1609Dot2Data<'a> {
    let mut out = d.clone();
    if let Ieee1609Dot2Content::SignedData(sd) = &mut out.content {
        let mut tbs = sd.tbs_data.value().clone();
        if let Some(inner) = &tbs.payload.data {
            tbs.payload.data = Some(Box::new(strip_data(inner)));
        }
        sd.tbs_data = Spanned::new(tbs);
        if let SignerIdentifier::Certificate(certs) = &mut sd.signer {
            *certs = certs.iter().map(strip_cert).collect();
        }
    }
    out
}

fn strip_cert<'a>(c: &Certificate<'a>) -> Certificate<'a> {
    let mut base = c.value().clone();
    base.to_be_signed = Spanned::new(base.to_be_signed.value().clone());
    Spanned::new(base)
}

fn strip_etsi_cert<'a>(c: &EtsiTs103097Certificate<'a>) -> EtsiTs103097Certificate<'a> {
    EtsiTs103097Certificate(strip_cert(&c.0))
}

/// Rebuilds a trust list without received spans.
fn strip_ctl<'a>(c: &CtlFormat<'a>) -> CtlFormat<'a> {
    let mut out = c.clone();
    for cmd in &mut out.ctl_commands {
        if let CtlCommand::Add(e) = cmd {
            match e {
                CtlEntry::Rca(r) => {
                    r.selfsigned_root_ca = strip_etsi_cert(&r.selfsigned_root_ca);
                    r.successor_to = r.successor_to.as_ref().map(strip_etsi_cert);
                }
                CtlEntry::Tlm(t) => {
                    t.self_signed_tlm_certificate = strip_etsi_cert(&t.self_signed_tlm_certificate);
                    t.successor_to = t.successor_to.as_ref().map(strip_etsi_cert);
                }
                CtlEntry::Ea(x) => x.ea_certificate = strip_etsi_cert(&x.ea_certificate),
                CtlEntry::Aa(x) => x.aa_certificate = strip_etsi_cert(&x.aa_certificate),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn tlm_certificate() {
    let b = sample(TLM);
    let c: EtsiTs103097Certificate = decode(&b).expect("TLM certificate");
    assert_eq!(c.0.raw(), Some(&b[..]));
    assert_eq!(encode(&c).unwrap(), b);
    assert_eq!(encode(&strip_etsi_cert(&c)).unwrap(), b);
    assert!(c.0.is_explicit() && c.0.is_self_signed());
    match &c.0.to_be_signed.id {
        CertificateId::Name(n) => assert_eq!(n.as_str(), "EU-TLM_L2"),
        other => panic!("TLM id {other:?}"),
    }
}

#[test]
fn ectl_decodes_down_to_the_trust_list() {
    let b = sample(ECTL);

    // The SPDU, in every layer of the profile.
    let data: EtsiTs103097Data = decode(&b).expect("EtsiTs103097Data");
    assert_eq!(encode(&data).unwrap(), b, "span re-encoding");
    assert_eq!(
        encode(&strip_data(&data.0)).unwrap(),
        b,
        "value re-encoding"
    );
    let signed: EtsiTs103097DataSigned = decode(&b).expect("EtsiTs103097Data-Signed");
    let sd = signed.signed_data().expect("signedData");
    assert_eq!(sd.hash_id, HashAlgorithm::Sha384);
    assert!(sd.tbs_data.header_info.generation_time.is_some());
    // Signed by the TLM certificate itself (E7A4B2B045E7ACF9), carried whole.
    match &sd.signer {
        SignerIdentifier::Certificate(certs) => {
            assert_eq!(certs.len(), 1);
            assert_eq!(certs[0].raw(), Some(&sample(TLM)[..]));
        }
        other => panic!("signer {other:?}"),
    }
    assert!(matches!(
        sd.signature,
        Signature::EcdsaBrainpoolP384r1Signature(_)
    ));
    assert_eq!(
        sd.tbs_data
            .raw()
            .map(|r| encode(sd.tbs_data.value()).unwrap() == r),
        Some(true)
    );

    // The TS 102 941 message and its trust list.
    let msg: TlmCertificateTrustListMessage = decode(&b).expect("TlmCertificateTrustListMessage");
    assert_eq!(encode(&msg).unwrap(), b);
    assert!(decode::<RcaCertificateTrustListMessage>(&b).is_err());
    assert!(decode::<CertificateRevocationListMessage>(&b).is_err());
    let content = msg.content().expect("EtsiTs102941Data");
    assert_eq!(
        encode(&content).unwrap(),
        msg.0.payload(),
        "EtsiTs102941Data re-encoding"
    );
    assert_eq!(content.version, 1);
    let EtsiTs102941DataContent::CertificateTrustListTlm(ctl) = &content.content else {
        panic!("content {:?}", content.content);
    };
    let ctl = &ctl.0;
    assert_eq!(
        ctl.version,
        scms_asn1::etsi::ts102941_base_types::Version::V1
    );
    assert_eq!(ctl.next_update, 0x2884_bde3);
    assert!(ctl.is_full_ctl);
    assert_eq!(ctl.ctl_sequence, 1);
    assert_eq!(ctl.ctl_commands.len(), 5);
    assert_eq!(encode(&strip_ctl(ctl)).unwrap(), encode(ctl).unwrap());

    let mut roots = Vec::new();
    let mut tlms = Vec::new();
    let mut dcs = Vec::new();
    for cmd in &ctl.ctl_commands {
        match cmd {
            CtlCommand::Add(CtlEntry::Rca(r)) => roots.push(r),
            CtlCommand::Add(CtlEntry::Tlm(t)) => tlms.push(t),
            CtlCommand::Add(CtlEntry::Dc(d)) => dcs.push(d),
            other => panic!("unexpected command {other:?}"),
        }
    }
    assert_eq!((roots.len(), tlms.len(), dcs.len()), (2, 1, 2));
    let root_names: Vec<String> = roots
        .iter()
        .map(|r| match &r.selfsigned_root_ca.0.to_be_signed.id {
            CertificateId::Name(n) => n.as_str().to_string(),
            other => panic!("root id {other:?}"),
        })
        .collect();
    assert_eq!(
        root_names,
        ["1_EU-ROOT-CA_L2", "3_Microsec-CCMS-RCA-2024_L2"]
    );
    for r in &roots {
        assert!(r.selfsigned_root_ca.0.is_self_signed());
    }
    // The TLM entry carries the TLM certificate that signed the list.
    let tlm = tlms[0];
    assert_eq!(
        tlm.self_signed_tlm_certificate.0.raw(),
        Some(&sample(TLM)[..])
    );
    assert_eq!(&*tlm.access_point.0, "https://cpoc.jrc.ec.europa.eu/L2");
    assert!(dcs
        .iter()
        .all(|d| d.url.0.starts_with("http://") && d.cert.len() == 1));
}

#[test]
fn ectl_mutations() {
    let b = sample(ECTL);
    let mut accepted = 0usize;
    let mut lists = 0usize;
    mutations(&b, 3000, 0xEC71, |m| {
        if let Ok(d) = decode::<EtsiTs103097Data>(m) {
            accepted += 1;
            assert_eq!(
                encode(&d).unwrap(),
                m,
                "span re-encoding of an accepted mutation"
            );
            assert_eq!(
                encode(&strip_data(&d.0)).unwrap(),
                m,
                "accepted a non-canonical mutation"
            );
        }
        if let Ok(msg) = decode::<TlmCertificateTrustListMessage>(m) {
            assert_eq!(encode(&msg).unwrap(), m);
            let content = msg.content().expect("a decoded message has its content");
            assert_eq!(encode(&content).unwrap(), msg.0.payload());
            if let EtsiTs102941DataContent::CertificateTrustListTlm(ctl) = &content.content {
                assert_eq!(encode(&strip_ctl(&ctl.0)).unwrap(), encode(&ctl.0).unwrap());
                lists += 1;
            }
        }
    });
    eprintln!("ECTL: {accepted} of 3000 mutations accepted, {lists} still a trust list");
    assert!(accepted < 3000, "every mutation accepted");
    assert!(lists > 0, "no mutation kept a valid list");
}

#[test]
fn tlm_certificate_mutations() {
    let b = sample(TLM);
    let mut accepted = 0usize;
    mutations(&b, 3000, 0x7A1, |m| {
        if let Ok(c) = decode::<EtsiTs103097Certificate>(m) {
            accepted += 1;
            assert_eq!(encode(&c).unwrap(), m);
            assert_eq!(encode(&strip_etsi_cert(&c)).unwrap(), m);
        }
    });
    eprintln!("TLM certificate: {accepted} of 3000 mutations accepted");
    assert!(accepted < 3000);
}
