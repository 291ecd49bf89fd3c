//! `handbook new`: a small starter handbook that builds as it is.

use std::fs;
use std::path::Path;

use crate::diagnostic::Diagnostic;

/// The starter's files, by path inside the new folder.
const STARTER: &[(&str, &str)] = &[
    ("handbook.yaml", include_str!("../starter/handbook.yaml")),
    ("index.md", include_str!("../starter/index.md")),
    (
        "parents/_index.md",
        include_str!("../starter/parents/_index.md"),
    ),
    (
        "parents/signs-to-look-out-for.md",
        include_str!("../starter/parents/signs-to-look-out-for.md"),
    ),
    (
        "pathways/_index.md",
        include_str!("../starter/pathways/_index.md"),
    ),
    (
        "pathways/worried-about-a-pupil.md",
        include_str!("../starter/pathways/worried-about-a-pupil.md"),
    ),
    (
        "policy/_index.md",
        include_str!("../starter/policy/_index.md"),
    ),
    (
        "policy/mental-health-policy.md",
        include_str!("../starter/policy/mental-health-policy.md"),
    ),
    (
        "roles/_index.md",
        include_str!("../starter/roles/_index.md"),
    ),
    (
        "roles/senior-mental-health-lead.md",
        include_str!("../starter/roles/senior-mental-health-lead.md"),
    ),
    ("services.yaml", include_str!("../starter/services.yaml")),
    (
        "signposting/_index.md",
        include_str!("../starter/signposting/_index.md"),
    ),
    (
        "signposting/national-services.md",
        include_str!("../starter/signposting/national-services.md"),
    ),
    (
        "staff/_index.md",
        include_str!("../starter/staff/_index.md"),
    ),
    (
        "staff/responding-to-a-disclosure.md",
        include_str!("../starter/staff/responding-to-a-disclosure.md"),
    ),
];

/// Writes the starter into `dir`, which must not exist or must be empty.
/// Returns how many files were written.
pub fn write_starter(dir: &Path) -> Result<usize, Diagnostic> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(Diagnostic::error(
                dir,
                0,
                0,
                "refusing to write a starter handbook into a folder that is not empty",
            )
            .with_hint("name a new folder, e.g. `handbook new my-handbook`"));
        }
    } else if dir.exists() {
        return Err(Diagnostic::error(dir, 0, 0, "exists and is not a folder"));
    }
    for (rel, text) in STARTER {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| {
                Diagnostic::error(parent, 0, 0, format!("cannot create folder: {e}"))
            })?;
        }
        fs::write(&path, text)
            .map_err(|e| Diagnostic::error(&path, 0, 0, format!("cannot write: {e}")))?;
    }
    Ok(STARTER.len())
}
