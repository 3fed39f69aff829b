//! Incidents: triggers, arguments, one record per event.
//!
//! Reads everything before it; writes `Doc::incidents`.

use crate::doc::Doc;
use crate::gazetteer::Gazetteer;

pub fn run(_doc: &mut Doc, _gaz: &Gazetteer) {}
