//! The 1609.2.1-2022 interface modules that are still placeholders (`NULL`):
//! `Ieee1609Dot2Dot1AcaLaInterface`, `AcaMaInterface`, `EeMaInterface`,
//! `LaMaInterface`, `LaRaInterface` and `MaRaInterface`. (The CAMP SCMS PoC
//! interfaces in `crate::camp` fill these roles in practice.)

use crate::codec::Null;

/// `AcaLaInterfacePdu ::= NULL`.
pub type AcaLaInterfacePdu = Null;
/// `AcaMaInterfacePdu ::= NULL`.
pub type AcaMaInterfacePdu = Null;
/// `EeMaInterfacePdu ::= NULL`.
pub type EeMaInterfacePdu = Null;
/// `LaMaInterfacePdu ::= NULL`.
pub type LaMaInterfacePdu = Null;
/// `LaRaInterfacePdu ::= NULL`.
pub type LaRaInterfacePdu = Null;
/// `MaRaInterfacePdu ::= NULL`.
pub type MaRaInterfacePdu = Null;
