//! Open Referral UK, the UK profile of the Human Services Data
//! Specification (HSDS): the standard shape for service directories.
//!
//! `export` writes the edition's services as `services.json`, so a local
//! authority directory can take them in; `import` turns such a file (from a
//! council's directory, say) into our `services.yaml`. The field mapping is
//! documented in docs/services.md.

mod export;
mod import;
mod yaml_text;

pub use export::to_json;
pub use import::{ImportReport, from_json, import_file};

/// The taxonomies our own terms are exported under.
pub const TAXONOMY_CATEGORY: &str = "handbook-category";
pub const TAXONOMY_AUDIENCE: &str = "handbook-audience";
pub const TAXONOMY_REFERRAL: &str = "handbook-referral";
pub const TAXONOMY_FLAG: &str = "handbook-flag";

/// A lowercase id of `[a-z0-9-]` made from any text (`NSPCC` → `nspcc`).
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("NSPCC"), "nspcc");
        assert_eq!(slug("  Westmere CYPMHS (NHS) "), "westmere-cypmhs-nhs");
        assert_eq!(slug("Mind & Body!"), "mind-body");
        assert_eq!(slug("---"), "");
    }
}
