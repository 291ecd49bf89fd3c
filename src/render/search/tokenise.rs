//! Words for the search index: case and accent folding, apostrophes and
//! hyphens, stop words and English stemming. The browser's script repeats
//! the same steps on the query, reading the folding table and the stop
//! words from the index itself so the two sides cannot drift apart.

use rust_stemmers::{Algorithm, Stemmer};

/// Accented letters and what they fold to (after lower-casing).
pub const FOLD: &[(char, &str)] = &[
    ('à', "a"),
    ('á', "a"),
    ('â', "a"),
    ('ã', "a"),
    ('ä', "a"),
    ('å', "a"),
    ('ā', "a"),
    ('ă', "a"),
    ('ą', "a"),
    ('æ', "ae"),
    ('ç', "c"),
    ('ć', "c"),
    ('č', "c"),
    ('ď', "d"),
    ('đ', "d"),
    ('è', "e"),
    ('é', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('ē', "e"),
    ('ė', "e"),
    ('ę', "e"),
    ('ě', "e"),
    ('ğ', "g"),
    ('ì', "i"),
    ('í', "i"),
    ('î', "i"),
    ('ï', "i"),
    ('ī', "i"),
    ('į', "i"),
    ('ı', "i"),
    ('ł', "l"),
    ('ñ', "n"),
    ('ń', "n"),
    ('ň', "n"),
    ('ò', "o"),
    ('ó', "o"),
    ('ô', "o"),
    ('õ', "o"),
    ('ö', "o"),
    ('ø', "o"),
    ('ō', "o"),
    ('ő', "o"),
    ('œ', "oe"),
    ('ř', "r"),
    ('ś', "s"),
    ('ş', "s"),
    ('š', "s"),
    ('ß', "ss"),
    ('ţ', "t"),
    ('ť', "t"),
    ('ù', "u"),
    ('ú', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('ū', "u"),
    ('ů', "u"),
    ('ű', "u"),
    ('ŵ', "w"),
    ('ẁ', "w"),
    ('ẃ', "w"),
    ('ẅ', "w"),
    ('ý', "y"),
    ('ÿ', "y"),
    ('ŷ', "y"),
    ('ỳ', "y"),
    ('ź', "z"),
    ('ż', "z"),
    ('ž', "z"),
    ('\u{2019}', "'"),
    ('\u{2018}', "'"),
    ('\u{2010}', "-"),
    ('\u{2011}', "-"),
];

/// Words too common to help find anything; skipped in the index and the query.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from",
    "has", "have", "how", "i", "if", "im", "in", "into", "is", "it", "its", "me", "my", "of", "on",
    "or", "our", "so", "that", "the", "their", "them", "there", "they", "this", "to", "was", "we",
    "what", "when", "where", "which", "who", "will", "with", "you", "your",
];

/// One word of text. `joined` marks the extra token made from a hyphenated
/// word's parts (`self-harm` gives `self`, `harm` and, joined, `selfharm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub word: String,
    pub joined: bool,
}

/// Lower-cases and folds accents.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`], onto the end of `out`.
fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
        return;
    }
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        fold_lowered(c, out);
    }
}

/// Folds the lower case of one non-ASCII character onto `out`.
fn fold_lowered(upper: char, out: &mut String) {
    for c in upper.to_lowercase() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        match FOLD.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.push(c),
        }
    }
}

/// For ASCII bytes: 0 not part of a word, 1 a letter or digit, 2 an
/// apostrophe or hyphen.
const ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        if (b as u8).is_ascii_alphanumeric() {
            t[b] = 1;
        }
        b += 1;
    }
    t[b'\'' as usize] = 2;
    t[b'-' as usize] = 2;
    t
};

pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
pub(super) const HIGH: u64 = 0x8080_8080_8080_8080;

/// The index of the first byte of `bytes` from `i` on at which `stops`,
/// or `bytes.len()`. Eight bytes at a time while they last: `marks` gives
/// a chunk (read little-endian) with the high bit set of each byte it stops
/// at, and must never mark a byte before the first such byte; the rest
/// are looked at one by one with `stops`.
pub(super) fn first_stop(
    bytes: &[u8],
    mut i: usize,
    marks: impl Fn(u64) -> u64,
    stops: impl Fn(u8) -> bool,
) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let marked = marks(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        if marked != 0 {
            return i + (marked.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !stops(bytes[i]) {
        i += 1;
    }
    i
}

/// For eight ASCII bytes (as little-endian), the high bit of each byte that
/// is a lower-case letter or a digit. Each byte's sums stay below 0x100, so
/// no carry reaches the next byte.
fn lower_alnum_bits(x: u64) -> u64 {
    let at_least = |c: u8| x.wrapping_add(ONES * (0x80 - u64::from(c)));
    let letter = at_least(b'a') & !at_least(b'z' + 1);
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    (letter | digit) & HIGH
}

/// The end of the run of letters and digits at `i` in lower-cased ASCII,
/// eight bytes at a time.
fn alnum_end(bytes: &[u8], i: usize) -> usize {
    first_stop(
        bytes,
        i,
        |x| !lower_alnum_bits(x) & HIGH,
        |b| ASCII_CLASS[b as usize] != 1,
    )
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '-'
}

/// The words of `text`, folded, in order.
pub fn tokenise(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    each_token(text, &mut Scratch::default(), |word, joined| {
        out.push(Token {
            word: word.to_string(),
            joined,
        })
    });
    out
}

/// Buffers [`each_token`] reuses from one text to the next.
#[derive(Default)]
pub struct Scratch {
    folded: String,
    unquoted: String,
    joined: String,
}

/// Calls `f(word, joined)` for each word of `text` in order, as [`tokenise`]
/// lists them, without making a string for each word.
pub fn each_token(text: &str, scratch: &mut Scratch, mut f: impl FnMut(&str, bool)) {
    let Scratch {
        folded,
        unquoted,
        joined,
    } = scratch;
    folded.clear();
    fold_into(text, folded);
    let mut start = None;
    if folded.is_ascii() {
        // Runs of letters and digits alone (most words) need none of the
        // apostrophe and hyphen rules.
        let bytes = folded.as_bytes();
        let class = |b: &u8| ASCII_CLASS[*b as usize];
        let mut i = 0;
        while let Some(k) = bytes[i..].iter().position(|b| class(b) != 0) {
            let s = i + k;
            let mut e = alnum_end(bytes, s);
            if e < bytes.len() && class(&bytes[e]) == 2 {
                e = bytes[e..]
                    .iter()
                    .position(|b| class(b) == 0)
                    .map_or(bytes.len(), |k| e + k);
                run(&folded[s..e], unquoted, joined, &mut f);
            } else {
                f(&folded[s..e], false);
            }
            i = e;
        }
    } else {
        for (i, c) in folded.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    run(&folded[s..i], unquoted, joined, &mut f);
                    start = None;
                }
                _ => {}
            }
        }
    }
    if let Some(s) = start {
        run(&folded[s..], unquoted, joined, &mut f);
    }
}

/// The words of one run of word characters: apostrophes dropped, and a
/// hyphenated word's parts followed by the parts joined.
fn run(run: &str, unquoted: &mut String, joined: &mut String, f: &mut impl FnMut(&str, bool)) {
    let run = run.trim_matches(|c| c == '\'' || c == '-');
    if run.is_empty() {
        return;
    }
    let mut run = run.strip_suffix("'s").unwrap_or(run);
    if run.contains('\'') {
        unquoted.clear();
        unquoted.extend(run.chars().filter(|&c| c != '\''));
        run = unquoted;
    }
    let mut parts = 0;
    for part in run.split('-').filter(|p| !p.is_empty()) {
        f(part, false);
        parts += 1;
    }
    if parts > 1 {
        joined.clear();
        run.split('-').for_each(|p| joined.push_str(p));
        f(joined, true);
    }
}

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// The English stemmer (Snowball's Porter2).
pub struct Stems(Stemmer);

impl Default for Stems {
    fn default() -> Self {
        Stems(Stemmer::create(Algorithm::English))
    }
}

impl Stems {
    pub fn stem(&self, word: &str) -> String {
        // Long runs (hashes, hostile input) are kept as they are.
        if word.len() > 40 {
            return word.to_string();
        }
        self.0.stem(word).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokenise(text).into_iter().map(|t| t.word).collect()
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Café NAÏVE Ŵyn"), "cafe naive wyn");
        assert_eq!(words("Élève, STRAẞE!"), ["eleve", "strasse"]);
    }

    #[test]
    fn hyphens_give_parts_and_the_joined_word() {
        assert_eq!(words("self-harm"), ["self", "harm", "selfharm"]);
        let t = tokenise("self\u{2011}harm");
        assert!(t[2].joined && !t[0].joined);
        assert_eq!(words("self harm"), ["self", "harm"]);
        assert_eq!(
            words("selfharm -- well-being-"),
            ["selfharm", "well", "being", "wellbeing"]
        );
    }

    #[test]
    fn apostrophes_are_dropped() {
        assert_eq!(words("child's don't"), ["child", "dont"]);
        assert_eq!(words("children\u{2019}s 'quoted'"), ["children", "quoted"]);
        assert_eq!(words("I'm"), ["im"]);
    }

    #[test]
    fn numbers_and_punctuation() {
        assert_eq!(
            words("Call 0800 1111 (24/7)."),
            ["call", "0800", "1111", "24", "7"]
        );
        assert!(tokenise("  ... !!! ").is_empty());
    }

    #[test]
    fn stems_meet() {
        let s = Stems::default();
        assert_eq!(s.stem("harming"), s.stem("harm"));
        assert_eq!(s.stem("worries"), s.stem("worry"));
        assert_eq!(s.stem("referrals"), s.stem("referral"));
        assert_eq!(s.stem("anxiety"), "anxieti");
        let long = "x".repeat(100);
        assert_eq!(s.stem(&long), long);
    }

    #[test]
    fn stop_words() {
        assert!(is_stop_word("the") && is_stop_word("my"));
        assert!(!is_stop_word("help") && !is_stop_word("not"));
    }

    #[test]
    fn alnum_end_agrees_with_the_class_table() {
        let alphabet = b"az09 -'.,/:@[`{\x7f\n\x00";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut r = seed;
            let bytes: Vec<u8> = (0..seed % 40)
                .map(|_| {
                    r = r
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Mostly letters, so runs cross eight-byte chunks.
                    if r >> 62 != 0 {
                        b'a' + (r >> 40) as u8 % 26
                    } else {
                        alphabet[(r >> 33) as usize % alphabet.len()]
                    }
                })
                .collect();
            for start in 0..=bytes.len() {
                let expected = bytes[start..]
                    .iter()
                    .position(|&b| ASCII_CLASS[b as usize] != 1 || b.is_ascii_uppercase())
                    .map_or(bytes.len(), |k| start + k);
                assert_eq!(alnum_end(&bytes, start), expected, "{bytes:?} {start}");
            }
        }
        for b in 0..128u8 {
            let expected = ASCII_CLASS[b as usize] == 1 && !b.is_ascii_uppercase();
            let bits = lower_alnum_bits(u64::from_le_bytes([b, b'a', b, b' ', b'z', b, b'0', b]));
            assert_eq!(bits & 0x80 != 0, expected, "{b}");
            assert_eq!(bits, bits & HIGH);
        }
    }

    /// The straightforward tokeniser `each_token` replaced.
    fn reference(text: &str) -> Vec<Token> {
        let folded: String = text
            .chars()
            .flat_map(|c| {
                let mut s = String::new();
                if c.is_ascii() {
                    s.push(c.to_ascii_lowercase());
                } else {
                    fold_lowered(c, &mut s);
                }
                s.chars().collect::<Vec<_>>()
            })
            .collect();
        let mut out = Vec::new();
        for run in folded.split(|c: char| !is_word_char(c)) {
            let run = run.trim_matches(|c| c == '\'' || c == '-');
            if run.is_empty() {
                continue;
            }
            let run = run.strip_suffix("'s").unwrap_or(run).replace('\'', "");
            let parts: Vec<&str> = run.split('-').filter(|p| !p.is_empty()).collect();
            for part in &parts {
                out.push(Token {
                    word: (*part).to_string(),
                    joined: false,
                });
            }
            if parts.len() > 1 {
                out.push(Token {
                    word: parts.concat(),
                    joined: true,
                });
            }
        }
        out
    }

    #[test]
    fn each_token_agrees_with_the_straightforward_version() {
        let mixed: Vec<char> = "aZ0 -'’‐.,sÉéẞßİı\u{2028}\u{300}x-'s".chars().collect();
        // ASCII text takes a path of its own.
        let ascii: Vec<char> = "aZ0 -'.,sx-'s\n".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut scratch = Scratch::default();
        for k in 0..40_000 {
            let alphabet = if k % 2 == 0 { &mixed } else { &ascii };
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let mut text = String::new();
            let mut r = seed;
            for _ in 0..len {
                r = r
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push(alphabet[(r >> 33) as usize % alphabet.len()]);
            }
            let mut got = Vec::new();
            each_token(&text, &mut scratch, |w, j| {
                got.push(Token {
                    word: w.to_string(),
                    joined: j,
                })
            });
            assert_eq!(got, reference(&text), "{text:?}");
        }
    }
}
