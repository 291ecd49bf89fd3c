//! The index written as JSON text directly, without building a tree of
//! values first: the same bytes `json_for_script(serde_json::to_string(…))`
//! gives, safe inside a `<script>` element and in a script file.

use super::tokenise::{HIGH, ONES, first_stop};

/// JSON text being written.
#[derive(Default)]
pub struct Json {
    pub out: String,
    /// Bytes the `<script>` escapes added (`<` → `\u003c` adds five): the
    /// length of the plain JSON is `out.len() - escaped`.
    pub escaped: usize,
}

/// What a byte needs: 0 nothing, 1 a JSON escape, 2 a script escape.
const fn class() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 1;
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t[b'<' as usize] = 2;
    t[b'>' as usize] = 2;
    t[b'&' as usize] = 2;
    // The first byte of U+2028 and U+2029.
    t[0xE2] = 2;
    t
}

const CLASS: [u8; 256] = class();

/// The index of the first byte of `bytes` from `i` on that may need an
/// escape, or `bytes.len()`. Eight bytes at a time, it stops at every byte
/// `CLASS` marks and at any other non-ASCII byte, which the caller passes.
fn next_candidate(bytes: &[u8], i: usize) -> usize {
    first_stop(bytes, i, candidates, |b| CLASS[b as usize] != 0)
}

/// The high bit of each byte of `x` (as read from memory, lowest first)
/// that is below a space, a quote, a backslash, `<`, `>`, `&` or not ASCII.
/// A borrow can set bits above a byte that matches, never below the first
/// one, so the lowest bit set is exact.
fn candidates(x: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let equal = |c: u8| zero(x ^ (ONES * u64::from(c)));
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    below_space | equal(b'"') | equal(b'\\') | equal(b'<') | equal(b'>') | equal(b'&') | (x & HIGH)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut n = 0;
    while n < 100 {
        t[n * 2] = b'0' + (n / 10) as u8;
        t[n * 2 + 1] = b'0' + (n % 10) as u8;
        n += 1;
    }
    t
};

impl Json {
    /// The length the text would have without the `<script>` escapes.
    pub fn plain_len(&self) -> usize {
        self.out.len() - self.escaped
    }

    pub fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    pub fn num(&mut self, n: u64) {
        // Most numbers are ids and counts of one or two digits.
        if n < 10 {
            self.out.push((b'0' + n as u8) as char);
            return;
        }
        if n < 100 {
            let pair = n as usize * 2;
            self.out.push(PAIRS[pair] as char);
            self.out.push(PAIRS[pair + 1] as char);
            return;
        }
        // Two digits at a time, from a table of "00" to "99".
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = n;
        while n >= 100 {
            let pair = (n % 100) as usize * 2;
            n /= 100;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            let pair = n as usize * 2;
            i -= 2;
            buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        } else {
            i -= 1;
            buf[i] = b'0' + n as u8;
        }
        // ASCII digits: pushed as chars, with no UTF-8 check.
        self.out.reserve(buf.len() - i);
        for &digit in &buf[i..] {
            self.out.push(digit as char);
        }
    }

    /// A string, quoted and escaped.
    pub fn str(&mut self, text: &str) {
        self.out.reserve(text.len() + 2);
        self.out.push('"');
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        // Skips to each byte that may need an escape.
        loop {
            i = next_candidate(bytes, i);
            let Some(&b) = bytes.get(i) else {
                break;
            };
            let escape: Option<&str> = match CLASS[b as usize] {
                0 => None,
                1 => Some(match b {
                    b'"' => "\\\"",
                    b'\\' => "\\\\",
                    b'\n' => "\\n",
                    b'\r' => "\\r",
                    b'\t' => "\\t",
                    0x08 => "\\b",
                    0x0C => "\\f",
                    _ => "",
                }),
                _ => match b {
                    b'<' => Some("\\u003c"),
                    b'>' => Some("\\u003e"),
                    b'&' => Some("\\u0026"),
                    _ => match bytes.get(i + 1..i + 3) {
                        Some([0x80, 0xA8]) => Some("\\u2028"),
                        Some([0x80, 0xA9]) => Some("\\u2029"),
                        _ => None,
                    },
                },
            };
            let Some(escape) = escape else {
                i += 1;
                continue;
            };
            self.out.push_str(&text[start..i]);
            let width = if b == 0xE2 { 3 } else { 1 };
            if escape.is_empty() {
                self.out.push_str("\\u00");
                self.out.push(HEX[(b >> 4) as usize] as char);
                self.out.push(HEX[(b & 15) as usize] as char);
            } else {
                self.out.push_str(escape);
                if CLASS[b as usize] == 2 {
                    self.escaped += escape.len() - width;
                }
            }
            i += width;
            start = i;
        }
        self.out.push_str(&text[start..]);
        self.out.push('"');
    }

    /// Any serialisable value, through serde_json (for the small parts).
    pub fn value(&mut self, value: &impl serde::Serialize) {
        let json = serde_json::to_string(value).expect("plain data");
        let escaped = crate::render::script_safe(&json);
        self.escaped += escaped.len() - json.len();
        self.out.push_str(&escaped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Json::str` writes `text` as `json_for_script` does, and counts the
    /// script escapes it added.
    fn writes_as_json_for_script(text: &str) {
        let mut json = Json::default();
        json.str(text);
        assert_eq!(json.out, crate::render::json_for_script(&text), "{text:?}");
        assert_eq!(
            json.plain_len(),
            serde_json::to_string(text).unwrap().len(),
            "{text:?}"
        );
    }

    #[test]
    fn strings_as_json_for_script_writes_them() {
        let alphabet: Vec<char> =
            "a\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}<>&é\u{2028}\u{2029}\u{2027}\u{2030}€ 😀/"
                .chars()
                .collect();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Long enough to cross several eight-byte chunks.
            let len = (seed % 40) as usize;
            let text: String = (0..len)
                .map(|k| alphabet[((seed >> (k % 8 * 8)) as usize + k * 7) % alphabet.len()])
                .collect();
            writes_as_json_for_script(&text);
        }
    }

    /// Each character that needs an escape (and others beside it), at every
    /// place in plain text of up to three eight-byte chunks.
    #[test]
    fn an_escape_is_found_wherever_it_falls_in_plain_text() {
        let specials = [
            "\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "\u{7f}", "<", ">", "&", "é", "\u{2028}",
            "\u{2029}", "\u{2027}", "…", "😀",
        ];
        for len in 0..24 {
            for at in 0..=len {
                for special in specials {
                    for second in [None, Some("<"), Some("é")] {
                        let mut text = "a".repeat(at);
                        text.push_str(special);
                        text.push_str(&"b".repeat(len - at));
                        if let Some(second) = second {
                            text.push_str(second);
                            text.push('c');
                        }
                        writes_as_json_for_script(&text);
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_as_to_string_writes_them() {
        let mut json = Json::default();
        let mut expected = String::new();
        let mut n = 0u64;
        while n < u64::MAX / 3 {
            for m in [n, n + 1, n.saturating_sub(1)] {
                json.num(m);
                expected.push_str(&m.to_string());
                expected.push(',');
                json.raw(",");
            }
            n = if n < 20_000 { n + 1 } else { n * 3 + 7 };
        }
        assert_eq!(json.out, expected);
    }

    #[test]
    fn numbers_and_values() {
        let mut json = Json::default();
        for n in [0, 7, 10, 99, 1500, u32::MAX as u64, u64::MAX] {
            json.num(n);
            json.raw(",");
        }
        assert_eq!(
            json.out,
            format!("0,7,10,99,1500,{},{},", u32::MAX, u64::MAX)
        );
        let mut json = Json::default();
        json.value(&serde_json::json!({"b": "</script>", "a": [1, 2]}));
        assert_eq!(json.out, r#"{"a":[1,2],"b":"\u003c/script\u003e"}"#);
        assert_eq!(json.plain_len(), r#"{"a":[1,2],"b":"</script>"}"#.len());
    }
}
