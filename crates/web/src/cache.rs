//! Figures that are costly over a province and asked for by many at once (issue 14: the
//! province's roll-up took 194 ms for one reader and 10 s at p99 for 64 at once, each request
//! summing 100,000 projects again).
//!
//! An entry is keyed by what it was computed for and stamped with the database's *version*: the
//! id of the latest audit entry. Every change is written together with its audit entry in one
//! transaction, so a new entry means the figures may have changed and the next reader computes
//! them again; until then every reader gets the same figures. Entries are also dropped after
//! [`MAX_AGE`], for writes made outside the application (a restore, a manual fix in SQL).
//! Concurrent readers of one key wait for one computation instead of running their own.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The roll-ups of regions over the regions below them, by (region, year).
pub type Rollups = VersionedCache<(String, i32), Arc<Vec<jixiao_store::dashboard::RollupRow>>>;

/// The longest an entry is served, whatever the version says.
pub const MAX_AGE: Duration = Duration::from_secs(60);

struct Entry<V> {
    version: i64,
    at: Instant,
    value: V,
}

type Slot<V> = Arc<tokio::sync::Mutex<Option<Entry<V>>>>;

/// A map of computed values, each valid for one database version.
pub struct VersionedCache<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Default for VersionedCache<K, V> {
    fn default() -> Self {
        VersionedCache {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> VersionedCache<K, V> {
    /// The value of `key` at `version`: the stored one when it was computed at that version less
    /// than [`MAX_AGE`] ago, otherwise `compute`'s, stored for the next reader. An error is
    /// returned and nothing is stored.
    pub async fn get_or_compute<E, F>(&self, key: K, version: i64, compute: F) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        let slot = {
            // A poisoned map only means another request panicked while inserting a slot; the
            // map itself is still whole.
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(key).or_default().clone()
        };
        let mut entry = slot.lock().await;
        if let Some(e) = entry.as_ref()
            && e.version == version
            && e.at.elapsed() < MAX_AGE
        {
            return Ok(e.value.clone());
        }
        let value = compute.await?;
        *entry = Some(Entry {
            version,
            at: Instant::now(),
            value: value.clone(),
        });
        Ok(value)
    }
}

/// How many rows a list's filter selects, by
/// [`ListFilter::total_key`](jixiao_store::browse::ListFilter::total_key), at one database
/// version: paging through a list, or many readers of one list, count its rows once (issue 14: the count was a fifth of a county's
/// target list).
#[derive(Default)]
pub struct Totals {
    entries: Mutex<HashMap<String, Entry<i64>>>,
}

/// Keys kept at most; past it the map starts again (an entry is one integer and a key).
const TOTALS_KEPT: usize = 10_000;

impl Totals {
    /// The total stored for `key` at `version`, when it is younger than [`MAX_AGE`].
    pub fn get(&self, key: &str, version: i64) -> Option<i64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.version == version && e.at.elapsed() < MAX_AGE)
            .map(|e| e.value)
    }

    /// Stores the total of `key` at `version`.
    pub fn put(&self, key: String, version: i64, total: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= TOTALS_KEPT && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                version,
                at: Instant::now(),
                value: total,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_value_is_computed_once_per_version_and_key() {
        let cache: VersionedCache<&str, usize> = VersionedCache::default();
        let runs = AtomicUsize::new(0);
        let compute = || async { Ok::<_, ()>(runs.fetch_add(1, Ordering::SeqCst) + 1) };
        assert_eq!(cache.get_or_compute("a", 1, compute()).await, Ok(1));
        assert_eq!(cache.get_or_compute("a", 1, compute()).await, Ok(1));
        assert_eq!(cache.get_or_compute("b", 1, compute()).await, Ok(2));
        // A change (a new audit entry) makes the next reader compute again.
        assert_eq!(cache.get_or_compute("a", 2, compute()).await, Ok(3));
        assert_eq!(cache.get_or_compute("a", 2, compute()).await, Ok(3));
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_total_is_kept_for_its_version_and_the_map_stays_bounded() {
        let totals = Totals::default();
        assert_eq!(totals.get("a", 1), None);
        totals.put("a".into(), 1, 1021);
        assert_eq!(totals.get("a", 1), Some(1021));
        assert_eq!(totals.get("a", 2), None, "a change makes it unknown");
        assert_eq!(totals.get("b", 1), None);
        for i in 0..TOTALS_KEPT + 5 {
            totals.put(format!("k{i}"), 1, 1);
        }
        let kept = totals.entries.lock().expect("lock").len();
        assert!(kept <= TOTALS_KEPT, "{kept} keys");
    }

    #[tokio::test]
    async fn an_error_is_not_kept() {
        let cache: VersionedCache<&str, usize> = VersionedCache::default();
        assert_eq!(
            cache
                .get_or_compute("a", 1, async { Err::<usize, _>("down") })
                .await,
            Err("down")
        );
        assert_eq!(
            cache
                .get_or_compute("a", 1, async { Ok::<_, &str>(7) })
                .await,
            Ok(7)
        );
    }

    #[tokio::test]
    async fn readers_at_once_wait_for_one_computation() {
        let cache: Arc<VersionedCache<&str, usize>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let mut readers = Vec::new();
        for _ in 0..16 {
            let (cache, runs) = (cache.clone(), runs.clone());
            readers.push(tokio::spawn(async move {
                cache
                    .get_or_compute("a", 1, async {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(runs.fetch_add(1, Ordering::SeqCst))
                    })
                    .await
            }));
        }
        for r in readers {
            assert_eq!(r.await.expect("joined"), Ok(0));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
