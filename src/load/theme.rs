//! The theme: the built-in default, embedded in the binary so the tool runs
//! anywhere, with any file of a handbook's own theme folder laid over it.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

macro_rules! embed {
    ($kind:literal, $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/default/", $kind, "/", $name)))),*]
    };
}

/// The default theme's templates, by name.
pub const DEFAULT_TEMPLATES: &[(&str, &[u8])] = embed!(
    "templates",
    "base.html",
    "home.html",
    "section.html",
    "page.html",
    "404.html",
    "print.html",
    "audit.html",
    "search.html",
    "services.html",
    "service.html",
    "partials/urgent_help.html",
    "partials/service_card.html",
    "partials/service_facts.html",
    "partials/page_list.html",
    "partials/pathway_urgent.html",
    "partials/pathway_steps.html",
);

/// The default theme's static files, by path under `static/`.
pub const DEFAULT_STATIC: &[(&str, &[u8])] = embed!(
    "static",
    "handbook.css",
    "services.css",
    "services.js",
    "audit.css",
    "pathway.css",
    "search.css",
    "search.js",
);

/// A theme ready to use: templates by name and static files by path.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub templates: Vec<(String, String)>,
    pub static_files: Vec<(String, Vec<u8>)>,
    /// The folder laid over the default, when there is one (watched by serve).
    pub dir: Option<PathBuf>,
}

impl Theme {
    /// Whether the template `name` is the built-in theme's own.
    pub fn is_default(&self, name: &str) -> bool {
        let mine = self.templates.iter().find(|(n, _)| n == name);
        let default = DEFAULT_TEMPLATES.iter().find(|(n, _)| *n == name);
        matches!((mine, default), (Some((_, m)), Some((_, d))) if m.as_bytes() == *d)
    }
}

/// Finds the theme named in handbook.yaml: `themes/<name>` inside the
/// handbook folder, or beside it; the name `default` with no such folder is
/// the built-in theme alone.
pub fn load_theme(root: &Path, name: &str, config_path: &Path) -> Result<Theme, Diagnostic> {
    let mut theme = Theme {
        templates: DEFAULT_TEMPLATES
            .iter()
            .map(|(n, b)| (n.to_string(), String::from_utf8_lossy(b).into_owned()))
            .collect(),
        static_files: DEFAULT_STATIC
            .iter()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect(),
        dir: None,
    };
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_name {
        return Err(Diagnostic::error(
            config_path,
            0,
            0,
            format!("theme name `{name}` is not a folder name"),
        )
        .with_hint("use letters, digits, `-` and `_` only"));
    }
    let candidates = [
        root.join("themes").join(name),
        root.join("..").join("themes").join(name),
    ];
    let Some(dir) = candidates.into_iter().find(|d| d.is_dir()) else {
        if name == "default" {
            return Ok(theme);
        }
        return Err(Diagnostic::error(config_path, 0, 0, format!("theme `{name}` not found"))
            .with_hint(format!("make a folder themes/{name}/ inside or beside the handbook, or use `theme: default`")));
    };
    overlay(
        &mut theme.templates,
        &dir.join("templates"),
        |bytes, path| {
            String::from_utf8(bytes)
                .map_err(|_| Diagnostic::error(path, 0, 0, "template is not UTF-8 text"))
        },
    )?;
    overlay(&mut theme.static_files, &dir.join("static"), |bytes, _| {
        Ok(bytes)
    })?;
    theme.dir = Some(dir);
    Ok(theme)
}

fn overlay<T>(
    files: &mut Vec<(String, T)>,
    dir: &Path,
    convert: impl Fn(Vec<u8>, &Path) -> Result<T, Diagnostic>,
) -> Result<(), Diagnostic> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry
            .map_err(|e| Diagnostic::error(dir, 0, 0, format!("cannot read theme folder: {e}")))?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let rel = rel.join("/");
        let bytes = std::fs::read(entry.path())
            .map_err(|e| Diagnostic::error(entry.path(), 0, 0, format!("cannot read file: {e}")))?;
        let value = convert(bytes, entry.path())?;
        match files.iter_mut().find(|(n, _)| *n == rel) {
            Some(slot) => slot.1 = value,
            None => files.push((rel, value)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_a_theme_replaces_is_no_longer_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("handbook.yaml");
        let built_in = load_theme(dir.path(), "default", &config).unwrap();
        for (name, _) in DEFAULT_TEMPLATES {
            assert!(built_in.is_default(name), "{name}");
        }
        assert!(!built_in.is_default("partials/no_such.html"));
        let templates = dir.path().join("themes/mine/templates/partials");
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(templates.join("service_card.html"), "{{ service.name }}").unwrap();
        let mine = load_theme(dir.path(), "mine", &config).unwrap();
        assert!(!mine.is_default("partials/service_card.html"));
        assert!(mine.is_default("partials/service_facts.html"));
        assert!(mine.is_default("page.html"));
    }
}
