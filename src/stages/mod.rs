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

/// Writes into `buf` the indices below `len` for which `keep` holds, in
/// order, and returns how many: without a branch on the answer (each
/// index is written, and the end of the list moves on past the kept ones),
/// for tests that go either way from one token to the next, which a
/// branch per token would mispredict about every other time. The stages
/// gather the few tokens a rule may start at this way, then work on those
/// only. `buf` is only ever grown, never zeroed.
pub(crate) fn keep_indices(buf: &mut Vec<u32>, len: usize, keep: impl Fn(usize) -> bool) -> usize {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let buf = &mut buf[..len];
    let mut n = 0;
    for k in 0..len {
        if let Some(slot) = buf.get_mut(n) {
            *slot = k as u32;
        }
        n += usize::from(keep(k));
    }
    n
}

/// [`keep_indices`] into two lists at once: the indices below `len` for
/// which the first answer of `keep` holds into `a`, those for which the
/// second does into `b`, and how many of each. The places stage gathers
/// the tokens where names may start and the capitalized words of
/// mixed-case copy this way, by one pass over the tokens instead of two.
pub(crate) fn keep_indices_twice(
    a: &mut Vec<u32>,
    b: &mut Vec<u32>,
    len: usize,
    keep: impl Fn(usize) -> (bool, bool),
) -> (usize, usize) {
    for buf in [&mut *a, &mut *b] {
        if buf.len() < len {
            buf.resize(len, 0);
        }
    }
    let (a, b) = (&mut a[..len], &mut b[..len]);
    let (mut n, mut m) = (0, 0);
    for k in 0..len {
        if let Some(slot) = a.get_mut(n) {
            *slot = k as u32;
        }
        if let Some(slot) = b.get_mut(m) {
            *slot = k as u32;
        }
        let (in_a, in_b) = keep(k);
        n += usize::from(in_a);
        m += usize::from(in_b);
    }
    (n, m)
}
