//! Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian), for `YYYY-MM-DD` cells.

use chrono::NaiveDate;

/// Years a scan date may fall in; anything else is taken for a typing error.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// 1970-01-01 as days since 0001-01-01 (chrono's common-era day number, which counts that day as 1).
const EPOCH_CE: i32 = 719_163;

/// Days since 1970-01-01 of a cell starting `YYYY-MM-DD` (anything after the tenth character, such as a time, is
/// ignored); `None` if it does not start with a valid date between 1900 and 2200.
pub fn parse_date(s: &str) -> Option<i64> {
    let t = s.trim();
    let head = t.get(..10)?;
    let b = head.as_bytes();
    if b[4] != b'-'
        || b[7] != b'-'
        || !head
            .bytes()
            .filter(|&c| c != b'-')
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let date = NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()?;
    YEARS
        .contains(&chrono::Datelike::year(&date))
        .then(|| i64::from(chrono::Datelike::num_days_from_ce(&date) - EPOCH_CE))
}

/// The `YYYY-MM-DD` text of a day number (inverse of [`parse_date`]); empty for a day chrono cannot represent.
pub fn format_date(days: i64) -> String {
    days.checked_add(i64::from(EPOCH_CE))
        .and_then(|ce| i32::try_from(ce).ok())
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_impossible_days() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        // 30 years of 365 days, 7 leap days (1972 … 1996) and January + February 2000 (31 + 29): 11,017.
        assert_eq!(parse_date("2000-03-01"), Some(30 * 365 + 7 + 31 + 29));
        assert_eq!(format_date(11_017), "2000-03-01");
        assert_eq!(parse_date("2015-02-29"), None);
        assert_eq!(
            parse_date("2016-02-29").map(format_date).as_deref(),
            Some("2016-02-29")
        );
        assert_eq!(parse_date(" 2015-04-15 10:30 "), parse_date("2015-04-15"));
        for bad in [
            "15/04/2015",
            "2015-4-15",
            "2015-04-1",
            "1899-12-31",
            "2201-01-01",
            "2015-13-01",
            "+015-04-15",
            "2015-04-1x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(format_date(i64::MAX), "");
    }
}
