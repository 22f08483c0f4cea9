//! Client SDK (scms).
//!
//! Not implemented yet: this crate exists so the workspace has the layout of
//! DESIGN.md section 2. It exports nothing until its issue lands.
