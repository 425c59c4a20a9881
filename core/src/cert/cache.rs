//! A bounded, thread-safe map from certificate bytes (leaf plus the
//! intermediates given with it) to validation results.
//!
//! Keys are hashed with a fast, per-cache seeded multiply-fold hash and always
//! compared byte for byte, so a collision can only cost a miss. Entries live in
//! shards behind `RwLock`s: a hit takes a read lock, compares bytes, marks the
//! entry referenced (an atomic flag) and clones an `Arc`, without allocating.
//! When a shard is full, CLOCK (second chance) picks the entry to evict.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Borrowed cache key: a leaf certificate and the intermediates sent with it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CacheKey<'a> {
    pub(crate) leaf: &'a [u8],
    pub(crate) intermediates: &'a [&'a [u8]],
}

struct OwnedKey {
    leaf: Box<[u8]>,
    intermediates: Box<[Box<[u8]>]>,
}

impl OwnedKey {
    fn new(key: &CacheKey<'_>) -> Self {
        OwnedKey { leaf: key.leaf.into(), intermediates: key.intermediates.iter().map(|i| (*i).into()).collect() }
    }

    fn matches(&self, key: &CacheKey<'_>) -> bool {
        *self.leaf == *key.leaf
            && self.intermediates.len() == key.intermediates.len()
            && self.intermediates.iter().zip(key.intermediates).all(|(a, b)| **a == **b)
    }
}

struct Slot<V> {
    key: OwnedKey,
    value: Arc<V>,
    referenced: AtomicBool,
}

/// The keys are already hashes: the map uses them as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

struct Shard<V> {
    map: HashMap<u64, Slot<V>, BuildHasherDefault<PassThrough>>,
    clock: VecDeque<u64>,
    capacity: usize,
}

impl<V> Shard<V> {
    fn insert(&mut self, hash: u64, slot: Slot<V>) {
        if let Some(existing) = self.map.get_mut(&hash) {
            *existing = slot; // same key re-validated, or a colliding key: replace
            return;
        }
        while self.map.len() >= self.capacity {
            if !self.evict_one() {
                return; // unreachable: every entry is on the clock
            }
        }
        self.map.insert(hash, slot);
        self.clock.push_back(hash);
    }

    /// CLOCK: a referenced entry gets a second chance; the first unreferenced one goes.
    fn evict_one(&mut self) -> bool {
        while let Some(hash) = self.clock.pop_front() {
            let second_chance = self.map.get(&hash).is_some_and(|s| s.referenced.swap(false, Ordering::Relaxed));
            if second_chance {
                self.clock.push_back(hash);
            } else {
                self.map.remove(&hash);
                return true;
            }
        }
        false
    }
}

/// A bounded map shared across threads; see the module documentation.
pub(crate) struct BoundedCache<V> {
    shards: Box<[RwLock<Shard<V>>]>,
    seed: u64,
}

const ENTRIES_PER_SHARD: usize = 64;
const MAX_SHARDS: usize = 16;

impl<V> BoundedCache<V> {
    /// A cache holding at most `capacity` entries (0 disables it).
    pub(crate) fn new(capacity: usize) -> Self {
        let n = (capacity / ENTRIES_PER_SHARD).clamp(1, MAX_SHARDS);
        let shards = (0..n)
            .map(|i| {
                let cap = capacity / n + usize::from(i < capacity % n);
                RwLock::new(Shard { map: HashMap::default(), clock: VecDeque::new(), capacity: cap })
            })
            .collect();
        BoundedCache { shards, seed: RandomState::new().hash_one(0x6b75_7665_7274_u64) }
    }

    /// The value cached for `key`, if any. Does not allocate.
    pub(crate) fn get(&self, key: &CacheKey<'_>) -> Option<Arc<V>> {
        let hash = self.hash(key);
        let shard = self.read(hash);
        let slot = shard.map.get(&hash).filter(|s| s.key.matches(key))?;
        slot.referenced.store(true, Ordering::Relaxed);
        Some(Arc::clone(&slot.value))
    }

    /// Stores `value` for `key`, evicting an entry if the shard is full.
    pub(crate) fn insert(&self, key: &CacheKey<'_>, value: Arc<V>) {
        let hash = self.hash(key);
        let mut shard = self.write(hash);
        if shard.capacity == 0 {
            return;
        }
        shard.insert(hash, Slot { key: OwnedKey::new(key), value, referenced: AtomicBool::new(false) });
    }

    /// Number of entries now held.
    #[cfg_attr(not(test), allow(dead_code))] // read by the tests
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().unwrap_or_else(|e| e.into_inner()).map.len()).sum()
    }

    /// The most entries the cache holds.
    pub(crate) fn capacity(&self) -> usize {
        self.shards.iter().map(|s| s.read().unwrap_or_else(|e| e.into_inner()).capacity).sum()
    }

    fn shard_of(&self, hash: u64) -> &RwLock<Shard<V>> {
        // High bits pick the shard; the map uses all 64 bits.
        &self.shards[((hash >> 32) as usize) % self.shards.len()]
    }

    fn read(&self, hash: u64) -> RwLockReadGuard<'_, Shard<V>> {
        self.shard_of(hash).read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self, hash: u64) -> RwLockWriteGuard<'_, Shard<V>> {
        self.shard_of(hash).write().unwrap_or_else(|e| e.into_inner())
    }

    fn hash(&self, key: &CacheKey<'_>) -> u64 {
        let mut h = hash_bytes(self.seed, key.leaf);
        for i in key.intermediates {
            h = hash_bytes(h, i);
        }
        h
    }
}

const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x1319_8a2e_0370_7344;

fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

fn word(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = b.len().min(8);
    w[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(w)
}

/// A seeded multiply-fold hash: two independent lanes over 32-byte blocks,
/// then the 16-byte tail (not collision resistant; callers compare the bytes).
fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut a = seed ^ fold_mul(bytes.len() as u64 ^ K0, K1);
    let mut b = a.rotate_left(32) ^ K1;
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        a = fold_mul(word(&block[..8]) ^ a, word(&block[8..16]) ^ K1).rotate_left(23);
        b = fold_mul(word(&block[16..24]) ^ b, word(&block[24..]) ^ K0).rotate_left(29);
    }
    let tail = blocks.remainder();
    let (t0, t1) = (tail.get(..16).unwrap_or(tail), tail.get(16..).unwrap_or(&[]));
    a = fold_mul(word(t0) ^ a ^ K0, word(t0.get(8..).unwrap_or(&[])) ^ K1);
    b = fold_mul(word(t1) ^ b ^ K1, word(t1.get(8..).unwrap_or(&[])) ^ K0);
    fold_mul(a ^ seed, b ^ K0 ^ K1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_bytes(i: u32) -> [u8; 40] {
        let mut b = [0x30u8; 40];
        b[3..7].copy_from_slice(&i.to_be_bytes());
        b
    }

    #[test]
    fn hit_returns_the_same_arc_and_compares_all_bytes() {
        let cache = BoundedCache::new(8);
        let (leaf, inter) = (key_bytes(1), key_bytes(2));
        let key = CacheKey { leaf: &leaf, intermediates: &[&inter] };
        cache.insert(&key, Arc::new(7u32));
        let a = cache.get(&key).unwrap();
        assert!(Arc::ptr_eq(&a, &cache.get(&key).unwrap()));
        assert!(cache.get(&CacheKey { leaf: &leaf, intermediates: &[] }).is_none());
        assert!(cache.get(&CacheKey { leaf: &inter, intermediates: &[&leaf] }).is_none());
        assert!(cache.get(&CacheKey { leaf: &leaf, intermediates: &[&inter, &inter] }).is_none());
    }

    #[test]
    fn stays_within_capacity_under_10000_distinct_keys() {
        for capacity in [0, 1, 3, 64, 100, 1000] {
            let cache = BoundedCache::new(capacity);
            assert_eq!(cache.capacity(), capacity);
            for i in 0..10_000u32 {
                let leaf = key_bytes(i);
                cache.insert(&CacheKey { leaf: &leaf, intermediates: &[] }, Arc::new(i));
                assert!(cache.len() <= capacity, "capacity {capacity}, after {i}");
            }
            assert_eq!(cache.len(), capacity.min(10_000));
            let last = key_bytes(9_999);
            assert_eq!(cache.get(&CacheKey { leaf: &last, intermediates: &[] }).is_some(), capacity > 0);
        }
    }

    #[test]
    fn clock_keeps_a_hot_entry() {
        let cache = BoundedCache::new(4);
        let hot = key_bytes(u32::MAX);
        let hot_key = CacheKey { leaf: &hot, intermediates: &[] };
        cache.insert(&hot_key, Arc::new(0));
        for i in 0..1000u32 {
            assert!(cache.get(&hot_key).is_some(), "hot entry evicted at {i}");
            let leaf = key_bytes(i);
            cache.insert(&CacheKey { leaf: &leaf, intermediates: &[] }, Arc::new(i));
        }
    }

    #[test]
    fn reinserting_a_key_replaces_its_value() {
        let cache = BoundedCache::new(2);
        let leaf = key_bytes(5);
        let key = CacheKey { leaf: &leaf, intermediates: &[] };
        cache.insert(&key, Arc::new(1));
        cache.insert(&key, Arc::new(2));
        assert_eq!(cache.len(), 1);
        assert_eq!(*cache.get(&key).unwrap(), 2);
    }

    #[test]
    fn concurrent_use_from_four_threads() {
        let cache = BoundedCache::new(256);
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let cache = &cache;
                s.spawn(move || {
                    for i in 0..5_000u32 {
                        let leaf = key_bytes(i % 300 + t * 1000);
                        let key = CacheKey { leaf: &leaf, intermediates: &[] };
                        match cache.get(&key) {
                            Some(v) => assert_eq!(*v, i % 300 + t * 1000),
                            None => cache.insert(&key, Arc::new(i % 300 + t * 1000)),
                        }
                    }
                });
            }
        });
        assert!(cache.len() <= 256);
    }

    #[test]
    fn hash_depends_on_every_byte_and_length() {
        let seed = 42;
        let base = [7u8; 37];
        let h = hash_bytes(seed, &base);
        for i in 0..base.len() {
            let mut b = base;
            b[i] ^= 1;
            assert_ne!(hash_bytes(seed, &b), h, "byte {i}");
        }
        assert_ne!(hash_bytes(seed, &base[..36]), h);
        assert_ne!(hash_bytes(seed + 1, &base), h);
        assert_ne!(hash_bytes(seed, &[]), hash_bytes(seed, &[0]));
    }
}
