//! CAMP SCMS proof-of-concept interfaces (LA-RA, LA-PCA, LA-MA, MA-RA, MA-PCA, EE-MA, PCA-RA), rebased on the 1609.2-2022 base types.
pub mod base_types;
pub mod ee_ma;
pub mod errors;
pub mod la_ma;
pub mod la_pca;
pub mod la_ra;
pub mod ma_pca;
pub mod ma_ra;
pub mod pca_ra;
pub mod protocol;
