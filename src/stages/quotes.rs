//! Direct quotations and who said them.
//!
//! Reads text, sentences, people, organizations; writes `Doc::quotes`.

use crate::doc::Doc;
use crate::gazetteer::Gazetteer;

pub fn run(_doc: &mut Doc, _gaz: &Gazetteer) {}
