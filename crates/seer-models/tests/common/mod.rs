//! Code shared by integration tests.

pub mod tf_reference;
