//! What keeps a login flood from taking the server down or out-guessing the lockout (issue 13):
//! password verification (Argon2id, 19 MiB each) runs at most `concurrent` at a time with a
//! bounded queue behind it, and each client address may try only so many logins per window.
//! Beyond either bound the answer is 429 at once, before any hashing. A successful login takes
//! its attempt back, so the per-address count is of failures.

use crate::throttle::Window;
use jixiao_store::users::HashMemory;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

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

/// A verification handed to a worker: it runs in the worker's reused memory.
type Job = Box<dyn FnOnce(&mut HashMemory) + Send>;

pub struct LoginGuard {
    limits: GuardLimits,
    /// Verifications queued or running; shared with the jobs, which count themselves out.
    waiting: Arc<AtomicUsize>,
    attempts: Window,
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl LoginGuard {
    /// Starts `concurrent` verification workers. Each keeps one Argon2 working memory for the
    /// life of the process (19 MiB with the default parameters), so the memory verifications
    /// take is bounded by `concurrent` × 19 MiB however many logins arrive.
    pub fn new(limits: GuardLimits) -> LoginGuard {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..limits.concurrent.max(1) {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || {
                    let mut memory = HashMemory::default();
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => break, // the guard is gone
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password-check worker: {e}");
            }
        }
        LoginGuard {
            waiting: Arc::new(AtomicUsize::new(0)),
            attempts: Window::new(limits.per_address, limits.window),
            jobs: Mutex::new(jobs),
            limits,
        }
    }

    /// Counts an attempt from `address`; refuses it when the address is over its limit.
    pub fn admit(&self, address: &str) -> Result<(), Refusal> {
        if self.attempts.admit(address) {
            Ok(())
        } else {
            Err(Refusal::Address)
        }
    }

    /// Takes back the attempt a successful login counted, so that only failures add up: many
    /// colleagues behind one office address may all log in at 8:30.
    pub fn forgive(&self, address: &str) {
        self.attempts.forgive(address);
    }

    /// Runs `verify` (a blocking password check, given the worker's memory) on a worker when
    /// one is free, or refuses at once when the queue is full. A request abandoned by its client
    /// still finishes its check and counts itself out, so the count cannot drift.
    pub async fn verify<F>(&self, verify: F) -> Result<bool, Refusal>
    where
        F: FnOnce(&mut HashMemory) -> bool + Send + 'static,
    {
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        if queued >= self.limits.queue + self.limits.concurrent {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::Busy);
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let waiting = self.waiting.clone();
        let job: Job = Box::new(move |memory| {
            let verified = verify(memory);
            waiting.fetch_sub(1, Ordering::SeqCst);
            let _ = reply.send(verified);
        });
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .send(job);
        if sent.is_err() {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::Busy);
        }
        answer.await.map_err(|_| Refusal::Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    .verify(move |_| {
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
