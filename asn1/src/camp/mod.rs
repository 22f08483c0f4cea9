//! CAMP SCMS proof-of-concept interfaces (LA-RA, LA-PCA, LA-MA, MA-RA, MA-PCA, EE-MA, PCA-RA), rebased on the 1609.2-2022 base types.
pub mod errors;
