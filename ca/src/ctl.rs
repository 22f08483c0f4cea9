//! CTL
