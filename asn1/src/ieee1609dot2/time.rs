//! 1609.2 time (clause 6.4.12 ff.): `Time32` counts TAI seconds and `Time64` TAI
//! microseconds since 2004-01-01 00:00:00 UTC, so leap seconds count.

use super::{Duration, Time32, Time64, ValidityPeriod};

/// Unix time of 2004-01-01 00:00:00 UTC.
pub const EPOCH_2004_UNIX: i64 = 1_072_915_200;

/// Unix times (UTC) at which a leap second took effect after 2004.
const LEAP_SECONDS_UNIX: [i64; 5] = [
    1_136_073_600, // 2006-01-01
    1_230_768_000, // 2009-01-01
    1_341_100_800, // 2012-07-01
    1_435_708_800, // 2015-07-01
    1_483_228_800, // 2017-01-01
];

/// `Time32` of a Unix time (adds the leap seconds since 2004). Times before
/// 2004 give 0, after 2140 saturate.
pub fn time32_from_unix(unix: i64) -> Time32 {
    let leaps = LEAP_SECONDS_UNIX.iter().filter(|&&t| unix >= t).count() as i64;
    let t = unix - EPOCH_2004_UNIX + leaps;
    t.clamp(0, i64::from(u32::MAX)) as Time32
}

/// Unix time of a `Time32`.
pub fn unix_from_time32(t: Time32) -> i64 {
    let mut unix = i64::from(t) + EPOCH_2004_UNIX;
    for &l in &LEAP_SECONDS_UNIX {
        if unix > l {
            unix -= 1;
        }
    }
    unix
}

/// `Time32` (seconds) of a `Time64` (microseconds).
pub fn time32_of(t: Time64) -> Time32 {
    (t / 1_000_000).min(u64::from(u32::MAX)) as Time32
}

/// `Time64` of a Unix time in microseconds.
pub fn time64_from_unix_micros(unix_us: i64) -> Time64 {
    let secs = unix_us.div_euclid(1_000_000);
    u64::from(time32_from_unix(secs)) * 1_000_000 + unix_us.rem_euclid(1_000_000) as u64
}

/// The first second after a validity period (`start + duration`).
pub fn validity_end(v: &ValidityPeriod) -> u64 {
    u64::from(v.start) + v.duration.as_secs()
}

/// A `Duration` in the largest unit that expresses `secs` exactly (and fits a u16),
/// rounding down to hours beyond that.
pub fn duration_from_secs(secs: u64) -> Duration {
    let fits = |v: u64| u16::try_from(v).ok();
    if let Some(v) = fits(secs) {
        return Duration::Seconds(v);
    }
    if secs.is_multiple_of(60) {
        if let Some(v) = fits(secs / 60) {
            return Duration::Minutes(v);
        }
    }
    if let Some(v) = fits(secs / 3600) {
        return Duration::Hours(v);
    }
    Duration::SixtyHours(fits(secs / 216_000).unwrap_or(u16::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_leap_seconds() {
        assert_eq!(time32_from_unix(EPOCH_2004_UNIX), 0);
        // 2020-01-01: 5 leap seconds since 2004.
        assert_eq!(
            time32_from_unix(1_577_836_800),
            1_577_836_800 - 1_072_915_200 + 5
        );
        for u in [EPOCH_2004_UNIX, 1_400_000_000, 1_577_836_800, 1_800_000_000] {
            assert_eq!(unix_from_time32(time32_from_unix(u)), u);
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration_from_secs(60), Duration::Seconds(60));
        assert_eq!(duration_from_secs(2_000 * 60), Duration::Minutes(2_000));
        assert_eq!(duration_from_secs(3600 * 1000 + 1), Duration::Hours(1000));
    }
}
