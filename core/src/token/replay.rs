//! MessageID replay protection: a trait a gateway can implement over a
//! shared store, and a bounded, sharded in-memory implementation.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::time::UtcTime;

/// Why a MessageID was not accepted.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// Seen before, and its window has not passed.
    Replayed,
    /// No room for another unexpired entry: refused rather than forgetting one.
    Full,
    /// The store could not be consulted.
    Unavailable,
}

/// Records MessageIDs for as long as a message carrying them could still be
/// accepted. Implementations must be atomic: of two concurrent calls with the
/// same MessageID, at most one succeeds.
pub trait ReplayCache: Send + Sync {
    /// Records `message_id` until `until`; `Err(Replayed)` when it is already
    /// recorded with an `until` later than `now`.
    fn check_and_record(&self, message_id: &str, until: UtcTime, now: UtcTime) -> Result<(), ReplayError>;
}

const SHARDS: usize = 16;

struct Shard {
    /// SHA-256 prefix of the MessageID -> end of its window.
    seen: HashMap<[u8; 16], UtcTime, RandomState>,
    capacity: usize,
}

impl Shard {
    fn purge(&mut self, now: UtcTime) {
        self.seen.retain(|_, until| *until > now);
    }
}

/// A bounded in-memory replay cache: 16 shards behind mutexes, keyed by a
/// 128-bit SHA-256 prefix of the MessageID (so memory per entry is fixed, and
/// keys chosen by callers cannot degrade the map). When a shard is full,
/// expired entries are dropped; if none has expired the call is refused with
/// [`ReplayError::Full`].
pub struct MemoryReplayCache {
    shards: Box<[Mutex<Shard>]>,
}

impl std::fmt::Debug for MemoryReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryReplayCache").field("capacity", &self.capacity()).finish()
    }
}

impl MemoryReplayCache {
    /// A cache for at most `capacity` unexpired MessageIDs (at least one per shard).
    pub fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(Shard { seen: HashMap::with_hasher(RandomState::new()), capacity: per_shard }))
            .collect();
        MemoryReplayCache { shards }
    }

    /// The most entries it holds.
    pub fn capacity(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).capacity).sum()
    }

    /// Entries held now (expired ones included until purged).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).seen.len()).sum()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayCache for MemoryReplayCache {
    fn check_and_record(&self, message_id: &str, until: UtcTime, now: UtcTime) -> Result<(), ReplayError> {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message_id.as_bytes());
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest.as_ref()[..16]);
        let mut shard = self.shards[usize::from(key[15]) % SHARDS].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(seen_until) = shard.seen.get(&key) {
            if *seen_until > now {
                return Err(ReplayError::Replayed);
            }
        }
        if shard.seen.len() >= shard.capacity && !shard.seen.contains_key(&key) {
            shard.purge(now);
            if shard.seen.len() >= shard.capacity {
                return Err(ReplayError::Full);
            }
        }
        shard.seen.insert(key, until);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> UtcTime {
        UtcTime::from_unix_millis(s * 1000)
    }

    #[test]
    fn second_use_within_the_window_is_a_replay() {
        let c = MemoryReplayCache::new(100);
        assert_eq!(c.check_and_record("urn:uuid:a", t(600), t(0)), Ok(()));
        assert_eq!(c.check_and_record("urn:uuid:a", t(600), t(599)), Err(ReplayError::Replayed));
        assert_eq!(c.check_and_record("urn:uuid:b", t(600), t(1)), Ok(()));
        // After its window, the ID may be recorded again (the Timestamp check refuses the old message anyway).
        assert_eq!(c.check_and_record("urn:uuid:a", t(1200), t(600)), Ok(()));
    }

    #[test]
    fn full_of_live_entries_refuses_then_recovers() {
        let c = MemoryReplayCache::new(16); // one per shard
        let mut refused = 0;
        for i in 0..200 {
            if c.check_and_record(&format!("id-{i}"), t(100), t(0)) == Err(ReplayError::Full) {
                refused += 1;
            }
        }
        assert!(refused > 0 && c.len() <= 16, "refused {refused}, held {}", c.len());
        assert_eq!(c.check_and_record("id-late", t(300), t(150)), Ok(()), "expired entries make room");
    }

    #[test]
    fn concurrent_duplicates_succeed_once() {
        let c = std::sync::Arc::new(MemoryReplayCache::new(1 << 12));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || {
                    (0..500).filter(|i| c.check_and_record(&format!("m{i}"), t(9), t(0)).is_ok()).count()
                })
            })
            .collect();
        let total: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(total, 500);
    }
}
