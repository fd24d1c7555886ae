//! The controllers' clock. Every deadline a controller keeps — minReadySeconds,
//! progressDeadlineSeconds, activeDeadlineSeconds, pod failure back-off,
//! ttlSecondsAfterFinished, cron schedules, delayed requeues — reads this
//! clock, so tests can run a controller on a manual clock and move time
//! forward instead of waiting for it.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

/// The wall clock, or a manual one that moves only when told to.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<watch::Sender<Timestamp>>>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            None => f.write_str("Clock::system"),
            Some(now) => write!(f, "Clock::manual({})", *now.borrow()),
        }
    }
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock standing at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: Timestamp) -> Clock {
        Clock {
            manual: Some(Arc::new(watch::channel(start).0)),
        }
    }

    pub fn now(&self) -> Timestamp {
        match &self.manual {
            None => Timestamp::now(),
            Some(now) => *now.borrow(),
        }
    }

    /// Now in whole seconds, as the API stores times.
    pub fn now_time(&self) -> Time {
        let now = self.now();
        Time(Timestamp::from_second(now.as_second()).unwrap_or(now))
    }

    /// Moves a manual clock forward by `by`, waking the sleepers whose time
    /// has come. The system clock cannot be moved: nothing happens.
    pub fn advance(&self, by: Duration) {
        if let Some(now) = &self.manual {
            let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
            now.send_modify(|now| *now = now.saturating_add(by).unwrap_or(Timestamp::MAX));
        }
    }

    /// Waits until this clock has moved `duration` past now.
    pub async fn sleep(&self, duration: Duration) {
        let Some(now) = &self.manual else {
            return tokio::time::sleep(duration).await;
        };
        let mut moved = now.subscribe();
        let start = *moved.borrow_and_update();
        let due = SignedDuration::try_from(duration)
            .ok()
            .and_then(|d| start.checked_add(d).ok())
            .unwrap_or(Timestamp::MAX);
        // The sender outlives this borrow of the clock: the wait ends only
        // when time reaches `due`.
        let _ = moved.wait_for(|now| *now >= due).await;
    }

    /// How long from now until `at` (zero once it has passed).
    pub fn until(&self, at: Timestamp) -> Duration {
        Duration::try_from(at.duration_since(self.now())).unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_advanced_and_wakes_sleepers() {
        let start = Timestamp::from_second(1_700_000_000).unwrap();
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(10)).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(9));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("the sleeper wakes once its time has come")
            .unwrap();
        assert_eq!(clock.until(start), Duration::ZERO);
        assert_eq!(
            clock.until(start + SignedDuration::from_secs(30)),
            Duration::from_secs(20)
        );
    }

    #[test]
    fn now_time_is_in_whole_seconds() {
        let clock = Clock::manual(Timestamp::from_millisecond(1_700_000_000_750).unwrap());
        assert_eq!(clock.now_time().0.as_second(), 1_700_000_000);
        assert_eq!(clock.now_time().0.subsec_nanosecond(), 0);
    }
}
