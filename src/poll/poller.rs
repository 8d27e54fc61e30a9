//! The generic poller: one task per source, publishing the latest snapshot on a watch channel.
//!
//! The task awaits each fetch before it looks at ticks or refresh requests again, so a poll is
//! never stacked on a running one: ticks missed meanwhile are skipped and refresh requests
//! coalesce into one poll right after.

use crate::domain::duration;
use crate::domain::health::{SourceError, SourceId};
use crate::domain::publish::{Payload, SourceUpdate};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};

/// The first retry after a failure; doubles up to `backoff_cap`.
pub const BACKOFF_START: Duration = Duration::from_secs(1);
/// Backoff never waits longer than this, even for slow refresh intervals.
pub const BACKOFF_MAX: Duration = Duration::from_secs(300);

/// Something that can be polled: one fetch of a source's whole snapshot.
pub trait Fetcher: Send + 'static {
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send;
}

/// A closure as a fetcher (the futures own their inputs).
pub struct FnFetcher<F>(pub F);

impl<F, Fut> Fetcher for FnFetcher<F>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<Payload, SourceError>> + Send,
{
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send {
        (self.0)()
    }
}

/// A running poller. Dropping it stops the task.
#[derive(Debug)]
pub struct PollerHandle {
    pub id: SourceId,
    pub rx: watch::Receiver<Option<SourceUpdate>>,
    refresh: mpsc::Sender<()>,
    task: JoinHandle<()>,
}

impl PollerHandle {
    /// Asks for a poll now. Requests made while one is already queued coalesce.
    pub fn refresh_now(&self) {
        // Full means a refresh is already pending: that one will do.
        let _ = self.refresh.try_send(());
    }

    /// The latest published update, if any.
    pub fn latest(&self) -> Option<SourceUpdate> {
        self.rx.borrow().clone()
    }

    /// The latest update if it was published since the last call: the UI loop applies each
    /// snapshot once, and skips the ones that a newer snapshot replaced meanwhile.
    pub fn take_changed(&mut self) -> Option<SourceUpdate> {
        if self.rx.has_changed().unwrap_or(false) {
            self.rx.borrow_and_update().clone()
        } else {
            None
        }
    }
}

impl PollerHandle {
    /// A handle over a task that publishes on its own (a streaming log source): dropping the
    /// handle stops the task; refresh requests have nothing to do and are dropped.
    pub fn from_task(
        id: SourceId,
        rx: watch::Receiver<Option<SourceUpdate>>,
        task: JoinHandle<()>,
    ) -> Self {
        let (refresh, _) = mpsc::channel(1);
        Self {
            id,
            rx,
            refresh,
            task,
        }
    }
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Spawns a poller around a closure; see `spawn_fetcher`.
pub fn spawn<F, Fut>(
    id: SourceId,
    every: Duration,
    timeout: Duration,
    wake: Arc<Notify>,
    fetch: F,
) -> PollerHandle
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<Payload, SourceError>> + Send,
{
    spawn_fetcher(id, every, timeout, wake, FnFetcher(fetch))
}

/// Spawns the poll loop: a first poll at once, then every `every`; after a failure, retries
/// with exponential backoff and jitter instead; each fetch bounded by `timeout`.
pub fn spawn_fetcher<T: Fetcher>(
    id: SourceId,
    every: Duration,
    timeout: Duration,
    wake: Arc<Notify>,
    fetcher: T,
) -> PollerHandle {
    let (tx, rx) = watch::channel(None);
    let (refresh, refresh_rx) = mpsc::channel(1);
    let task = tokio::spawn(run(
        id.clone(),
        every,
        timeout,
        wake,
        fetcher,
        tx,
        refresh_rx,
    ));
    PollerHandle {
        id,
        rx,
        refresh,
        task,
    }
}

/// Runs one fetch bounded by `timeout`.
pub async fn fetch_once<T: Fetcher>(
    fetcher: &mut T,
    timeout: Duration,
) -> Result<Payload, SourceError> {
    match tokio::time::timeout(timeout, fetcher.fetch()).await {
        Ok(result) => result,
        Err(_) => Err(SourceError::Timeout(duration::label(timeout))),
    }
}

async fn run<T: Fetcher>(
    id: SourceId,
    every: Duration,
    timeout: Duration,
    wake: Arc<Notify>,
    mut fetcher: T,
    tx: watch::Sender<Option<SourceUpdate>>,
    mut refresh: mpsc::Receiver<()>,
) {
    let every = every.max(Duration::from_millis(100));
    let mut interval = tokio::time::interval_at(Instant::now() + every, every);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut generation = 0u64;
    let mut failures = 0u32;
    let mut retry_at: Option<Instant> = None;
    let mut first = true;
    loop {
        if !first {
            let asked = match retry_at {
                Some(at) => tokio::select! {
                    _ = tokio::time::sleep_until(at) => true,
                    r = refresh.recv() => r.is_some(),
                },
                None => tokio::select! {
                    _ = interval.tick() => true,
                    r = refresh.recv() => r.is_some(),
                },
            };
            if !asked {
                // The handle is gone: nobody reads what we would publish.
                return;
            }
        }
        first = false;

        let began = Instant::now();
        let result = fetch_once(&mut fetcher, timeout).await;
        let took = began.elapsed();
        match &result {
            Ok(_) => {
                failures = 0;
                retry_at = None;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait = jittered(backoff(failures, every));
                tracing::debug!(source = %id, error = %e, ?wait, "poll failed");
                retry_at = Some(Instant::now() + wait);
            }
        }
        // The next regular poll is a full period after this one ended, not a catch-up.
        interval.reset();
        generation += 1;
        tx.send_replace(Some(SourceUpdate {
            source: id.clone(),
            generation,
            fetched_at: chrono::Utc::now(),
            result,
            slow: (took > every).then_some(took),
        }));
        wake.notify_one();
    }
}

/// The wait after the `failures`-th failure in a row, before jitter: 1 s doubling, capped by
/// the refresh interval (so a failing source is retried no slower than a healthy one is
/// polled) and by `BACKOFF_MAX`.
pub fn backoff(failures: u32, every: Duration) -> Duration {
    let cap = every.min(BACKOFF_MAX).max(BACKOFF_START);
    let doubled = BACKOFF_START.saturating_mul(1u32 << failures.saturating_sub(1).min(20));
    doubled.min(cap)
}

/// "Equal jitter": between half and all of `d`, so replicas that failed together spread out.
pub fn jittered(d: Duration) -> Duration {
    let half = d / 2;
    half + half.mul_f64(rand::random_range(0.0..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::health::SourceKind;
    use crate::domain::publish::SloSample;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn id() -> SourceId {
        SourceId::new(SourceKind::Prometheus, "test")
    }

    fn ok() -> Result<Payload, SourceError> {
        Ok(Payload::Slo(Arc::new(Vec::<SloSample>::new().into())))
    }

    async fn next(rx: &mut watch::Receiver<Option<SourceUpdate>>) -> SourceUpdate {
        tokio::time::timeout(Duration::from_secs(3600), rx.changed())
            .await
            .expect("an update within the virtual hour")
            .expect("poller alive");
        rx.borrow_and_update().clone().expect("an update")
    }

    #[test]
    fn backoff_doubles_from_one_second_up_to_the_interval() {
        let every = Duration::from_secs(15);
        let got: Vec<u64> = (1..=6).map(|n| backoff(n, every).as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 8, 15, 15]);
        assert_eq!(
            backoff(40, Duration::from_secs(3600)),
            BACKOFF_MAX,
            "capped at 5 min"
        );
        for _ in 0..100 {
            let j = jittered(Duration::from_secs(8));
            assert!(j >= Duration::from_secs(4) && j <= Duration::from_secs(8));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn generation_increments_and_the_ui_is_woken() {
        let wake = Arc::new(Notify::new());
        let h = spawn(
            id(),
            Duration::from_secs(10),
            Duration::from_secs(5),
            wake.clone(),
            || async { ok() },
        );
        let mut rx = h.rx.clone();
        let mut gens = Vec::new();
        for _ in 0..3 {
            wake.notified().await;
            gens.push(next(&mut rx).await.generation);
        }
        assert_eq!(gens, [1, 2, 3]);
    }

    #[tokio::test(start_paused = true)]
    async fn regular_polls_follow_the_interval() {
        let start = Instant::now();
        let h = spawn(
            id(),
            Duration::from_secs(10),
            Duration::from_secs(5),
            Arc::new(Notify::new()),
            || async { ok() },
        );
        let mut rx = h.rx.clone();
        next(&mut rx).await;
        assert_eq!(start.elapsed(), Duration::ZERO, "first poll at once");
        next(&mut rx).await;
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_slower_than_the_refresh_is_said_and_the_next_waits_a_full_interval() {
        let start = Instant::now();
        let h = spawn(
            id(),
            Duration::from_secs(5),
            Duration::from_secs(60),
            Arc::new(Notify::new()),
            || async {
                tokio::time::sleep(Duration::from_secs(7)).await;
                ok()
            },
        );
        let mut rx = h.rx.clone();
        let first = next(&mut rx).await;
        assert_eq!(first.slow, Some(Duration::from_secs(7)));
        assert_eq!(start.elapsed(), Duration::from_secs(7));
        next(&mut rx).await;
        // 7 s polling, then 5 s of rest: not back to back at 7 s.
        assert_eq!(start.elapsed(), Duration::from_secs(7 + 5 + 7));
    }

    #[tokio::test(start_paused = true)]
    async fn refresh_now_polls_at_once() {
        let h = spawn(
            id(),
            Duration::from_secs(600),
            Duration::from_secs(5),
            Arc::new(Notify::new()),
            || async { ok() },
        );
        let mut rx = h.rx.clone();
        next(&mut rx).await;
        let before = Instant::now();
        h.refresh_now();
        let u = next(&mut rx).await;
        assert_eq!(u.generation, 2);
        assert!(
            before.elapsed() < Duration::from_secs(1),
            "not the 10 min tick"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn backs_off_after_failures_then_returns_to_the_interval() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        // Fails three times, then succeeds.
        let h = spawn(
            id(),
            Duration::from_secs(60),
            Duration::from_secs(5),
            Arc::new(Notify::new()),
            move || {
                let n = c.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < 3 {
                        Err(SourceError::Unreachable("connection refused".into()))
                    } else {
                        ok()
                    }
                }
            },
        );
        let mut rx = h.rx.clone();
        let mut last = Instant::now();
        let mut gaps = Vec::new();
        for _ in 0..5 {
            let u = next(&mut rx).await;
            gaps.push((u.result.is_ok(), last.elapsed()));
            last = Instant::now();
        }
        assert!(!gaps[0].0 && gaps[0].1 == Duration::ZERO);
        // After failure n the wait is within [b/2, b] with b = 1 s, 2 s, 4 s.
        for (i, b) in [1u64, 2, 4].iter().enumerate() {
            let (_, gap) = gaps[i + 1];
            let b = Duration::from_secs(*b);
            assert!(gap >= b / 2 && gap <= b, "gap {i}: {gap:?} vs {b:?}");
        }
        assert!(gaps[3].0, "fourth poll succeeds");
        assert!(gaps[4].0);
        assert_eq!(
            gaps[4].1,
            Duration::from_secs(60),
            "healthy again: back to the interval"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_fetch_times_out() {
        let h = spawn(
            id(),
            Duration::from_secs(60),
            Duration::from_secs(2),
            Arc::new(Notify::new()),
            std::future::pending,
        );
        let mut rx = h.rx.clone();
        let u = next(&mut rx).await;
        assert_eq!(u.result.unwrap_err(), SourceError::Timeout("2s".into()));
    }

    #[tokio::test(start_paused = true)]
    async fn polls_are_never_stacked_and_refreshes_coalesce() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let (started_tx, mut started) = mpsc::unbounded_channel();
        let (r, m, g) = (running.clone(), most.clone(), gate.clone());
        let h = spawn(
            id(),
            Duration::from_secs(1),
            Duration::from_secs(3600),
            Arc::new(Notify::new()),
            move || {
                let (r, m, g) = (r.clone(), m.clone(), g.clone());
                let _ = started_tx.send(());
                async move {
                    let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    // Each fetch takes one permit for good: the test lets them through one by one.
                    if let Ok(permit) = g.acquire().await {
                        permit.forget();
                    }
                    r.fetch_sub(1, Ordering::SeqCst);
                    ok()
                }
            },
        );
        let mut rx = h.rx.clone();
        started.recv().await.expect("first poll starts");
        // While it is blocked, ten ticks' worth of virtual time and five refreshes go by.
        tokio::time::advance(Duration::from_secs(10)).await;
        for _ in 0..5 {
            h.refresh_now();
        }
        tokio::task::yield_now().await;
        assert!(started.try_recv().is_err(), "nothing stacked");
        gate.add_permits(1);
        assert_eq!(next(&mut rx).await.generation, 1);
        // The five refreshes coalesced into one poll, started at once.
        let before = Instant::now();
        started.recv().await.expect("the refresh poll starts");
        assert!(before.elapsed() < Duration::from_secs(1));
        gate.add_permits(1);
        assert_eq!(next(&mut rx).await.generation, 2);
        assert!(started.try_recv().is_err(), "no second refresh poll");
        assert_eq!(most.load(Ordering::SeqCst), 1, "never two fetches at once");
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_handle_stops_the_task() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let h = spawn(
            id(),
            Duration::from_secs(1),
            Duration::from_secs(1),
            Arc::new(Notify::new()),
            move || {
                c.fetch_add(1, Ordering::SeqCst);
                async { ok() }
            },
        );
        let mut rx = h.rx.clone();
        next(&mut rx).await;
        drop(h);
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
