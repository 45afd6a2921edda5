//! RFC 5322 §3.3 dates (with the obsolete forms of §4.3) read as an instant:
//! `[day-name ","] day month year hour ":" minute [":" second] zone`, the
//! zone applied, so two sent dates compare in UTC (RFC 5256 §2.2). Anything
//! unreadable is `None`, and the caller falls back to INTERNALDATE.

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Unix seconds of a Date header value; `None` when it is not a date.
pub fn parse_rfc5322_date(value: &str) -> Option<i64> {
    let value = value.split_once(',').map_or(value, |(_, rest)| rest);
    let mut tokens = value
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|token| !token.is_empty());
    let day: u32 = tokens.next()?.parse().ok()?;
    let month_name = tokens.next()?.to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|name| month_name.starts_with(name))?
        + 1;
    let year = match tokens.next()? {
        year if year.len() == 2 => {
            let short: i64 = year.parse().ok()?;
            if short < 50 {
                2000 + short
            } else {
                1900 + short
            }
        }
        year if year.len() == 3 => 1900 + year.parse::<i64>().ok()?,
        year => year.parse().ok()?,
    };
    let mut time = tokens.next()?.split(':');
    let hour: i64 = time.next()?.parse().ok()?;
    let minute: i64 = time.next()?.parse().ok()?;
    let second: i64 = time.next().map_or(Some(0), |second| second.parse().ok())?;
    if day == 0 || day > 31 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_minutes = tokens.next().map_or(Some(0), zone_minutes)?;
    let days = days_from_civil(year, month as i64, i64::from(day));
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60)
}

/// `("+" / "-") 4DIGIT`, or an obsolete zone name (military zones count as
/// +0000, RFC 5322 §4.3).
fn zone_minutes(zone: &str) -> Option<i64> {
    if let Some(sign) = zone.strip_prefix(['+', '-']).map(|_| &zone[..1]) {
        let digits = &zone[1..];
        if digits.len() != 4 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let minutes = digits[..2].parse::<i64>().ok()? * 60 + digits[2..].parse::<i64>().ok()?;
        return Some(if sign == "-" { -minutes } else { minutes });
    }
    let hours = match zone.to_ascii_uppercase().as_str() {
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => 0,
    };
    Some(hours * 60)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_utc_instants() {
        // RFC 5322 §A.1.1.
        assert_eq!(
            parse_rfc5322_date("Fri, 21 Nov 1997 09:55:06 -0600"),
            Some(880_127_706)
        );
        assert_eq!(
            parse_rfc5322_date("Fri, 22 Feb 2008 00:00:00 +0200"),
            Some(1_203_631_200)
        );
        assert_eq!(parse_rfc5322_date("1 Jan 1970 00:00 GMT"), Some(0));
        assert_eq!(parse_rfc5322_date("1 Jan 70 00:00:00 EST"), Some(5 * 3600));
        assert_eq!(
            parse_rfc5322_date("29 Feb 2000 12:00:00 +0000"),
            Some(951_825_600)
        );
    }

    #[test]
    fn garbage_is_not_a_date() {
        for value in [
            "",
            "yesterday",
            "Fri, 32 Feb 2008 00:00 +0000",
            "1 Foo 2008 00:00 +0000",
            "1 Jan 2008 00:00 +02",
        ] {
            assert_eq!(parse_rfc5322_date(value), None, "{value:?}");
        }
    }
}
