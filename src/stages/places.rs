//! Places: gazetteer matches resolved to world entries.
//!
//! Reads `Doc::tokens`, `Doc::dateline`; writes `Doc::places` and
//! `Dateline::place`.

use crate::doc::Doc;
use crate::gazetteer::Gazetteer;

pub fn run(_doc: &mut Doc, _gaz: &Gazetteer) {}
