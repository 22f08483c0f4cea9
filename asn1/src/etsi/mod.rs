//! ETSI TS 103 097 (and the TS 102 941 trust lists).
