//! What keeps a login flood from taking the server down or out-guessing the lockout (issue 13):
//! password verification (Argon2id, 19 MiB each) runs at most `concurrent` at a time with a
//! bounded queue behind it, and each client address may try only so many logins per window.
//! Beyond either bound the answer is 429 at once, before any hashing. A successful login takes
//! its attempt back, so the per-address count is of failures.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The bounds. The defaults keep 160 simultaneous logins well under 300 MB.
#[derive(Debug, Clone)]
pub struct GuardLimits {
    /// Verifications running at once.
    pub concurrent: usize,
    /// Verifications waiting for a slot; more are refused.
    pub queue: usize,
    /// Attempts one address may make per window.
    pub per_address: usize,
    pub window: Duration,
}

impl Default for GuardLimits {
    fn default() -> Self {
        GuardLimits {
            concurrent: 4,
            queue: 32,
            per_address: 30,
            window: Duration::from_secs(60),
        }
    }
}

/// Why an attempt was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This address tried too often in the window.
    Address,
    /// Too many logins in progress on the server.
    Busy,
}

pub struct LoginGuard {
    limits: GuardLimits,
    slots: Semaphore,
    waiting: AtomicUsize,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// The most addresses remembered; past it, addresses whose window has passed are forgotten.
const MAX_ADDRESSES: usize = 50_000;

impl LoginGuard {
    pub fn new(limits: GuardLimits) -> LoginGuard {
        LoginGuard {
            slots: Semaphore::new(limits.concurrent.max(1)),
            waiting: AtomicUsize::new(0),
            attempts: Mutex::new(HashMap::new()),
            limits,
        }
    }

    /// Counts an attempt from `address`; refuses it when the address is over its limit.
    pub fn admit(&self, address: &str) -> Result<(), Refusal> {
        let now = Instant::now();
        let window = self.limits.window;
        let mut map = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() >= MAX_ADDRESSES {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
            if map.len() >= MAX_ADDRESSES {
                map.clear();
            }
        }
        let times = map.entry(address.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            times.pop_front();
        }
        if times.len() >= self.limits.per_address {
            return Err(Refusal::Address);
        }
        times.push_back(now);
        Ok(())
    }

    /// Takes back the attempt a successful login counted, so that only failures add up: many
    /// colleagues behind one office address may all log in at 8:30.
    pub fn forgive(&self, address: &str) {
        let mut map = self
            .attempts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(times) = map.get_mut(address) {
            times.pop_back();
        }
    }

    /// Runs `verify` (a blocking password check) when a slot is free, or refuses at once when
    /// the queue is full.
    pub async fn verify<F>(&self, verify: F) -> Result<bool, Refusal>
    where
        F: FnOnce() -> bool + Send + 'static,
    {
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        if queued >= self.limits.queue + self.limits.concurrent {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::Busy);
        }
        let permit = self.slots.acquire().await;
        let outcome = match permit {
            Ok(_permit) => tokio::task::spawn_blocking(verify)
                .await
                .map_err(|_| Refusal::Busy),
            Err(_) => Err(Refusal::Busy),
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn an_address_is_limited_per_window() {
        let guard = LoginGuard::new(GuardLimits {
            per_address: 3,
            window: Duration::from_secs(60),
            ..GuardLimits::default()
        });
        for _ in 0..3 {
            assert_eq!(guard.admit("10.0.0.1"), Ok(()));
        }
        assert_eq!(guard.admit("10.0.0.1"), Err(Refusal::Address));
        assert_eq!(
            guard.admit("10.0.0.2"),
            Ok(()),
            "other addresses are not affected"
        );
    }

    #[test]
    fn successful_logins_do_not_count() {
        let guard = LoginGuard::new(GuardLimits {
            per_address: 2,
            ..GuardLimits::default()
        });
        for _ in 0..10 {
            assert_eq!(guard.admit("office"), Ok(()));
            guard.forgive("office");
        }
        assert_eq!(guard.admit("office"), Ok(()));
        assert_eq!(guard.admit("office"), Ok(()));
        assert_eq!(guard.admit("office"), Err(Refusal::Address));
    }

    #[test]
    fn the_window_passes() {
        let guard = LoginGuard::new(GuardLimits {
            per_address: 1,
            window: Duration::from_millis(20),
            ..GuardLimits::default()
        });
        assert_eq!(guard.admit("a"), Ok(()));
        assert_eq!(guard.admit("a"), Err(Refusal::Address));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(guard.admit("a"), Ok(()));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn verifications_beyond_the_queue_are_refused_and_the_rest_bounded() {
        let guard = Arc::new(LoginGuard::new(GuardLimits {
            concurrent: 2,
            queue: 3,
            ..GuardLimits::default()
        }));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for _ in 0..20 {
            let (guard, running, peak) = (guard.clone(), running.clone(), peak.clone());
            handles.push(tokio::spawn(async move {
                guard
                    .verify(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        running.fetch_sub(1, Ordering::SeqCst);
                        true
                    })
                    .await
            }));
        }
        let mut admitted = 0;
        let mut busy = 0;
        for h in handles {
            match h.await.expect("task") {
                Ok(true) => admitted += 1,
                Err(Refusal::Busy) => busy += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(peak.load(Ordering::SeqCst) <= 2, "at most 2 at once");
        assert!((2..=5).contains(&admitted), "admitted {admitted}");
        assert_eq!(admitted + busy, 20);
    }
}
