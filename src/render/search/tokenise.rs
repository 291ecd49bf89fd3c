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
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        fold_lowered(c, &mut out);
    }
    out
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

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '-'
}

/// The words of `text`, folded, in order.
pub fn tokenise(text: &str) -> Vec<Token> {
    let folded = fold(text);
    let mut out = Vec::new();
    for run in folded.split(|c: char| !is_word_char(c)) {
        let run = run.trim_matches(|c| c == '\'' || c == '-');
        if run.is_empty() {
            continue;
        }
        let run = run.strip_suffix("'s").unwrap_or(run);
        let run: std::borrow::Cow<str> = if run.contains('\'') {
            run.replace('\'', "").into()
        } else {
            run.into()
        };
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
}
