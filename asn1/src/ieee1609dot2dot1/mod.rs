//! IEEE 1609.2.1-2022 interfaces (EE-ECA, EE-RA, ACA-EE, ACA-RA, CertManagement, ACPC, CAM-RA, protocol).

pub mod cam_ra;
pub mod placeholders;
