//! Many stories on a thread pool, their output in input order.
//!
//! `dateline batch` and the throughput benchmark both run stories through
//! [`stream`], so the benchmark's figures for one thread and for all
//! threads are the command's own way of sharing work.
//!
//! Each worker of the pool takes the next input, renders it into a buffer
//! of its own and, if every story before it has been written, writes it at
//! once, with any later stories that were done before it and waiting. So
//! on one thread a story is written as soon as it is rendered, from the
//! same warm buffer every time; on several threads only the few stories
//! done out of turn wait, each in a buffer kept for reuse. No thread waits
//! for the others except when it runs more than [`WINDOW`] stories ahead of
//! the oldest story not yet written, which bounds memory whatever the
//! number of stories: about that many outputs (a window plus one per
//! thread), and one input per thread.
//! Input is read, and output written, by the worker that needs it, one
//! worker at a time on each side (a lock each, so a worker waiting for
//! input never keeps another from writing), and output leaves as soon as
//! it is in order, so a live feed on stdin gets each story's line as it is
//! done.
//!
//! Why not chunks: cutting the input into chunks, rendering a chunk in
//! parallel and writing it whole (this module's first design) makes every
//! chunk end with a pause, threads that ran out of stories waiting for the
//! last one and for the calling thread to write and read. Over the
//! development stories, two threads then ran 1.72-1.94x one thread with
//! chunks of 256 stories (median 1.81). Bigger chunks pause less often,
//! but a chunk's output (4 MB for 1024 stories) no longer fits beside the
//! pipeline's data in a core's cache, and one thread was 10-20 % slower.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Condvar, Mutex, PoisonError};

/// Most stories a worker may run ahead of the oldest story not yet
/// written: the bound on outputs held in memory. Far more than the threads
/// of any machine need to stay busy (a story done out of turn waits for
/// the few started before it, tens of microseconds each).
pub const WINDOW: usize = 256;

/// A buffer that grew past this (a very large story's output) is given
/// back to the allocator once written, so one huge story does not hold its
/// memory for the rest of the run.
const KEEP_BYTES: usize = 1 << 20;

/// One story's output, handed to `write` in input order.
pub struct Output<'a> {
    /// What `render` appended for the story.
    pub bytes: &'a [u8],
    /// What `render` returned: true for an error record.
    pub failed: bool,
    /// Every input taken so far has now been written: nothing else is
    /// ready to follow at once, so a filter should flush its output here.
    pub caught_up: bool,
}

/// The output side of a run: one worker writes at a time.
struct Out<W> {
    /// How many outputs have been written (the index of the next to write).
    written: usize,
    /// Outputs done before their turn, by index: bytes and failure.
    waiting: BTreeMap<usize, (Vec<u8>, bool)>,
    /// Buffers of written outputs that waited, for reuse.
    spare: Vec<Vec<u8>>,
    /// Writes one output.
    write: W,
    /// Why the output failed, if it did: the run ends.
    write_error: Option<io::Error>,
    /// Workers waiting for the window to move. Waking is a system call,
    /// made only when someone waits: on every story it cost about a
    /// microsecond on each thread.
    sleepers: usize,
}

impl<W: FnMut(Output) -> io::Result<()>> Out<W> {
    /// Writes the next output, unless a write has failed. `taken`: how many
    /// inputs have been taken.
    fn put(&mut self, bytes: &[u8], failed: bool, taken: usize, stop: &AtomicBool) {
        self.written += 1;
        if self.write_error.is_none() {
            let caught_up = self.written == taken;
            if let Err(e) = (self.write)(Output {
                bytes,
                failed,
                caught_up,
            }) {
                self.write_error = Some(e);
                stop.store(true, SeqCst);
            }
        }
    }
}

/// Renders every input `source` yields on `pool` and hands each output to
/// `write` in input order.
///
/// `render` appends one input's output to an empty buffer and says whether
/// it failed (an error record); `write` gets that output as an [`Output`]. An
/// error from `source` ends the run once everything read before it has
/// been written, and is returned; an error from `write` ends it at once.
pub fn stream<T, I, W>(
    pool: &rayon::ThreadPool,
    source: I,
    render: impl Fn(&mut Vec<u8>, &T) -> bool + Sync,
    write: W,
) -> io::Result<()>
where
    I: Iterator<Item = io::Result<T>> + Send,
    W: FnMut(Output) -> io::Result<()> + Send,
{
    stream_within(WINDOW, pool, source, render, write)
}

/// [`stream`] with a window of `window` stories.
fn stream_within<T, I, W>(
    window: usize,
    pool: &rayon::ThreadPool,
    source: I,
    render: impl Fn(&mut Vec<u8>, &T) -> bool + Sync,
    write: W,
) -> io::Result<()>
where
    I: Iterator<Item = io::Result<T>> + Send,
    W: FnMut(Output) -> io::Result<()> + Send,
{
    // Input and output have a lock each, so that a worker waiting for
    // input (a live feed) never keeps another from writing what it has
    // done. `taken` changes under the input lock; `stop` says that no more
    // input is to be taken: it has ended or failed, a write failed, or a
    // worker panicked.
    let input = Mutex::new((source, None::<io::Error>));
    let out = Mutex::new(Out {
        written: 0,
        waiting: BTreeMap::new(),
        spare: Vec::new(),
        write,
        write_error: None,
        sleepers: 0,
    });
    let (taken, stop) = (AtomicUsize::new(0), AtomicBool::new(false));
    let turn = Condvar::new();
    let lock_out = || out.lock().unwrap_or_else(PoisonError::into_inner);
    pool.broadcast(|_| {
        // Should `render` panic, the others must not wait for its story.
        let guard = OnPanic(|| {
            stop.store(true, SeqCst);
            let _out = lock_out();
            turn.notify_all();
        });
        let mut buf = Vec::new();
        loop {
            {
                let mut o = lock_out();
                while !stop.load(SeqCst) && taken.load(SeqCst) >= o.written + window {
                    o.sleepers += 1;
                    o = turn.wait(o).unwrap_or_else(PoisonError::into_inner);
                    o.sleepers -= 1;
                }
            }
            let (index, item) = {
                let mut i = input.lock().unwrap_or_else(PoisonError::into_inner);
                if stop.load(SeqCst) {
                    break;
                }
                match i.0.next() {
                    Some(Ok(item)) => (taken.fetch_add(1, SeqCst), item),
                    Some(Err(e)) => {
                        i.1 = Some(e);
                        stop.store(true, SeqCst);
                        break;
                    }
                    None => {
                        stop.store(true, SeqCst);
                        break;
                    }
                }
            };
            buf.clear();
            let failed = render(&mut buf, &item);
            drop(item);
            let mut o = lock_out();
            if index != o.written {
                let spare = o.spare.pop().unwrap_or_default();
                o.waiting
                    .insert(index, (std::mem::replace(&mut buf, spare), failed));
                continue;
            }
            o.put(&buf, failed, taken.load(SeqCst), &stop);
            loop {
                let next = o.written;
                let Some((mut bytes, failed)) = o.waiting.remove(&next) else {
                    break;
                };
                o.put(&bytes, failed, taken.load(SeqCst), &stop);
                if bytes.capacity() <= KEEP_BYTES {
                    bytes.clear();
                    o.spare.push(bytes);
                }
            }
            if buf.capacity() > KEEP_BYTES {
                buf = Vec::new();
            }
            if o.sleepers > 0 {
                turn.notify_all();
            }
        }
        std::mem::forget(guard);
    });
    let o = out.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Some(e) = o.write_error {
        return Err(e);
    }
    let (_, read_error) = input.into_inner().unwrap_or_else(PoisonError::into_inner);
    debug_assert_eq!(o.written, taken.load(SeqCst), "every input written");
    read_error.map_or(Ok(()), Err)
}

/// Runs its function when dropped during a panic (it is forgotten, not
/// dropped, on the way out of a normal run).
struct OnPanic<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnPanic<F> {
    fn drop(&mut self) {
        (self.0)();
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

    fn ok(n: usize) -> impl Iterator<Item = io::Result<usize>> + Send {
        (0..n).map(Ok)
    }

    #[test]
    fn output_is_in_input_order_on_any_thread_count() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let fails = |i: usize| i % 7 == 3;
        let n = 3 * WINDOW + 17;
        for (threads, window) in [
            (1, WINDOW),
            (2, WINDOW),
            (3, WINDOW),
            (8, WINDOW),
            (8, 2),
            (3, 1),
        ] {
            let done = AtomicUsize::new(0);
            let render = |out: &mut Vec<u8>, &i: &usize| {
                assert!(out.is_empty(), "a story renders into an empty buffer");
                // No story starts more than the window ahead of the oldest
                // not yet written (give or take the other workers, which
                // may have seen the window open at the same time).
                let ahead = done.load(Ordering::SeqCst) + window + threads - 1;
                assert!(i < ahead, "{i} ahead");
                // Uneven work, so stories finish out of turn.
                for k in 0..(i * 7919) % 20_000 {
                    std::hint::black_box(k);
                }
                out.extend_from_slice(i.to_string().as_bytes());
                fails(i)
            };
            let mut written = Vec::new();
            stream_within(window, &pool(threads), ok(n), render, |o| {
                let i: usize = std::str::from_utf8(o.bytes).unwrap().parse().unwrap();
                assert_eq!(o.failed, fails(i));
                written.push(i);
                done.fetch_add(1, Ordering::SeqCst);
                // One thread has always caught up; the last story always.
                assert!(o.caught_up || (threads > 1 && i + 1 < n));
                Ok(())
            })
            .unwrap();
            assert_eq!(written, (0..n).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    #[test]
    fn nothing_to_do_writes_nothing() {
        let mut writes = 0;
        stream(
            &pool(2),
            ok(0),
            |_, _| false,
            |_| {
                writes += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(writes, 0);
    }

    #[test]
    fn a_write_error_ends_the_run() {
        let mut writes = 0;
        let e = stream(
            &pool(2),
            ok(10_000),
            |_, _| false,
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
        assert_eq!(writes, 3, "nothing is written after the error");
    }

    #[test]
    fn a_read_error_ends_the_run_after_what_was_read() {
        let source = (0..100).map(|i| {
            if i == 40 {
                Err(io::Error::other("unreadable"))
            } else {
                Ok(i)
            }
        });
        let mut written = Vec::new();
        let e = stream(
            &pool(3),
            source,
            |out, &i: &i32| {
                out.push(i as u8);
                false
            },
            |o| {
                written.push(o.bytes[0]);
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "unreadable");
        assert_eq!(written, (0..40).collect::<Vec<u8>>());
    }

    #[test]
    fn a_panic_is_raised_again_and_does_not_hang_the_others() {
        let run = std::panic::catch_unwind(|| {
            stream(
                &pool(2),
                ok(10_000),
                |_, &i| {
                    assert!(i != 500, "boom");
                    false
                },
                |_| Ok(()),
            )
        });
        assert!(run.is_err());
    }
}
