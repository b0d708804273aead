//! Counting requests per key in a sliding window, and the import guard built on it (issue 13).
//! The login guard counts failed logins per address with the same [`Window`].

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// At most `limit` events per key within `span`, remembered in memory (a restart forgets them,
/// which errs on the side of letting a person work).
pub struct Window {
    limit: usize,
    span: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The most keys remembered; past it, keys whose window has passed are forgotten.
const MAX_KEYS: usize = 50_000;

impl Window {
    pub fn new(limit: usize, span: Duration) -> Window {
        Window {
            limit,
            span,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event of `key`, or refuses it (`false`) when the key is at its limit.
    pub fn admit(&self, key: &str) -> bool {
        let now = Instant::now();
        let span = self.span;
        let mut map = self
            .events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < span));
            if map.len() >= MAX_KEYS {
                map.clear();
            }
        }
        let times = map.entry(key.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= span)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            return false;
        }
        times.push_back(now);
        true
    }

    /// Takes back the last event counted for `key`.
    pub fn forgive(&self, key: &str) {
        let mut map = self
            .events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(times) = map.get_mut(key) {
            times.pop_back();
        }
    }
}

/// Bounds on imports: an import reads a whole workbook (up to 10 MiB) and checks every row, so a
/// script posting files in a loop could hold both cores and the write lock (issue 13).
#[derive(Debug, Clone)]
pub struct ImportLimits {
    /// Imports one user may start per window.
    pub per_user: usize,
    pub window: Duration,
    /// Imports running at once on the server; the rest wait up to `wait` for a turn.
    pub concurrent: usize,
    pub wait: Duration,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            per_user: 10,
            window: Duration::from_secs(60),
            concurrent: 2,
            wait: Duration::from_secs(60),
        }
    }
}

/// Why an import was not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportRefusal {
    /// The user started too many imports in the window.
    TooOften,
    /// Other imports held every slot for longer than the wait.
    Busy,
}

pub struct ImportGuard {
    limits: ImportLimits,
    per_user: Window,
    slots: Semaphore,
}

impl ImportGuard {
    pub fn new(limits: ImportLimits) -> ImportGuard {
        ImportGuard {
            per_user: Window::new(limits.per_user, limits.window),
            slots: Semaphore::new(limits.concurrent.max(1)),
            limits,
        }
    }

    /// What the user is told when an import is not started.
    pub fn message(&self, refusal: ImportRefusal) -> String {
        match refusal {
            ImportRefusal::TooOften => format!(
                "导入过于频繁：每位用户每 {} 秒最多导入 {} 个文件，请稍后再试",
                self.limits.window.as_secs(),
                self.limits.per_user
            ),
            ImportRefusal::Busy => "系统正在处理其他导入，请稍后再试".to_string(),
        }
    }

    /// Admits an import of `user_id`: counted against the user's window, then a slot is taken
    /// (waiting for one at most `wait`). The slot is held as long as the permit lives.
    pub async fn admit(
        &self,
        user_id: i64,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, ImportRefusal> {
        if !self.per_user.admit(&user_id.to_string()) {
            return Err(ImportRefusal::TooOften);
        }
        match tokio::time::timeout(self.limits.wait, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ImportRefusal::Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_per_key_and_passes() {
        let w = Window::new(2, Duration::from_millis(30));
        assert!(w.admit("a"));
        assert!(w.admit("a"));
        assert!(!w.admit("a"), "the third within the window is refused");
        assert!(w.admit("b"), "other keys are not affected");
        w.forgive("a");
        assert!(w.admit("a"), "a forgiven event frees its place");
        std::thread::sleep(Duration::from_millis(40));
        assert!(w.admit("a"), "the window passes");
    }

    #[tokio::test]
    async fn imports_are_counted_per_user_and_wait_for_a_slot() {
        let guard = ImportGuard::new(ImportLimits {
            per_user: 3,
            window: Duration::from_secs(60),
            concurrent: 1,
            wait: Duration::from_millis(20),
        });
        let held = guard.admit(1).await.expect("first");
        assert_eq!(
            guard.admit(2).await.err(),
            Some(ImportRefusal::Busy),
            "the one slot is held"
        );
        drop(held);
        assert!(guard.admit(1).await.is_ok());
        assert!(guard.admit(1).await.is_ok());
        assert_eq!(guard.admit(1).await.err(), Some(ImportRefusal::TooOften));
        assert!(guard.admit(2).await.is_ok(), "another user still may");
    }
}
