//! Writes a large generated handbook for the search benchmark and the
//! sharding test: `pages` pages in sections of 50, each with a summary and
//! four sections of text drawn from the example handbook's words (common
//! words more often) plus a few words of its own, so the vocabulary grows
//! with the handbook as a real one's does.

use std::fmt::Write as _;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Skewed towards 0, like word frequencies.
    fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((u * u * u) * n as f64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "ri", "so", "tu", "va",
    "we", "xi", "yo", "zu", "bar", "cen", "dor", "fil", "gam", "hor", "lin", "mor", "nel", "pol",
];

fn vocabulary(example: &Path) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in walkdir::WalkDir::new(example)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for w in text.split(|c: char| !c.is_ascii_alphabetic()) {
                let w = w.to_ascii_lowercase();
                if w.len() > 2 && seen.insert(w.clone()) {
                    words.push(w);
                }
            }
        }
    }
    words
}

fn made_up(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    (0..n)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

fn sentence(rng: &mut Rng, vocab: &[String], own: &[String], words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = if rng.below(12) == 0 {
            own[rng.below(own.len())].as_str()
        } else {
            vocab[rng.skewed(vocab.len())].as_str()
        };
        if i > 0 {
            s.push(' ');
        }
        s.push_str(w);
    }
    s.push('.');
    s
}

/// Writes the handbook into `dir` (which should be empty).
pub fn write(dir: &Path, pages: usize, example: &Path) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ pages as u64);
    let vocab = vocabulary(example);
    std::fs::create_dir_all(dir).expect("create handbook folder");
    std::fs::write(
        dir.join("handbook.yaml"),
        "title: Generated handbook\nurgent_help:\n  services: [emergency-999]\nsearch:\n  crisis_terms: [suicide, kill myself, self-harm]\n",
    )
    .expect("write handbook.yaml");
    std::fs::write(
        dir.join("services.yaml"),
        "services:\n  - id: emergency-999\n    name: Emergency services (999)\n    description: Call 999 if a life is at risk.\n    urgent: true\n    contact:\n      phone: \"999\"\n    last_verified: 2026-10-01\n",
    )
    .expect("write services.yaml");
    std::fs::write(
        dir.join("index.md"),
        "---\ntitle: Generated handbook\n---\nA generated handbook.\n",
    )
    .expect("write index");
    for p in 0..pages {
        let section = dir.join(format!("section-{:03}", p / 50));
        if p % 50 == 0 {
            std::fs::create_dir_all(&section).expect("create section");
            std::fs::write(
                section.join("_index.md"),
                format!("---\ntitle: Section {}\n---\n", p / 50),
            )
            .expect("write section");
        }
        let own: Vec<String> = (0..3).map(|_| made_up(&mut rng)).collect();
        let title = sentence(&mut rng, &vocab, &own, 4);
        let mut text = format!(
            "---\ntitle: \"{} {}\"\nsummary: \"{}\"\n---\n{}\n",
            title.trim_end_matches('.'),
            p,
            sentence(&mut rng, &vocab, &own, 12),
            sentence(&mut rng, &vocab, &own, 30)
        );
        for h in 0..4 {
            let heading = sentence(&mut rng, &vocab, &own, 3);
            let _ = write!(text, "\n## {} {h}\n\n", heading.trim_end_matches('.'));
            for _ in 0..3 {
                text.push_str(&sentence(&mut rng, &vocab, &own, 25));
                text.push(' ');
            }
            text.push('\n');
        }
        std::fs::write(section.join(format!("page-{p:05}.md")), text).expect("write page");
    }
}
