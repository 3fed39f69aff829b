//! The pipeline stages, one module each, run in the order listed in
//! [`crate::pipeline::Pipeline::run_stages`].

pub mod dateline;
pub mod incidents;
pub mod lookup;
pub mod names;
pub mod places;
pub mod quotes;
pub mod sentences;
pub mod tokenize;
