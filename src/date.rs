//! Calendar dates as handbooks write them (`YYYY-MM-DD`), and today's date.

use std::fmt;

/// A date in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `YYYY-MM-DD`, refusing impossible dates such as 2026-02-30.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date; write dates as YYYY-MM-DD, e.g. 2026-09-01");
        let mut parts = text.trim().split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if !(digits(y) && digits(m) && digits(d)) {
            return Err(bad());
        }
        let (year, month, day) = (
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        );
        if !(1..=12).contains(&month) {
            return Err(format!(
                "`{text}` has no month {month}; months run from 01 to 12"
            ));
        }
        let days = days_in_month(year, month);
        if day == 0 || day > days {
            return Err(format!(
                "`{text}` is not a real date: that month has {days} days"
            ));
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Today, from `HANDBOOK_TODAY` (for reproducible builds and tests) or the clock.
    pub fn today() -> Date {
        if let Some(date) = std::env::var("HANDBOOK_TODAY")
            .ok()
            .and_then(|t| Date::parse(&t).ok())
        {
            return date;
        }
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }

    /// The same day `months` months earlier, clamped to the month's end.
    pub fn months_before(self, months: u32) -> Date {
        let total = self.year * 12 + self.month as i32 - 1 - months as i32;
        let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        Date {
            year,
            month,
            day: self.day.min(days_in_month(year, month)),
        }
    }

    /// "1 September 2026", as UK readers write it.
    pub fn long(self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!(
            "{} {} {}",
            self.day,
            MONTHS[self.month as usize - 1],
            self.year
        )
    }
}

impl Default for Date {
    fn default() -> Self {
        Date {
            year: 1970,
            month: 1,
            day: 1,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_and_refuses_impossible_ones() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert!(Date::parse("2026-02-29").unwrap_err().contains("28 days"));
        assert!(Date::parse("2026-13-01").unwrap_err().contains("month 13"));
        assert!(Date::parse("1/9/2026").is_err());
        assert!(Date::parse("2026-9-1").is_err());
        // Exactly three parts, around which spaces are allowed.
        assert!(Date::parse("2026-01").is_err());
        assert!(Date::parse("2026-01-01-02").is_err());
        assert!(Date::parse("2026-01-01-").is_err());
        assert_eq!(
            Date::parse(" 2026-01-02 ").unwrap().to_string(),
            "2026-01-02"
        );
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for text in ["1970-01-01", "2000-02-29", "2026-11-23", "1969-12-31"] {
            let d = Date::parse(text).unwrap();
            assert_eq!(Date::from_days(d.to_days()), d);
        }
        let a = Date::parse("2026-01-01").unwrap();
        assert_eq!(a.days_until(Date::parse("2027-01-01").unwrap()), 365);
        assert_eq!(
            Date::parse("2026-03-31")
                .unwrap()
                .months_before(1)
                .to_string(),
            "2026-02-28"
        );
        assert_eq!(
            Date::parse("2026-01-15")
                .unwrap()
                .months_before(12)
                .to_string(),
            "2025-01-15"
        );
        assert_eq!(a.long(), "1 January 2026");
    }
}
