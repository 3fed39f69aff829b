//! Lookup: the curated phrase lists found in the story (see
//! [`crate::gazetteer::phrases`]), and the lexicon's entry for each word
//! that may start a name.
//!
//! Reads `Doc::lower` and `Doc::tokens`; writes `Doc::phrases`,
//! `Doc::lexemes` and `Doc::word_tally`. Later stages read the hits of their own lists instead
//! of scanning the text again, and a word's lexeme instead of asking the
//! gazetteers: the places stage walks the place index from every such word
//! and the people rules ask whether it is a given name or a common word.
//! Asked here, in one tight loop over the tokens, the lexicon's probes are
//! independent of each other and the processor overlaps their trips to
//! memory (and the loop asks for each word's slot eight tokens ahead of
//! its probe); asked from inside the stages' rules, each waits alone.

use crate::doc::{Doc, Token};
use crate::gazetteer::Gazetteer;

pub fn run(doc: &mut Doc, gaz: &Gazetteer) {
    doc.phrases = gaz.phrases.find(doc);
    // One loop per case, so that the test per token is the one that case
    // needs: in capitals copy (most wire copy) every word may start a name.
    (doc.lexemes, doc.word_tally) = match doc.all_caps {
        true => gaz.lexemes(doc.text, &doc.tokens, Token::is_word),
        false => gaz.lexemes(doc.text, &doc.tokens, |t| may_start_name(t, false)),
    };
}

/// Is `t` a word a name may start with: capitalized, or any word of
/// capitals copy (where case says nothing)? Written without short
/// circuits, so that it compiles without a branch: whether a token is a
/// word goes either way from one token to the next, and the places stage
/// asks it of every token in a loop kept free of such branches.
#[inline]
pub fn may_start_name(t: &Token, all_caps: bool) -> bool {
    t.is_word() & (t.is(Token::CAP) | all_caps)
}
