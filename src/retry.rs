//! Pure retry decisions, the AWS "standard" mode (2026 revision): what to retry, how long
//! to wait, and the retry quota that keeps a failing service from being hammered.
//!
//! Nothing here sleeps, reads a clock or draws randomness; the client does, and passes the
//! results in, so every rule is tested exactly.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

#[cfg(test)]
use crate::error::Error;
pub(crate) use crate::error::RetryClass;

/// Attempts per call unless the builder says otherwise.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Tokens in a full retry quota.
pub(crate) const QUOTA_CAPACITY: u32 = 500;
/// What a retry after a transient error costs.
pub(crate) const RETRY_COST: u32 = 14;
/// What a retry after throttling costs.
pub(crate) const THROTTLING_RETRY_COST: u32 = 5;
/// What a call that succeeds at once gives back.
pub(crate) const NO_RETRY_INCREMENT: u32 = 1;
/// Back-off base after throttling.
const THROTTLING_BASE: Duration = Duration::from_secs(1);
/// Back-off base after a transient error.
const TRANSIENT_BASE: Duration = Duration::from_millis(50);
/// The longest computed back-off.
const MAX_BACKOFF: Duration = Duration::from_secs(20);
/// How far beyond the computed back-off `x-amz-retry-after` may push the wait.
const MAX_RETRY_AFTER_EXTRA: Duration = Duration::from_secs(5);

/// The error codes the standard mode treats as throttling.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// The error codes the standard mode treats as transient.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// How a failed attempt that the server answered may be retried: the one rule for every
/// answer, decided when the [`Error`] is made and kept in it.
pub(crate) fn for_response(status: u16, error_type: Option<&str>) -> RetryClass {
    if error_type.is_some_and(|c| THROTTLING_CODES.contains(&c)) || status == 429 {
        return RetryClass::Throttling;
    }
    if error_type.is_some_and(|c| TRANSIENT_CODES.contains(&c)) {
        return RetryClass::Transient;
    }
    match status {
        // A redirect, and anything below, is never worth repeating.
        500 | 502 | 503 | 504 => RetryClass::Transient,
        _ => RetryClass::Never,
    }
}

/// What the attempt loop does after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait, then send attempt `attempt`.
    Retry { attempt: u32 },
    /// Return the error; `quota_exhausted` when only the quota stopped another try.
    Stop { quota_exhausted: bool },
}

/// The retry bookkeeping of one call: its attempts and what it took from the quota.
#[derive(Debug)]
pub(crate) struct CallRetries {
    attempt: u32,
    max_attempts: u32,
    spent: u32,
}

impl CallRetries {
    pub(crate) fn new(max_attempts: u32) -> CallRetries {
        CallRetries {
            attempt: 1,
            max_attempts,
            spent: 0,
        }
    }

    /// The attempt being made, from 1.
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Decides after a failure of class `class`, taking the retry's cost from `quota`.
    /// Attempts never pass `max_attempts`, which bounds the loop.
    pub(crate) fn after_failure(&mut self, class: RetryClass, quota: &RetryQuota) -> Next {
        if class == RetryClass::Never || self.attempt >= self.max_attempts {
            return Next::Stop {
                quota_exhausted: false,
            };
        }
        let cost = retry_cost(class);
        if !quota.try_acquire(cost) {
            return Next::Stop {
                quota_exhausted: true,
            };
        }
        self.spent += cost;
        self.attempt += 1;
        Next::Retry {
            attempt: self.attempt,
        }
    }

    /// After a success: gives back what the call spent, or the small reward of a call
    /// that needed no retry.
    pub(crate) fn after_success(&self, quota: &RetryQuota) {
        quota.release(if self.spent == 0 {
            NO_RETRY_INCREMENT
        } else {
            self.spent
        });
    }
}

/// What retrying after this class of failure costs from the quota.
pub(crate) fn retry_cost(class: RetryClass) -> u32 {
    match class {
        RetryClass::Throttling => THROTTLING_RETRY_COST,
        _ => RETRY_COST,
    }
}

/// The wait before retry `retry` (1 for the first retry), given `unit` drawn uniformly from
/// `[0, 1)` and the server's `x-amz-retry-after` in milliseconds, if it sent one.
///
/// Full jitter: `unit * min(base * 2^(retry-1), 20 s)`; a retry-after is honoured but kept
/// within `[computed, computed + 5 s]`.
pub(crate) fn backoff(
    class: RetryClass,
    retry: u32,
    unit: f64,
    retry_after_ms: Option<u64>,
) -> Duration {
    let base = match class {
        RetryClass::Throttling => THROTTLING_BASE,
        _ => TRANSIENT_BASE,
    };
    // 2^(retry-1), saturating long before it could overflow: 2^10 * 50 ms is past the cap.
    let factor = 1u32 << retry.saturating_sub(1).min(20);
    let ceiling = base.saturating_mul(factor).min(MAX_BACKOFF);
    let computed = ceiling.mul_f64(unit.clamp(0.0, 1.0));
    match retry_after_ms {
        Some(ms) => Duration::from_millis(ms).clamp(computed, computed + MAX_RETRY_AFTER_EXTRA),
        None => computed,
    }
}

/// Maps 8 random bytes onto `[0, 1)` with 53 bits of precision.
pub(crate) fn unit_interval(bytes: [u8; 8]) -> f64 {
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses `x-amz-retry-after`: a whole number of milliseconds.
pub(crate) fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse().ok()
}

/// Takes `cost` from `available`, or says the quota cannot pay it.
pub(crate) fn quota_acquire(available: u32, cost: u32) -> Option<u32> {
    available.checked_sub(cost)
}

/// Gives `amount` back to `available`, never past the capacity.
pub(crate) fn quota_release(available: u32, amount: u32) -> u32 {
    available.saturating_add(amount).min(QUOTA_CAPACITY)
}

/// The retry quota, shared by all clones of one client.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    available: AtomicU32,
}

impl RetryQuota {
    pub(crate) fn new() -> RetryQuota {
        RetryQuota {
            available: AtomicU32::new(QUOTA_CAPACITY),
        }
    }

    /// Takes `cost` if the quota has it.
    pub(crate) fn try_acquire(&self, cost: u32) -> bool {
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |a| {
                quota_acquire(a, cost)
            })
            .is_ok()
    }

    /// Returns `amount` after a successful call.
    pub(crate) fn release(&self, amount: u32) {
        // A full quota, the common case, costs one load and no write.
        if self.available.load(Ordering::Acquire) >= QUOTA_CAPACITY {
            return;
        }
        let _ = self
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |a| {
                Some(quota_release(a, amount))
            });
    }

    pub(crate) fn available(&self) -> u32 {
        self.available.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of an answer with `status` and error type `code`, as the client reads it.
    fn service(status: u16, code: Option<&str>) -> Error {
        let header = |name: &str| {
            if name == "x-amzn-errortype" {
                code
            } else {
                None
            }
        };
        crate::wire::parse_response(status, header, b"", |_| Ok(())).unwrap_err()
    }

    fn classify(e: &Error) -> RetryClass {
        e.retry_class()
    }

    #[test]
    fn throttling_codes_and_any_429_are_throttling() {
        for code in THROTTLING_CODES {
            assert_eq!(
                classify(&service(400, Some(code))),
                RetryClass::Throttling,
                "{code}"
            );
        }
        assert_eq!(classify(&service(429, None)), RetryClass::Throttling);
        assert_eq!(
            classify(&service(429, Some("Whatever"))),
            RetryClass::Throttling
        );
    }

    #[test]
    fn server_errors_and_request_timeouts_are_transient() {
        for status in [500, 502, 503, 504] {
            assert_eq!(classify(&service(status, None)), RetryClass::Transient);
        }
        assert_eq!(
            classify(&service(500, Some("InternalServerException"))),
            RetryClass::Transient
        );
        assert_eq!(
            classify(&service(408, Some("RequestTimeout"))),
            RetryClass::Transient
        );
        assert_eq!(
            classify(&service(400, Some("RequestTimeoutException"))),
            RetryClass::Transient
        );
    }

    #[test]
    fn client_errors_are_never_retried() {
        for (status, code) in [
            (400, Some("ValidationException")),
            (403, Some("AccessDeniedException")),
            (409, Some("ConflictException")),
            (404, None),
            (413, None),
            (501, None),
            (505, None),
            (301, None),
        ] {
            assert_eq!(
                classify(&service(status, code)),
                RetryClass::Never,
                "{status}"
            );
        }
        let input = Error::length("Content", 0, 1, 16384);
        assert_eq!(classify(&input), RetryClass::Never);
        assert!(!input.is_retryable());
        let garbage = Error::invalid_response(503, "x");
        assert_eq!(classify(&garbage), RetryClass::Never);
    }

    #[test]
    fn a_call_retries_until_its_attempts_or_the_quota_run_out() {
        let q = RetryQuota::new();
        let mut call = CallRetries::new(3);
        assert_eq!(call.attempt(), 1);
        assert_eq!(
            call.after_failure(RetryClass::Transient, &q),
            Next::Retry { attempt: 2 }
        );
        assert_eq!(
            call.after_failure(RetryClass::Throttling, &q),
            Next::Retry { attempt: 3 }
        );
        assert_eq!(q.available(), 500 - 14 - 5);
        assert_eq!(
            call.after_failure(RetryClass::Transient, &q),
            Next::Stop {
                quota_exhausted: false
            }
        );
        call.after_success(&q);
        assert_eq!(q.available(), 500);

        let mut never = CallRetries::new(3);
        assert_eq!(
            never.after_failure(RetryClass::Never, &q),
            Next::Stop {
                quota_exhausted: false
            }
        );
        never.after_success(&q);
        assert_eq!(
            q.available(),
            500,
            "a success with no retry refunds 1, capped"
        );

        let poor = RetryQuota::new();
        while poor.try_acquire(RETRY_COST) {}
        assert_eq!(poor.available(), 10);
        let mut call = CallRetries::new(3);
        assert_eq!(
            call.after_failure(RetryClass::Transient, &poor),
            Next::Stop {
                quota_exhausted: true
            }
        );
        assert_eq!(
            call.after_failure(RetryClass::Throttling, &poor),
            Next::Retry { attempt: 2 }
        );
        assert_eq!(poor.available(), 5);
        call.after_success(&poor);
        assert_eq!(poor.available(), 10);
    }

    #[test]
    fn backoff_is_full_jitter_with_capped_exponential_ceiling() {
        let ms = |d: Duration| d.as_millis();
        // unit close to 1 shows the ceiling; 0.5 shows the scaling.
        let top = 1.0 - f64::EPSILON;
        // (1 - epsilon) * 50 ms rounds to 50 ms at nanosecond precision: never above.
        assert_eq!(ms(backoff(RetryClass::Transient, 1, top, None)), 50);
        assert_eq!(ms(backoff(RetryClass::Transient, 1, 0.5, None)), 25);
        assert_eq!(ms(backoff(RetryClass::Transient, 2, 0.5, None)), 50);
        assert_eq!(ms(backoff(RetryClass::Transient, 3, 0.5, None)), 100);
        assert_eq!(ms(backoff(RetryClass::Throttling, 1, 0.5, None)), 500);
        assert_eq!(ms(backoff(RetryClass::Throttling, 2, 0.5, None)), 1000);
        // 1 s * 2^5 = 32 s is capped at 20 s.
        assert_eq!(ms(backoff(RetryClass::Throttling, 6, 0.5, None)), 10_000);
        assert_eq!(ms(backoff(RetryClass::Transient, 40, 0.5, None)), 10_000);
        assert_eq!(
            backoff(RetryClass::Throttling, 3, 0.0, None),
            Duration::ZERO
        );
    }

    #[test]
    fn retry_after_is_honoured_within_computed_and_five_seconds_more() {
        let t = RetryClass::Throttling;
        // computed = 0.5 * 1 s = 500 ms
        assert_eq!(backoff(t, 1, 0.5, Some(2000)), Duration::from_millis(2000));
        assert_eq!(backoff(t, 1, 0.5, Some(100)), Duration::from_millis(500));
        assert_eq!(
            backoff(t, 1, 0.5, Some(60_000)),
            Duration::from_millis(5500)
        );
        assert_eq!(backoff(t, 1, 0.0, Some(0)), Duration::ZERO);
        assert_eq!(parse_retry_after(" 1500 "), Some(1500));
        assert_eq!(parse_retry_after("1.5"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn unit_interval_stays_below_one() {
        assert_eq!(unit_interval([0; 8]), 0.0);
        let max = unit_interval([0xff; 8]);
        assert!(max < 1.0 && max > 0.999_999);
        assert_eq!(unit_interval([0, 0, 0, 0, 0, 0, 0, 0x80]), 0.5);
    }

    #[test]
    fn quota_costs_and_refunds() {
        assert_eq!(quota_acquire(500, RETRY_COST), Some(486));
        assert_eq!(quota_acquire(500, THROTTLING_RETRY_COST), Some(495));
        assert_eq!(quota_acquire(13, RETRY_COST), None);
        assert_eq!(quota_acquire(5, THROTTLING_RETRY_COST), Some(0));
        assert_eq!(quota_release(486, RETRY_COST), 500);
        assert_eq!(quota_release(499, NO_RETRY_INCREMENT), 500);
        assert_eq!(quota_release(500, NO_RETRY_INCREMENT), 500);
        assert_eq!(quota_release(u32::MAX, 1), 500);
        assert_eq!(retry_cost(RetryClass::Throttling), 5);
        assert_eq!(retry_cost(RetryClass::Transient), 14);
    }

    #[test]
    fn shared_quota_empties_and_refills() {
        let q = RetryQuota::new();
        let mut retries = 0;
        while q.try_acquire(RETRY_COST) {
            retries += 1;
            assert!(retries <= 36, "the quota must run out");
        }
        // 500 / 14 = 35 retries, 10 tokens left.
        assert_eq!(retries, 35);
        assert_eq!(q.available(), 10);
        assert!(q.try_acquire(THROTTLING_RETRY_COST));
        q.release(RETRY_COST);
        assert_eq!(q.available(), 19);
        for _ in 0..1000 {
            q.release(NO_RETRY_INCREMENT);
        }
        assert_eq!(q.available(), QUOTA_CAPACITY);
    }
}
