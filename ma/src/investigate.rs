//! The MA's side of the CAMP investigation interfaces, as signed SPDUs between
//! authorities (`scms_ca::spdu::scms_signed` / `verify_scms_signed`): the
//! requests it builds and what it reads from the answers. No I/O here.
//!
//! 1. MA -> ACA `SignedMaPcaHPCRRequest` (the certificate's linkage value) ->
//!    `SignedPcaMaHPCRResponse`: the HPCR (hash of the RA's certificate request).
//! 2. MA -> RA `SignedLCIRequest` (HPCR) -> `SignedLCIResponse`: the two LAs'
//!    linkage chain identifiers and the last i-period of the chain.
//! 3. MA -> LA1, LA2 `SignedLSRequest` (LCI) -> `SignedLSReply`: the chain's
//!    linkage seed at the current i-period. Both are encrypted on the way
//!    (`SecuredLSRequest` to the LA's certificate, `SecuredLSReply` to the
//!    MA's: `scms_ca::spdu::scms_signed_encrypted`); the service does that.
//! 4. MA -> RA `SignedBlacklistRequest` (HPCR) -> `SignedBlacklistResponse`.
//!
//! The requests carry no auditor countersignature (`signatures` is empty).

use scms_asn1::camp::base_types::{LinkageChainId, HPCR};
use scms_asn1::camp::la_ma::{
    LCI2LSReply, LaMaInterfacePDU, MaLaLinkageSeedRequestMsg, ToBeSignedLSRequestMsg,
};
use scms_asn1::camp::ma_pca::{
    Lv2HPCRReply, MaPcaHPCRRequestMsg, MaPcaInterfacePDU, ToBeSignedMaPcaHPCRRequestMsg,
};
use scms_asn1::camp::ma_ra::{
    BlacklistReply, HPCR2LCIReply, MaRaBlacklistRequestMsg, MaRaInterfacePDU, MaRaLCIRequestMsg,
    ToBeSignedBlacklistingInstructionMsg, ToBeSignedLCIRequestMsg,
};
use scms_asn1::camp::protocol::{
    ScmsPDU, ScmsPDUContent, ScopedBlacklistRequest, ScopedBlacklistResponse, ScopedLCIRequest,
    ScopedLCIResponse, ScopedLSReply, ScopedLSRequest, ScopedMaPcaHPCRRequest,
    ScopedPcaMaHPCRResponse,
};
use scms_asn1::ieee1609dot2::Hostname;

fn pdu(content: ScmsPDUContent<'_>) -> ScmsPDU<'_> {
    ScmsPDU {
        version: 1,
        content,
    }
}

/// Step 1: the HPCR request for a linkage value.
pub fn hpcr_request<'a>(ma_id: Hostname<'a>, lv: [u8; 9]) -> ScopedMaPcaHPCRRequest<'a> {
    ScopedMaPcaHPCRRequest(pdu(ScmsPDUContent::MaPca(
        MaPcaInterfacePDU::MaPcaHpcrRequest(MaPcaHPCRRequestMsg {
            version: 1,
            tbs: ToBeSignedMaPcaHPCRRequestMsg {
                ma_id,
                linkage_values: vec![lv],
                unknown_extensions: Default::default(),
            },
            signatures: Vec::new(),
        }),
    )))
}

/// Step 1: the HPCR of `lv` in the ACA's answer.
pub fn hpcr_of(payload: &[u8], lv: &[u8; 9], request_hash: [u8; 8]) -> Result<HPCR, String> {
    let s: ScopedPcaMaHPCRResponse<'_> = scms_asn1::decode(payload).map_err(|e| e.to_string())?;
    let ScmsPDUContent::MaPca(MaPcaInterfacePDU::PcaMaHpcrResponse(r)) = &s.0.content else {
        return Err("not a pcaMaHPCRResponse".into());
    };
    if r.request_hash != request_hash {
        return Err("the answer is for another request".into());
    }
    match r.hpcrinfo.iter().find(|x| &x.lv == lv).map(|x| &x.reply) {
        Some(Lv2HPCRReply::Success(h)) => Ok(h.hpcr),
        Some(Lv2HPCRReply::Failure(e)) => Err(format!("ACA: {:?}", e.0)),
        None => Err("the linkage value is not in the answer".into()),
    }
}

/// Step 2: the LCI request for an HPCR.
pub fn lci_request<'a>(ma_id: Hostname<'a>, hpcr: HPCR) -> ScopedLCIRequest<'a> {
    ScopedLCIRequest(pdu(ScmsPDUContent::MaRa(MaRaInterfacePDU::MaRaLciRequest(
        MaRaLCIRequestMsg {
            version: 1,
            tbs: ToBeSignedLCIRequestMsg {
                ma_id,
                hpcr: vec![hpcr],
                unknown_extensions: Default::default(),
            },
            signatures: Vec::new(),
        },
    ))))
}

/// What the RA tells about an HPCR's chains.
#[derive(Clone, Debug)]
pub struct Chains {
    /// COER `LinkageChainId` of LA1 and LA2.
    pub la1_lci: Vec<u8>,
    pub la2_lci: Vec<u8>,
    /// The last i-period of the chains.
    pub i_max: u32,
}

/// Step 2: the chains of `hpcr` in the RA's answer.
pub fn chains_of(payload: &[u8], hpcr: &HPCR, request_hash: [u8; 8]) -> Result<Chains, String> {
    let s: ScopedLCIResponse<'_> = scms_asn1::decode(payload).map_err(|e| e.to_string())?;
    let ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaLciResponse(r)) = &s.0.content else {
        return Err("not a raMaLCIResponse".into());
    };
    if r.request_hash != request_hash {
        return Err("the answer is for another request".into());
    }
    match r
        .lci_info
        .iter()
        .find(|x| &x.hpcr == hpcr)
        .map(|x| &x.reply)
    {
        Some(HPCR2LCIReply::Success(ok)) => Ok(Chains {
            la1_lci: scms_asn1::encode(&ok.info.la1_lci).map_err(|e| e.to_string())?,
            la2_lci: scms_asn1::encode(&ok.info.la2_lci).map_err(|e| e.to_string())?,
            i_max: u32::from_be_bytes(ok.info.i_max),
        }),
        Some(HPCR2LCIReply::Failure(e)) => Err(format!("RA: {:?}", e.0)),
        None => Err("the HPCR is not in the answer".into()),
    }
}

/// Step 3: the seed request for one linkage chain identifier (COER).
pub fn seed_request<'a>(ma_id: Hostname<'a>, lci: &'a [u8]) -> Result<ScopedLSRequest<'a>, String> {
    let lci: LinkageChainId<'a> = scms_asn1::decode(lci).map_err(|e| e.to_string())?;
    Ok(ScopedLSRequest(pdu(ScmsPDUContent::LaMa(
        LaMaInterfacePDU::MaLaLinkageSeedRequest(MaLaLinkageSeedRequestMsg {
            version: 1,
            tbs: ToBeSignedLSRequestMsg {
                ma_id,
                lci: vec![lci],
                unknown_extensions: Default::default(),
            },
            signatures: Vec::new(),
        }),
    ))))
}

/// Step 3: the seed and LA id in an LA's answer.
pub fn seed_of(payload: &[u8], request_hash: [u8; 8]) -> Result<([u8; 16], [u8; 2]), String> {
    let s: ScopedLSReply<'_> = scms_asn1::decode(payload).map_err(|e| e.to_string())?;
    let ScmsPDUContent::LaMa(LaMaInterfacePDU::LaMaLinkageSeedResponse(r)) = &s.0.content else {
        return Err("not a laMaLinkageSeedResponse".into());
    };
    if r.request_hash != request_hash {
        return Err("the answer is for another request".into());
    }
    match r.ls_info.first().map(|x| &x.reply) {
        Some(LCI2LSReply::Success(s)) => Ok((s.linkage_seed, s.la_id)),
        Some(LCI2LSReply::Failure(e)) => Err(format!("LA: {:?}", e.0)),
        None => Err("empty answer".into()),
    }
}

/// Step 4: the blacklist request for an HPCR.
pub fn blacklist_request<'a>(ma_id: Hostname<'a>, hpcr: HPCR) -> ScopedBlacklistRequest<'a> {
    ScopedBlacklistRequest(pdu(ScmsPDUContent::MaRa(
        MaRaInterfacePDU::MaRaBlacklistRequest(MaRaBlacklistRequestMsg {
            version: 1,
            tbs: ToBeSignedBlacklistingInstructionMsg {
                ma_id,
                hpcr: vec![hpcr],
                unknown_extensions: Default::default(),
            },
            signatures: Vec::new(),
        }),
    )))
}

/// Step 4: whether the RA blocklisted the device (`true`) or had already (`false`).
pub fn blacklisted(payload: &[u8], hpcr: &HPCR, request_hash: [u8; 8]) -> Result<bool, String> {
    let s: ScopedBlacklistResponse<'_> = scms_asn1::decode(payload).map_err(|e| e.to_string())?;
    let ScmsPDUContent::MaRa(MaRaInterfacePDU::RaMaBlacklistResponse(r)) = &s.0.content else {
        return Err("not a raMaBlacklistResponse".into());
    };
    if r.request_hash != request_hash {
        return Err("the answer is for another request".into());
    }
    match r.status.iter().find(|x| &x.hpcr == hpcr).map(|x| &x.reply) {
        Some(BlacklistReply::Success) => Ok(true),
        Some(BlacklistReply::Failure(e)) => {
            use scms_asn1::camp::errors::{MaRaBlacklistErrorCode, MaRaError, ScmsError};
            match &e.0 {
                ScmsError::MaRa(MaRaError::MaRaBlacklistError(
                    MaRaBlacklistErrorCode::AlreadyBlacklisted,
                )) => Ok(false),
                other => Err(format!("RA: {other:?}")),
            }
        }
        None => Err("the HPCR is not in the answer".into()),
    }
}
