//! Many stories on a thread pool, their output in input order.
//!
//! `dateline batch` and the throughput benchmark both run stories through
//! [`stream`], so the benchmark's figures for one thread and for all
//! threads are the command's own way of sharing work.
//!
//! Work comes in chunks of at most [`CHUNK`] stories: memory is bounded by
//! the chunk, not by the number of stories, and a chunk's output is written
//! whole, in input order, as soon as it is rendered, whatever the number
//! of threads. Each story of a chunk renders into its own slot, a buffer
//! kept from chunk to chunk, so after the first chunk a story's output is
//! written into memory that is already allocated (and warm in cache),
//! never grown from nothing.
//!
//! Reading and writing are done by the calling thread between chunks, not
//! beside the pool's work: overlapping them (one chunk rendered while the
//! one before is written and the one after read) made one worker 6-8 %
//! faster in wall time by putting that work on a second core, but two
//! workers on two cores no faster, and it held a live feed's output back a
//! chunk.
//!
//! Why one story at a time, and not a few consecutive stories into one
//! shared buffer: rayon cuts a slice into about twice as many pieces as
//! there are threads and cuts further only when a thread steals work. A
//! piece, once begun, is not shared, so near the end of a slice the thread
//! that finished first waits while the other ends its piece. Over the
//! development stories on two threads that cost a tenth of the time
//! (1.81-1.90x one thread in one slice, 1.96-2.14x with pieces of at most
//! four stories). Pieces of several stories into one buffer grown from
//! empty cost one thread about 5 %; slots of one story each cost nothing
//! measurable against running the stories one after another, and a split
//! is a fraction of a microsecond against tens of microseconds a story.

use rayon::prelude::*;
use std::io;

/// Stories per chunk: enough to keep every core busy to the chunk's end,
/// few enough to keep memory flat.
pub const CHUNK: usize = 256;

/// A slot whose buffer grew past this (a very large story's output) is
/// given back to the allocator before its next use, so one huge story does
/// not hold its memory for the rest of the batch.
const KEEP_BYTES: usize = 1 << 20;

/// One story's output.
#[derive(Default)]
pub struct Slot {
    /// What the story's `render` call appended.
    pub bytes: Vec<u8>,
    /// What it returned: true for an error record.
    pub failed: bool,
}

/// Renders every item `fill` gives on `pool` and hands the output to
/// `write`, a chunk at a time, in input order.
///
/// `fill` appends the next items to an empty list (at most [`CHUNK`] for
/// memory to stay bounded; none at the end of the input). `render` appends
/// one item's output to an empty buffer and says whether it failed.
/// `write` gets a chunk's slots, one per item, in the items' order, as soon
/// as the chunk is rendered. `fill` and `write` run on the calling thread.
/// An error from `write` ends the run; an error from `fill` ends it after
/// the items read before it are written.
pub fn stream<T: Sync>(
    pool: &rayon::ThreadPool,
    mut fill: impl FnMut(&mut Vec<T>) -> io::Result<()>,
    render: impl Fn(&mut Vec<u8>, &T) -> bool + Sync,
    mut write: impl FnMut(&[Slot]) -> io::Result<()>,
) -> io::Result<()> {
    let mut items = Vec::with_capacity(CHUNK);
    let mut slots = Slots::default();
    loop {
        items.clear();
        let read = fill(&mut items);
        if items.is_empty() {
            return read;
        }
        // What was read before an error is not lost.
        slots.render(pool, &items, &render);
        write(slots.rendered())?;
        read?;
    }
}

/// Output slots kept from chunk to chunk.
#[derive(Default)]
struct Slots {
    slots: Vec<Slot>,
    /// How many items the last `render` had.
    len: usize,
}

impl Slots {
    /// The slots of the last `render`.
    fn rendered(&self) -> &[Slot] {
        &self.slots[..self.len]
    }

    /// Renders `items` on `pool`, each into its own slot (see [`stream`]).
    fn render<T: Sync>(
        &mut self,
        pool: &rayon::ThreadPool,
        items: &[T],
        render: impl Fn(&mut Vec<u8>, &T) -> bool + Sync,
    ) {
        if self.slots.len() < items.len() {
            self.slots.resize_with(items.len(), Slot::default);
        }
        let slots = &mut self.slots[..items.len()];
        for slot in slots.iter_mut() {
            if slot.bytes.capacity() > KEEP_BYTES {
                slot.bytes = Vec::new();
            }
            slot.bytes.clear();
        }
        pool.install(|| {
            items
                .par_iter()
                .zip(slots.par_iter_mut())
                .with_max_len(1)
                .for_each(|(item, slot)| slot.failed = render(&mut slot.bytes, item));
        });
        self.len = items.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// The items 0..n handed out in chunks of the given sizes in turn.
    fn chunks(n: usize, sizes: &[usize]) -> impl FnMut(&mut Vec<usize>) -> io::Result<()> + '_ {
        let (mut next, mut k) = (0, 0);
        move |items: &mut Vec<usize>| {
            assert!(items.is_empty(), "fill is given an empty list");
            let end = n.min(next + sizes[k % sizes.len()]);
            items.extend(next..end);
            (next, k) = (end, k + 1);
            Ok(())
        }
    }

    #[test]
    fn output_is_in_input_order_on_any_thread_count() {
        let fails = |i: usize| i % 7 == 3;
        let render = |out: &mut Vec<u8>, &i: &usize| {
            assert!(out.is_empty(), "a slot starts empty");
            out.extend_from_slice(format!("{i}\n").as_bytes());
            fails(i)
        };
        for threads in [1, 2, 3, 8] {
            let mut written = Vec::new();
            stream(
                &pool(threads),
                chunks(1000, &[300, 7, 256, 1]),
                render,
                |slots| {
                    for slot in slots {
                        let i: usize = std::str::from_utf8(&slot.bytes)
                            .unwrap()
                            .trim()
                            .parse()
                            .unwrap();
                        assert_eq!(slot.failed, fails(i));
                        written.push(i);
                    }
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(written, (0..1000).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn nothing_to_do_writes_nothing() {
        let mut writes = 0;
        stream(
            &pool(2),
            chunks(0, &[5]),
            |_, _: &usize| false,
            |_| {
                writes += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(writes, 0);
    }

    #[test]
    fn the_first_error_ends_the_run() {
        let mut writes = 0;
        let e = stream(
            &pool(2),
            chunks(100, &[10]),
            |_, _: &usize| false,
            |_| {
                writes += 1;
                if writes == 3 {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
                }
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(writes, 3);
        let (mut filled, mut written) = (0, Vec::new());
        let e = stream(
            &pool(2),
            |items: &mut Vec<usize>| {
                filled += 1;
                if filled == 2 {
                    return Err(io::Error::other("unreadable"));
                }
                items.push(filled);
                Ok(())
            },
            |out, &i| {
                out.push(i as u8);
                false
            },
            |slots| {
                written.extend(slots.iter().map(|s| s.bytes[0]));
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "unreadable");
        assert_eq!(written, [1], "what was read before the error is written");
    }

    #[test]
    fn a_huge_slot_is_given_back() {
        let pool = pool(1);
        let mut slots = Slots::default();
        let big = |out: &mut Vec<u8>, &n: &usize| {
            out.resize(n, b'x');
            false
        };
        slots.render(&pool, &[2 * KEEP_BYTES], big);
        assert_eq!(slots.rendered()[0].bytes.len(), 2 * KEEP_BYTES);
        slots.render(&pool, &[10], big);
        assert_eq!(slots.rendered()[0].bytes.len(), 10);
        assert!(slots.rendered()[0].bytes.capacity() < KEEP_BYTES);
    }
}
