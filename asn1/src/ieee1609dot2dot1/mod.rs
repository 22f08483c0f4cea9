//! IEEE 1609.2.1-2022 interfaces (EE-ECA, EE-RA, ACA-EE, ACA-RA, CertManagement, ACPC, CAM-RA, protocol).

pub mod aca_ee;
pub mod aca_ra;
pub mod acpc;
pub mod cam_ra;
pub mod cert_management;
pub mod eca_ee;
pub mod ee_ra;
pub mod placeholders;
pub mod protocol;
pub mod zip;
