//! Worker threads of the parallel phases ([`plan`](crate::plan::plan),
//! [`resolve_parallel`](crate::audience::resolve_parallel)): how many, and what happens when
//! the system refuses one.
//!
//! A call uses at most [`MAX_THREADS`] threads whatever it is asked for, and a thread that
//! cannot be started (the process's thread or memory limit) is a [`SpawnError`], never a
//! panic. The results never depend on the number of threads.
//!
//! ```
//! use std::num::NonZeroUsize;
//! use smsplan_core::audience::{resolve, resolve_parallel, Project, ProjectKey, Selection};
//! use smsplan_core::dedup::DedupMode;
//! use smsplan_core::phone::Region;
//!
//! let project = Project::new(ProjectKey::Email, Region::FR);
//! let selection = Selection::new([], DedupMode::PerNumber);
//! // Far more threads than any machine has: capped, same answer.
//! let many = NonZeroUsize::new(50_000).ok_or("zero")?;
//! assert_eq!(
//!     resolve_parallel(&project, &[], &[], &selection, many)?,
//!     resolve(&project, &[], &[], &selection)?,
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::thread;

/// The most threads one parallel call uses (the calling thread included), whatever it is
/// asked for: beyond the cores, threads only cost memory (a stack each) and start-up time,
/// and asking for tens of thousands used to exhaust the process's limits.
pub const MAX_THREADS: usize = 256;

/// A worker thread could not be started.
///
/// Equality compares the worker, the count and the kind of the system error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot start worker thread {worker} of {threads}")]
pub struct SpawnError {
    worker: usize,
    threads: usize,
    #[source]
    source: Arc<io::Error>,
}

impl SpawnError {
    /// The worker that could not start (the calling thread is worker 0).
    #[must_use]
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// How many threads the call was starting.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }
}

impl PartialEq for SpawnError {
    fn eq(&self, other: &Self) -> bool {
        (self.worker, self.threads, self.source.kind())
            == (other.worker, other.threads, other.source.kind())
    }
}

impl Eq for SpawnError {}

/// `threads`, at most [`MAX_THREADS`].
pub(crate) fn capped(threads: NonZeroUsize) -> NonZeroUsize {
    NonZeroUsize::new(threads.get().min(MAX_THREADS)).unwrap_or(NonZeroUsize::MIN)
}

/// Runs `f(worker)` for each worker in `0..workers`, the calling thread taking worker 0, and
/// returns the results in worker order. Every worker runs: callers that share work by
/// worker count cap `workers` themselves (with [`capped`]).
pub(crate) fn run_workers<R: Send>(
    workers: usize,
    f: impl Fn(usize) -> R + Sync,
) -> Result<Vec<R>, SpawnError> {
    run_workers_on(thread::Builder::new, workers, f)
}

/// [`run_workers`] with the threads made by `builder` (tests make it fail).
fn run_workers_on<R: Send>(
    builder: fn() -> thread::Builder,
    workers: usize,
    f: impl Fn(usize) -> R + Sync,
) -> Result<Vec<R>, SpawnError> {
    if workers <= 1 {
        return Ok(vec![f(0)]);
    }
    thread::scope(|scope| {
        let f = &f;
        let mut handles = Vec::with_capacity(workers - 1);
        for worker in 1..workers {
            // On failure the workers already started finish, and the scope joins them.
            let handle = builder()
                .spawn_scoped(scope, move || f(worker))
                .map_err(|e| SpawnError {
                    worker,
                    threads: workers,
                    source: Arc::new(e),
                })?;
            handles.push(handle);
        }
        let mut out = Vec::with_capacity(workers);
        out.push(f(0));
        for handle in handles {
            // A worker cannot panic on input; if it did, its panic goes on rather than a
            // silently missing result.
            out.push(
                handle
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        Ok(out)
    })
}

/// Applies `f(offset, chunk)` to contiguous chunks of `items` on up to `threads` threads
/// (at most [`MAX_THREADS`]) and returns the results in chunk order; the calling thread takes
/// the first chunk. Empty `items` are one empty chunk.
pub(crate) fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: NonZeroUsize,
    f: impl Fn(usize, &[T]) -> R + Sync,
) -> Result<Vec<R>, SpawnError> {
    let threads = capped(threads).get().min(items.len());
    if threads <= 1 {
        return Ok(vec![f(0, items)]);
    }
    let size = items.len().div_ceil(threads);
    run_workers(items.len().div_ceil(size), |worker| {
        let offset = worker * size;
        let chunk = items
            .get(offset..items.len().min(offset + size))
            .unwrap_or_default();
        f(offset, chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_items_in_order_whatever_the_threads() {
        let items: Vec<usize> = (0..1_000).collect();
        for threads in [1, 2, 3, 7, 999, 1_000, 1_001, 50_000] {
            let threads = NonZeroUsize::new(threads).unwrap();
            let chunks =
                map_chunks(&items, threads, |offset, chunk| (offset, chunk.to_vec())).unwrap();
            assert!(chunks.len() <= MAX_THREADS, "{threads}: {}", chunks.len());
            let mut next = 0;
            for (offset, chunk) in chunks {
                assert_eq!(offset, next);
                next += chunk.len();
                assert_eq!(chunk, items[offset..next]);
            }
            assert_eq!(next, items.len());
        }
        let none: [u8; 0] = [];
        let out = map_chunks(&none, NonZeroUsize::MIN, |o, c| (o, c.len())).unwrap();
        assert_eq!(out, [(0, 0)]);
    }

    #[test]
    fn workers_run_in_order() {
        assert_eq!(run_workers(5, |w| w * 10).unwrap(), [0, 10, 20, 30, 40]);
        assert_eq!(
            capped(NonZeroUsize::new(50_000).unwrap()).get(),
            MAX_THREADS
        );
    }

    #[test]
    fn a_thread_that_cannot_start_is_an_error_not_a_panic() {
        // A stack larger than the address space: the system refuses the thread.
        let huge = || thread::Builder::new().stack_size(1 << 50);
        let err = run_workers_on(huge, 4, |w| w).unwrap_err();
        assert_eq!((err.worker(), err.threads()), (1, 4));
        assert_eq!(err.to_string(), "cannot start worker thread 1 of 4");
        let source = std::error::Error::source(&err).unwrap();
        assert!(
            source.downcast_ref::<Arc<io::Error>>().is_some(),
            "{source}"
        );
        // One worker needs no thread.
        assert_eq!(run_workers_on(huge, 1, |w| w).unwrap(), [0]);
    }
}
