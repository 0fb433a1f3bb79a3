//! The service's times: ISO 8601 strings, kept as sent.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// A time as the service writes it: an ISO 8601 (RFC 3339) string such as
/// `2019-11-08T02:41:28.172Z`, with or without a fraction of a second.
///
/// It keeps the text exactly as received, so that a time sent back to the service (a
/// transcript's [`StartPosition`](crate::StartPosition)) is byte for byte the one it gave,
/// and it knows the instant the text names, to compare and to convert to [`SystemTime`].
/// Times compare by instant (`…28.1Z` equals `…28.100Z` as an instant; the text breaks the
/// tie so that ordering agrees with equality).
///
/// A time the service sends that this type cannot read is kept as text with no instant
/// ([`to_system_time`](Self::to_system_time) gives `None`) rather than failing the whole
/// answer: the service's output is not checked against its own model.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use connect_participant::Timestamp;
///
/// let t = Timestamp::parse("2019-11-08T02:41:28.172Z")?;
/// assert_eq!(t.as_str(), "2019-11-08T02:41:28.172Z");
/// assert_eq!(
///     t.to_system_time(),
///     Some(UNIX_EPOCH + Duration::from_millis(1_573_180_888_172))
/// );
/// let later = Timestamp::parse("2019-11-08T02:41:29Z")?;
/// assert!(t < later);
/// assert_eq!(
///     Timestamp::from_system_time(UNIX_EPOCH + Duration::from_millis(1_573_180_888_172))
///         .as_str(),
///     "2019-11-08T02:41:28.172Z"
/// );
/// # Ok::<(), connect_participant::Error>(())
/// ```
#[derive(Clone)]
pub struct Timestamp {
    text: String,
    /// Nanoseconds since the Unix epoch (negative before it), if the text could be read.
    nanos: Option<i128>,
}

impl Timestamp {
    /// The most characters the service accepts in a time it is sent (shape `Instant`).
    pub const MAX_CHARS: usize = 100;

    /// Reads an RFC 3339 time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9
    /// digits, then `Z` or an offset `±HH:MM`. `t` and `z` in lower case are accepted too.
    /// Anything else is [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput).
    ///
    /// ```
    /// use connect_participant::Timestamp;
    ///
    /// assert!(Timestamp::parse("2023-08-03T08:15:46Z").is_ok());
    /// assert!(Timestamp::parse("2023-08-03T10:15:46.5+02:00").is_ok());
    /// let err = Timestamp::parse("2023-02-30T00:00:00Z").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid AbsoluteTime: \"2023-02-30T00:00:00Z\" is not an ISO 8601 time such as \
    ///      2019-11-08T02:41:28.172Z"
    /// );
    /// ```
    pub fn parse(text: &str) -> Result<Timestamp> {
        match parse_rfc3339(text) {
            Some(nanos) if text.chars().count() <= Self::MAX_CHARS => Ok(Timestamp {
                text: text.to_owned(),
                nanos: Some(nanos),
            }),
            _ => Err(Error::invalid_input(
                "AbsoluteTime",
                format_args!(
                    "{} is not an ISO 8601 time such as 2019-11-08T02:41:28.172Z",
                    crate::redact::quoted(text)
                ),
            )),
        }
    }

    /// A time the service sent: kept even when it cannot be read (see the type's docs).
    pub(crate) fn from_service(text: String) -> Timestamp {
        let nanos = parse_rfc3339(&text);
        Timestamp { text, nanos }
    }

    /// `time` written as the service writes times: UTC, milliseconds, `Z`
    /// (`2019-11-08T02:41:28.172Z`). Finer parts of a second are dropped.
    pub fn from_system_time(time: SystemTime) -> Timestamp {
        let nanos = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        let millis = nanos.div_euclid(1_000_000);
        let secs = millis.div_euclid(1000) as i64;
        let ms = millis.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        );
        Timestamp {
            text,
            nanos: Some(millis * 1_000_000),
        }
    }

    /// The text, exactly as it was given or received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant, or `None` for a text this type could not read (only possible for a
    /// time the service sent).
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let n = self.nanos?;
        let magnitude = Duration::new(
            u64::try_from(n.unsigned_abs() / 1_000_000_000).ok()?,
            (n.unsigned_abs() % 1_000_000_000) as u32,
        );
        if n >= 0 {
            UNIX_EPOCH.checked_add(magnitude)
        } else {
            UNIX_EPOCH.checked_sub(magnitude)
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.text)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Timestamp::parse(s)
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Timestamp::from_system_time(time)
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    /// By instant (an unreadable time first), then by text.
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos
            .cmp(&other.nanos)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
        self.text.hash(state);
    }
}

/// `d` in seconds, exactly, without trailing zeros: `0.001`, `3600`, `2.5`.
pub(crate) fn seconds(d: Duration) -> String {
    let mut s = format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// Nanoseconds since the epoch for an RFC 3339 time, or `None`.
fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let year = digits(0, 4)?;
    let month = digits(5, 2)?;
    let day = digits(8, 2)?;
    let hour = digits(11, 2)?;
    let minute = digits(14, 2)?;
    let second = digits(17, 2)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        // A leap second (60) is read as the last one of its minute, as most parsers do.
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut fraction: i128 = 0;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let n = at - start;
        if n == 0 || n > 9 {
            return None;
        }
        let value = digits(start, n)?;
        fraction = i128::from(value) * 10i128.pow((9 - n) as u32);
    }
    let offset_secs = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let h = digits(at + 1, 2)?;
            let m = digits(at + 4, 2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_secs;
    Some(i128::from(secs) * 1_000_000_000 + fraction)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (the inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(t: &str) -> i128 {
        parse_rfc3339(t).unwrap() / 1_000_000
    }

    #[test]
    fn service_forms_are_read() {
        assert_eq!(ms("2019-11-08T02:41:28.172Z"), 1_573_180_888_172);
        assert_eq!(ms("2023-08-03T08:15:46Z"), 1_691_050_546_000);
        assert_eq!(ms("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ms("1969-12-31T23:59:59.999Z"), -1);
        assert_eq!(ms("2019-11-08T04:41:28.172+02:00"), 1_573_180_888_172);
        assert_eq!(ms("2019-11-07T23:41:28.172-03:00"), 1_573_180_888_172);
        assert_eq!(
            parse_rfc3339("2019-11-08T02:41:28.123456789Z").unwrap() % 1_000_000_000,
            123_456_789
        );
        assert_eq!(ms("2024-02-29T00:00:00z"), ms("2024-02-29t00:00:00Z"));
    }

    #[test]
    fn malformed_times_are_refused() {
        for bad in [
            "",
            "2019-11-08",
            "2019-11-08T02:41:28",
            "2019-11-08T02:41:28.Z",
            "2019-11-08T02:41:28.1234567890Z",
            "2019-11-08 02:41:28Z",
            "2019-13-08T02:41:28Z",
            "2019-11-31T02:41:28Z",
            "2023-02-29T00:00:00Z",
            "2019-11-08T24:00:00Z",
            "2019-11-08T02:60:00Z",
            "2019-11-08T02:41:28+0200",
            "2019-11-08T02:41:28+24:00",
            "2019-11-08T02:41:28ZZ",
            "+019-11-08T02:41:28Z",
            "2019-11-08T02:41:28.17é",
            "２０１９-11-08T02:41:28Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
            assert!(Timestamp::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formatting_round_trips_across_eras() {
        for millis in [
            0i64,
            1,
            -1,
            1_573_180_888_172,
            951_782_400_000,     // 2000-02-29
            253_402_300_799_999, // 9999-12-31T23:59:59.999
            -62_135_596_800_000, // 0001-01-01
        ] {
            let time = if millis >= 0 {
                UNIX_EPOCH + Duration::from_millis(millis as u64)
            } else {
                UNIX_EPOCH - Duration::from_millis(millis.unsigned_abs())
            };
            let t = Timestamp::from_system_time(time);
            assert_eq!(ms(t.as_str()), i128::from(millis), "{}", t.as_str());
            assert_eq!(t.to_system_time(), Some(time));
        }
        assert_eq!(
            Timestamp::from_system_time(UNIX_EPOCH).as_str(),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn text_is_kept_and_instants_compare() {
        let a = Timestamp::parse("2019-11-08T02:41:28.1Z").unwrap();
        let b = Timestamp::parse("2019-11-08T02:41:28.100Z").unwrap();
        assert_eq!(a.as_str(), "2019-11-08T02:41:28.1Z");
        assert_eq!(a.to_system_time(), b.to_system_time());
        assert_ne!(a, b, "equality agrees with ordering, which keeps the text");
        let c = Timestamp::parse("2019-11-08T02:41:28.2Z").unwrap();
        assert!(b < c);
        let odd = Timestamp::from_service("yesterday".into());
        assert_eq!(odd.as_str(), "yesterday");
        assert_eq!(odd.to_system_time(), None);
        assert!(odd < a);
        assert_eq!(format!("{a:?}"), "Timestamp(\"2019-11-08T02:41:28.1Z\")");
        assert_eq!(a.to_string(), "2019-11-08T02:41:28.1Z");
    }

    #[test]
    fn over_long_text_is_refused() {
        let long = format!("2019-11-08T02:41:28.1{}Z", "0".repeat(8));
        assert!(Timestamp::parse(&long).is_ok());
        let e = Timestamp::parse(&"9".repeat(200)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid AbsoluteTime: (200 characters, not shown) is not an ISO 8601 time such \
             as 2019-11-08T02:41:28.172Z"
        );
    }
}
