//! The rules a service's values must follow: known categories, audiences and
//! referral routes, UK phone numbers and text short codes, web and email
//! addresses. Each check returns the problem as a message and a hint, so the
//! caller can place it at the value's line and column.

/// The categories of SPEC section 4, in the order the directory lists them,
/// with the heading each group gets.
pub const CATEGORIES: [(&str, &str); 8] = [
    ("emergency", "Emergency services"),
    ("nhs", "NHS services"),
    ("helpline", "Helplines"),
    ("text", "Text services"),
    ("online", "Online support"),
    ("school", "In school"),
    ("local", "Local groups"),
    ("charity", "Charities"),
];

/// How a service takes people on, and how readers are told it.
pub const REFERRALS: [(&str, &str); 5] = [
    ("self", "You can contact them yourself"),
    ("parent", "A parent or carer can refer"),
    ("school", "The school makes the referral"),
    ("gp", "A GP makes the referral"),
    ("professional", "Professionals refer"),
];

pub fn category_label(key: &str) -> Option<&'static str> {
    CATEGORIES.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

pub fn referral_label(key: &str) -> Option<&'static str> {
    REFERRALS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// A problem with one value: what is wrong and how to put it right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub hint: String,
}

fn problem(message: String, hint: impl Into<String>) -> Problem {
    Problem {
        message,
        hint: hint.into(),
    }
}

/// Checks `value` against a list of keys, suggesting the nearest on a typo.
pub fn one_of(field: &str, value: &str, keys: &[&str]) -> Result<(), Problem> {
    if keys.contains(&value) {
        return Ok(());
    }
    Err(problem(
        format!("unknown {field} `{value}`"),
        crate::diagnostic::hint_for_value(value, keys),
    ))
}

/// Short numbers that are real UK phone numbers on their own.
const SHORT_NUMBERS: [&str; 4] = ["999", "112", "111", "101"];

const PHONE_HINT: &str = "write a UK number with digits and spaces, e.g. \"0800 1111\" or \"+44 1632 960000\"; 999, 111 and 116 numbers such as \"116 123\" are fine too";

/// The digits of a number written with digits, spaces and an optional
/// leading `+44`, as a national number starting with 0; `None` when other
/// characters are present.
fn national_digits(value: &str) -> Option<String> {
    let trimmed = value.trim();
    let (international, rest) = match trimmed.strip_prefix("+44") {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    if !rest.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return None;
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    Some(if international {
        format!("0{digits}")
    } else {
        digits
    })
}

/// A UK phone number: 999, 112, 111, 101, a 116 number (116 123), or a
/// national number of 10 or 11 digits starting with 0 (freephone 08
/// numbers may be as short as 8 digits, like 0800 1111).
pub fn phone(value: &str) -> Result<(), Problem> {
    let Some(digits) = national_digits(value) else {
        return Err(problem(
            format!(
                "phone number `{value}` may hold only digits and spaces, with an optional leading +44"
            ),
            PHONE_HINT,
        ));
    };
    let trimmed = value.trim();
    let short = SHORT_NUMBERS.contains(&digits.as_str())
        || (digits.len() == 6 && digits.starts_with("116"));
    if short && !trimmed.starts_with("+44") {
        return Ok(());
    }
    if !digits.starts_with('0') || digits.starts_with("00") {
        return Err(problem(
            format!("phone number `{value}` is not a UK number: it should start with 0 or +44"),
            PHONE_HINT,
        ));
    }
    let ok_length = (10..=11).contains(&digits.len())
        || (digits.starts_with("08") && (8..=11).contains(&digits.len()));
    if !ok_length {
        return Err(problem(
            format!(
                "phone number `{value}` has {} digits; UK numbers have 10 or 11, starting with 0",
                digits.len()
            ),
            PHONE_HINT,
        ));
    }
    Ok(())
}

/// A number to text: a 5-digit short code (like 85258) or a UK mobile
/// number (07…, or +44 7…).
pub fn text_number(value: &str) -> Result<(), Problem> {
    const HINT: &str =
        "write a 5-digit short code such as \"85258\", or a mobile number such as \"07700 900000\"";
    let Some(digits) = national_digits(value) else {
        return Err(problem(
            format!(
                "text number `{value}` may hold only digits and spaces, with an optional leading +44"
            ),
            HINT,
        ));
    };
    let short_code = !value.trim().starts_with("+44") && digits.len() == 5;
    let mobile = digits.len() == 11 && digits.starts_with("07");
    if short_code || mobile {
        Ok(())
    } else {
        Err(problem(
            format!("text number `{value}` is neither a 5-digit short code nor a UK mobile number"),
            HINT,
        ))
    }
}

/// A web address readers can open safely: `https://` and a host name.
pub fn https_url(field: &str, value: &str) -> Result<(), Problem> {
    let hint = "write the full address, e.g. https://www.example.org/";
    let Some(rest) = value.strip_prefix("https://") else {
        return Err(problem(
            format!("{field} `{value}` must start with https://"),
            hint,
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let clean = !value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'));
    if host_ok && clean {
        Ok(())
    } else {
        Err(problem(
            format!("{field} `{value}` is not a valid web address"),
            hint,
        ))
    }
}

/// An email address: `name@domain.tld`, no spaces, no `mailto:`.
/// A domain name of two or more labels of letters, digits and inner `-`.
pub fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

pub fn email(value: &str) -> Result<(), Problem> {
    let hint = if value.starts_with("mailto:") {
        "write the address alone, without `mailto:`"
    } else {
        "write an address such as help@example.org"
    };
    let bad = || problem(format!("email `{value}` is not an email address"), hint);
    let (local, domain) = value.split_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let domain_ok = valid_domain(domain);
    if local_ok && domain_ok && !value.starts_with("mailto:") {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        for ok in [
            "999",
            "111",
            "116 123",
            "0800 1111",
            "0800 068 4141",
            "01632 960100",
            "+44 1632 960100",
            "020 7946 0000",
        ] {
            assert_eq!(phone(ok), Ok(()), "{ok}");
        }
        for bad in [
            "0800-1111",
            "(01632) 960100",
            "1234",
            "01632 9601",
            "01632 960100 1",
            "+1 555 0100",
            "+44 999",
            "phone us",
            "",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
        assert_eq!(
            phone("01632 9601").unwrap_err().message,
            "phone number `01632 9601` has 9 digits; UK numbers have 10 or 11, starting with 0"
        );
    }

    #[test]
    fn text_numbers() {
        assert_eq!(text_number("85258"), Ok(()));
        assert_eq!(text_number("07700 900000"), Ok(()));
        assert_eq!(text_number("+44 7700 900000"), Ok(()));
        assert!(text_number("SHOUT 85258").is_err());
        assert!(text_number("8525").is_err());
        assert!(text_number("01632 960100").is_err());
    }

    #[test]
    fn web_addresses() {
        assert_eq!(
            https_url("website", "https://www.childline.org.uk/"),
            Ok(())
        );
        assert_eq!(https_url("website", "https://example.org"), Ok(()));
        assert!(https_url("website", "http://example.org/").is_err());
        assert!(https_url("website", "www.example.org").is_err());
        assert!(https_url("website", "https://").is_err());
        assert!(https_url("website", "https://exa mple.org/").is_err());
        assert!(https_url("website", "javascript:alert(1)").is_err());
    }

    #[test]
    fn email_addresses() {
        assert_eq!(email("jo@samaritans.org"), Ok(()));
        assert_eq!(email("spa@westmere-cypmhs.example.org"), Ok(()));
        for bad in [
            "jo",
            "jo@",
            "@x.org",
            "jo@samaritans",
            "jo @x.org",
            "mailto:jo@x.org",
            "jo@x..org",
            "a@b@c.org",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_keys_suggest_the_nearest() {
        let keys: Vec<&str> = CATEGORIES.iter().map(|(k, _)| *k).collect();
        let p = one_of("category", "helpine", &keys).unwrap_err();
        assert_eq!(p.message, "unknown category `helpine`");
        assert!(p.hint.starts_with("did you mean `helpline`?"));
    }
}
