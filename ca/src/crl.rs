//! CRL
