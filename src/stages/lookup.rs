//! Lookup: the curated phrase lists, found in the story (see
//! [`crate::gazetteer::phrases`]).
//!
//! Reads `Doc::lower`; writes `Doc::phrases`. Later stages read the hits of
//! their own lists instead of scanning the text again.

use crate::doc::Doc;
use crate::gazetteer::Gazetteer;

pub fn run(doc: &mut Doc, gaz: &Gazetteer) {
    doc.phrases = gaz.phrases.find(doc);
}
