//! Organizations and people.
//!
//! Reads tokens, phrases, places; writes `Doc::organizations`, `Doc::people`.

use crate::doc::Doc;
use crate::gazetteer::Gazetteer;

pub fn run(_doc: &mut Doc, _gaz: &Gazetteer) {}
