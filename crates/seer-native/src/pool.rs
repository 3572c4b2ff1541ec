//! Reuse of large activation buffers between layers and tiles: a fresh
//! multi-megabyte allocation is mapped by the OS page by page on first
//! touch, which costs more than the arithmetic of a small layer.

use std::sync::Mutex;

/// A set of spare `f32` buffers.
#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    spare: Mutex<Vec<Vec<f32>>>,
}

/// Buffers kept at most (the rest are freed).
const KEEP: usize = 4;

impl BufferPool {
    /// An empty pool.
    pub(crate) fn new() -> BufferPool {
        BufferPool::default()
    }

    /// A buffer of `len` values whose contents are left over from earlier
    /// use (finite numbers, or zeros when new): for callers that overwrite
    /// every element, so no time goes into clearing it.
    pub(crate) fn take(&self, len: usize) -> Vec<f32> {
        let reused = {
            let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
            // The smallest spare buffer that is large enough.
            let best = spare
                .iter()
                .enumerate()
                .filter(|(_, b)| b.capacity() >= len)
                .min_by_key(|(_, b)| b.capacity())
                .map(|(i, _)| i);
            best.map(|i| spare.swap_remove(i))
        };
        match reused {
            Some(mut buffer) => {
                buffer.truncate(len);
                buffer.resize(len, 0.0);
                buffer
            }
            None => vec![0.0; len],
        }
    }

    /// Returns a buffer for later reuse.
    pub(crate) fn give(&self, buffer: Vec<f32>) {
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        spare.push(buffer);
        if spare.len() > KEEP {
            // Drop the smallest.
            if let Some(i) = (0..spare.len()).min_by_key(|&i| spare[i].capacity()) {
                spare.swap_remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spare_buffers_are_reused_at_the_asked_length() {
        let pool = BufferPool::new();
        let a = pool.take(1000);
        assert!(a.iter().all(|v| *v == 0.0), "a new buffer is zeros");
        let address = a.as_ptr();
        pool.give(a);
        let b = pool.take(500);
        assert_eq!(b.as_ptr(), address, "the spare buffer is reused");
        assert_eq!(b.len(), 500);
        let c = pool.take(2000);
        assert_eq!(c.len(), 2000);
    }
}
