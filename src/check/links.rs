//! Links the build leaves as written: images and files that must exist in
//! the handbook, and `mailto:` / `tel:` addresses that must be dialable or
//! sendable. Links between pages, headings and services are the build's own
//! checks (model::links); web addresses are fetched only by `--external`.

use std::collections::HashSet;

use super::{Audit, Finding};
use crate::diagnostic::{self, Level};
use crate::model::{self, Handbook};
use crate::render::Rendered;
use crate::render::markdown::{Target, percent_decode};

pub fn audit(handbook: &Handbook, rendered: &[Rendered], findings: &mut Vec<Finding>) {
    // Every file the built site will hold: handbook files, pages, generated files.
    let files: HashSet<String> = handbook
        .assets
        .iter()
        .map(|a| a.rel.clone())
        .chain(handbook.pages.iter().map(|p| p.url.clone()))
        .chain(model::generated_outputs(handbook))
        .collect();
    for (page, result) in handbook.pages.iter().zip(rendered) {
        let Some(path) = &page.path else { continue };
        for link in &result.links {
            let Target::Other(dest) = &link.target else {
                continue;
            };
            let what = if link.is_image { "image" } else { "link to" };
            let problem: Option<(Level, String, String)> = match kind(dest) {
                Kind::Mailto(rest) => check_mailto(rest).err().map(|why| {
                    (
                        Level::Error,
                        format!("email link `{dest}` is not a valid address: {why}"),
                        "write it as mailto:name@example.org".to_string(),
                    )
                }),
                Kind::Tel(rest) => check_tel(rest).err().map(|why| {
                    (
                        Level::Error,
                        format!("phone link `{dest}` cannot be dialled: {why}"),
                        "write it as tel: followed by the number, e.g. tel:08001111 or tel:+441632960001"
                            .to_string(),
                    )
                }),
                Kind::RootAbsolute => Some((
                    Level::Warning,
                    format!("{what} `{dest}` starts with `/`, so it breaks when the site is not at the top of its web address"),
                    "use a path relative to this page, e.g. images/photo.jpg or ../files/form.pdf".to_string(),
                )),
                Kind::Relative(rel) => match resolve(page.dir(), &rel) {
                    None => Some((
                        Level::Error,
                        format!("{what} `{dest}` points outside the handbook folder"),
                        "put the file inside the handbook folder and link to it from there".to_string(),
                    )),
                    Some(target) if exists(&files, &target) => None,
                    Some(target) => Some(missing(handbook, what, dest, &target)),
                },
                Kind::Elsewhere => None,
            };
            if let Some((level, message, hint)) = problem {
                findings.push(Finding {
                    audit: Audit::Links,
                    diagnostic: super::at(path, link.pos, level, message).with_hint(hint),
                });
            }
        }
    }
}

enum Kind<'a> {
    Mailto(&'a str),
    Tel(&'a str),
    RootAbsolute,
    /// A path relative to the page, without query or fragment, decoded.
    Relative(String),
    /// A web address or another scheme: not ours to check here.
    Elsewhere,
}

fn kind(dest: &str) -> Kind<'_> {
    let lower = dest.to_ascii_lowercase();
    if lower.starts_with("mailto:") {
        return Kind::Mailto(&dest[7..]);
    }
    if lower.starts_with("tel:") {
        return Kind::Tel(&dest[4..]);
    }
    if dest.starts_with("//") {
        return Kind::Elsewhere;
    }
    if dest.starts_with('/') {
        return Kind::RootAbsolute;
    }
    let has_scheme = dest
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|first| first.contains(':'));
    if has_scheme {
        return Kind::Elsewhere;
    }
    let path = dest.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() {
        return Kind::Elsewhere;
    }
    Kind::Relative(percent_decode(path))
}

/// `rel` resolved against the folder `dir`; `None` when it climbs out.
fn resolve(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if rel.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Whether the built site will hold `target` (a path from the site root).
fn exists(files: &HashSet<String>, target: &str) -> bool {
    if target.is_empty() || target.ends_with('/') {
        return files.contains(&format!("{target}index.html"));
    }
    files.contains(target)
        // Generated service pages and the theme's own files.
        || target.starts_with("services/") && target.ends_with(".html")
        || target.starts_with("static/")
}

fn missing(handbook: &Handbook, what: &str, dest: &str, target: &str) -> (Level, String, String) {
    if handbook.root.join(target).is_file() {
        return (
            Level::Error,
            format!(
                "{what} `{dest}`: {target} is not in the {} edition (its folder is left out)",
                handbook.edition.name()
            ),
            "move the file to a folder of this edition, or remove the link".into(),
        );
    }
    let hint = match diagnostic::nearest(target, handbook.assets.iter().map(|a| a.rel.as_str())) {
        Some(near) => format!("did you mean {near}? Paths are relative to this page's folder"),
        None => {
            "put the file in the handbook folder; paths are relative to this page's folder".into()
        }
    };
    let message = if what == "image" {
        format!("image `{dest}` does not exist (looked for {target})")
    } else {
        format!("link to `{dest}`: the file {target} does not exist")
    };
    (Level::Error, message, hint)
}

/// Checks the part of a `mailto:` link after the scheme.
pub fn check_mailto(rest: &str) -> Result<(), String> {
    let addresses = rest.split('?').next().unwrap_or_default();
    if addresses.trim().is_empty() {
        return Err("there is no address".into());
    }
    for address in percent_decode(addresses).split(',') {
        let address = address.trim();
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err(format!("`{address}` has no @"));
        };
        let local_ok = !local.is_empty()
            && !local.contains(['@', ' ', '<', '>', '(', ')', '[', ']', '\\', ',', ';', ':']);
        let domain_ok = crate::model::service_rules::valid_domain(domain);
        if !local_ok {
            return Err(format!("the part before @ in `{address}` is not valid"));
        }
        if !domain_ok {
            return Err(format!("`{domain}` is not a domain name"));
        }
    }
    Ok(())
}

/// Checks the part of a `tel:` link after the scheme: an optional `+` and
/// 3 to 15 digits, with spaces, dashes, dots or brackets between.
pub fn check_tel(rest: &str) -> Result<(), String> {
    let number = percent_decode(rest);
    let number = number.trim();
    let body = number.strip_prefix('+').unwrap_or(number);
    if let Some(bad) = body
        .chars()
        .find(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')))
    {
        return Err(format!("`{bad}` is not a digit"));
    }
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !(3..=15).contains(&digits) {
        return Err(format!(
            "it has {digits} digits; a phone number has 3 to 15"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_syntax() {
        assert!(check_mailto("help@example.org").is_ok());
        assert!(check_mailto("a@example.org,b@example.org?subject=Hi%20there").is_ok());
        assert!(check_mailto("").is_err());
        assert!(
            check_mailto("help.example.org")
                .unwrap_err()
                .contains("no @")
        );
        assert!(check_mailto("help@example").unwrap_err().contains("domain"));
        assert!(check_mailto("he lp@example.org").is_err());
    }

    #[test]
    fn tel_syntax() {
        assert!(check_tel("999").is_ok());
        assert!(check_tel("0800 1111").is_ok());
        assert!(check_tel("+44%201632%20960001").is_ok());
        assert!(check_tel("(01632) 960-001").is_ok());
        assert!(check_tel("0800-CALL-NOW").unwrap_err().contains("`C`"));
        assert!(check_tel("12").unwrap_err().contains("2 digits"));
    }

    #[test]
    fn relative_paths_resolve_against_the_page_folder() {
        assert_eq!(
            resolve("parents", "images/a.svg").as_deref(),
            Some("parents/images/a.svg")
        );
        assert_eq!(
            resolve("parents", "../files/./f.pdf").as_deref(),
            Some("files/f.pdf")
        );
        assert_eq!(resolve("", "../x.png"), None);
        assert!(matches!(kind("https://x.org/a.png"), Kind::Elsewhere));
        assert!(matches!(kind("/images/a.png"), Kind::RootAbsolute));
        assert!(matches!(kind("a%20b.pdf#p=2"), Kind::Relative(r) if r == "a b.pdf"));
    }
}
