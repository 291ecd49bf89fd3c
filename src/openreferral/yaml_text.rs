//! YAML written by hand for `import-services`: each value as a plain
//! scalar when it cannot be misread, a literal block for multi-line text,
//! and otherwise double-quoted (JSON string syntax is valid YAML).

/// A YAML scalar for a block mapping value: plain when it cannot be
/// misread, otherwise double-quoted (JSON string syntax is valid YAML).
pub fn scalar(value: &str) -> String {
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
    ];
    let plain = value.chars().next().is_some_and(char::is_alphabetic)
        && value.trim_end() == value
        && !reserved.contains(&value.to_lowercase().as_str())
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || " .,'()/&!?£+-:#@_%;=".contains(c));
    if plain {
        value.to_string()
    } else {
        quoted(value)
    }
}

/// A literal block (`|`) for multi-line text, when YAML will give back
/// exactly the same string; otherwise `None`.
pub fn literal_block(value: &str, indent: &str) -> Option<String> {
    if !value.contains('\n') || value.ends_with("\n\n") {
        return None;
    }
    let (body, chomp) = match value.strip_suffix('\n') {
        Some(body) => (body, ""),
        None => (value, "-"),
    };
    let awkward = body.starts_with([' ', '\t'])
        || body.chars().any(|c| c.is_control() && c != '\n')
        || body
            .split('\n')
            .any(|l| !l.is_empty() && l.trim().is_empty());
    if awkward {
        return None;
    }
    let mut out = format!("|{chomp}");
    for l in body.split('\n') {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(indent);
            out.push_str(l);
        }
    }
    Some(out)
}

pub fn quoted(value: &str) -> String {
    // YAML 1.1 readers take these as line breaks or a byte-order mark, so
    // they are escaped even though JSON would leave them as they are.
    serde_json::to_string(value)
        .expect("a string serialises")
        .replace('\u{85}', "\\u0085")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
        .replace('\u{feff}', "\\ufeff")
}

/// An item of a flow list (`[a, b]`).
pub fn flow_item(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
            .contains(&value.to_lowercase().as_str())
    {
        value.to_string()
    } else {
        quoted(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_when_they_could_be_misread() {
        assert_eq!(scalar("Childline"), "Childline");
        assert_eq!(scalar("24 hours, every day"), "\"24 hours, every day\"");
        assert_eq!(
            scalar("https://www.childline.org.uk/"),
            "https://www.childline.org.uk/"
        );
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("Note: this"), "\"Note: this\"");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar("- item"), "\"- item\"");
        assert_eq!(flow_item("en"), "en");
        assert_eq!(quoted("a\u{2028}b"), "\"a\\u2028b\"");
        assert_eq!(
            literal_block("a\nb\n", "  ").as_deref(),
            Some("|\n  a\n  b")
        );
        assert_eq!(
            literal_block("a\n\nb", "  ").as_deref(),
            Some("|-\n  a\n\n  b")
        );
        assert_eq!(literal_block(" a\nb", "  "), None);
        assert_eq!(literal_block("a\nb\n\n", "  "), None);
        assert_eq!(literal_block("one line", "  "), None);
        assert_eq!(flow_item("en, fr"), "\"en, fr\"");
    }
}
