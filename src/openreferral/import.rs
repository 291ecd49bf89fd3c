//! Open Referral UK JSON → our services.yaml text.
//!
//! Council directories vary, so the JSON is read loosely: unknown fields are
//! ignored, numbers may be strings, and missing parts are simply left out.
//! The YAML is written by hand (see yaml_text.rs).

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use super::yaml_text::{flow_item, literal_block, quoted, scalar};
use super::{TAXONOMY_AUDIENCE, TAXONOMY_CATEGORY, TAXONOMY_FLAG, TAXONOMY_REFERRAL, slug};
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Level};
use crate::load::{ServiceFileSource, yaml};
use crate::model::service_rules::{CATEGORIES, REFERRALS};
use crate::model::{Audience, service};

/// What an import wrote, and what the author should look at.
#[derive(Debug)]
pub struct ImportReport {
    pub services: usize,
    /// Problems in the imported services, as warnings at lines of the YAML.
    pub notes: Vec<Diagnostic>,
}

/// One service as our YAML will hold it.
#[derive(Debug, Default)]
struct Entry {
    id: String,
    name: String,
    organisation: Option<String>,
    description: Option<String>,
    category: Option<String>,
    audiences: Vec<String>,
    min_age: Option<i64>,
    max_age: Option<i64>,
    area: Option<String>,
    urgent: bool,
    phone: Option<String>,
    text: Option<String>,
    email: Option<String>,
    website: Option<String>,
    webchat: Option<String>,
    hours: Option<String>,
    cost: Option<String>,
    referral: Option<String>,
    languages: Vec<String>,
    staff: bool,
    last_verified: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The services in an Open Referral UK document: a list, an API page
/// (`content` or `contents`), `{"services": [...]}` or one service.
fn services_of(doc: &Value) -> Vec<&Value> {
    if let Some(items) = doc.as_array() {
        return items.iter().collect();
    }
    for key in ["content", "contents", "services", "items"] {
        if let Some(items) = doc.get(key).and_then(Value::as_array) {
            return items.iter().collect();
        }
    }
    if doc.get("name").is_some() {
        return vec![doc];
    }
    Vec::new()
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.chars().all(|c| c.is_ascii_digit() || c == '-')
        && !looks_like_uuid(id)
}

fn looks_like_uuid(id: &str) -> bool {
    id.len() == 36
        && id.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn entry(v: &Value) -> Entry {
    let name = text(v, "name").unwrap_or_default();
    let mut e = Entry {
        name: name.trim().to_string(),
        organisation: v
            .get("organization")
            .and_then(|o| text(o, "name"))
            .or_else(|| text(v, "organization_name")),
        description: text(v, "description"),
        website: text(v, "url"),
        email: text(v, "email"),
        min_age: number(v, "minimum_age"),
        max_age: number(v, "maximum_age"),
        last_verified: text(v, "assured_date")
            .and_then(|d| Date::parse(d.get(..10).unwrap_or(&d)).ok())
            .map(|d| d.to_string()),
        ..Entry::default()
    };
    let id = text(v, "id").unwrap_or_default();
    e.id = if is_valid_id(&id) { id } else { slug(&e.name) };
    for eligibility in list(v, "eligibilitys")
        .iter()
        .chain(list(v, "eligibilities"))
    {
        e.min_age = e.min_age.or_else(|| number(eligibility, "minimum_age"));
        e.max_age = e.max_age.or_else(|| number(eligibility, "maximum_age"));
    }
    e.area = list(v, "service_areas")
        .iter()
        .find_map(|a| text(a, "name").or_else(|| text(a, "service_area")));
    e.cost = list(v, "cost_options").iter().find_map(|c| {
        text(c, "amount_description")
            .or_else(|| text(c, "option"))
            .or_else(|| match number(c, "amount") {
                Some(0) => Some("free".into()),
                Some(n) => Some(format!("£{n}")),
                None => None,
            })
    });
    e.hours = list(v, "schedules")
        .iter()
        .chain(list(v, "regular_schedules"))
        .find_map(|s| text(s, "description"));
    e.languages = list(v, "languages")
        .iter()
        .filter_map(|l| text(l, "language").or_else(|| l.as_str().map(String::from)))
        .collect();
    let contacts = list(v, "contacts");
    let phones = contacts
        .iter()
        .flat_map(|c| list(c, "phones"))
        .chain(list(v, "phones"));
    for phone in phones {
        let Some(number) = text(phone, "number") else {
            continue;
        };
        let kind = text(phone, "type").unwrap_or_default().to_lowercase();
        let slot = if kind == "text" || kind == "sms" {
            &mut e.text
        } else {
            &mut e.phone
        };
        slot.get_or_insert(number);
    }
    for c in contacts {
        if e.email.is_none() {
            e.email = text(c, "email");
        }
        if e.webchat.is_none() {
            e.webchat = text(c, "url");
        }
    }
    for attribute in list(v, "attributes") {
        let Some(t) = attribute.get("taxonomy_term") else {
            continue;
        };
        let taxonomy = text(t, "taxonomy")
            .or_else(|| text(t, "vocabulary"))
            .unwrap_or_default();
        let id = text(t, "id").unwrap_or_default();
        let key = id.rsplit(':').next().unwrap_or_default().to_string();
        match taxonomy.as_str() {
            TAXONOMY_CATEGORY if CATEGORIES.iter().any(|(k, _)| *k == key) => {
                e.category = Some(key)
            }
            TAXONOMY_AUDIENCE if Audience::parse(&key).is_some() && !e.audiences.contains(&key) => {
                e.audiences.push(key)
            }
            TAXONOMY_REFERRAL if REFERRALS.iter().any(|(k, _)| *k == key) => e.referral = Some(key),
            TAXONOMY_FLAG if key == "urgent" => e.urgent = true,
            TAXONOMY_FLAG if key == "staff-only" => e.staff = true,
            _ => {}
        }
    }
    e
}

fn line(out: &mut String, indent: &str, key: &str, value: &str) {
    out.push_str(&format!("{indent}{key}: {value}\n"));
}

fn optional(out: &mut String, indent: &str, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        line(out, indent, key, &scalar(v));
    }
}

fn write_entry(out: &mut String, e: &Entry) {
    let pad = "    ";
    line(out, "  - ", "id", &scalar(&e.id));
    line(out, pad, "name", &scalar(&e.name));
    optional(out, pad, "organisation", &e.organisation);
    if let Some(d) = &e.description {
        let value = literal_block(d, "      ").unwrap_or_else(|| scalar(d));
        line(out, pad, "description", &value);
    }
    optional(out, pad, "category", &e.category);
    if !e.audiences.is_empty() {
        line(
            out,
            pad,
            "audiences",
            &format!("[{}]", e.audiences.join(", ")),
        );
    }
    let ages: Vec<String> = [("min", e.min_age), ("max", e.max_age)]
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
        .collect();
    if !ages.is_empty() {
        line(out, pad, "ages", &format!("{{ {} }}", ages.join(", ")));
    }
    optional(out, pad, "area", &e.area);
    if e.urgent {
        line(out, pad, "urgent", "true");
    }
    if [&e.phone, &e.text, &e.email, &e.website, &e.webchat]
        .iter()
        .any(|c| c.is_some())
    {
        out.push_str(&format!("{pad}contact:\n"));
    }
    let inner = "      ";
    // Numbers are always quoted, so YAML keeps them as written.
    for (key, value) in [("phone", &e.phone), ("text", &e.text)] {
        if let Some(v) = value {
            line(out, inner, key, &quoted(v));
        }
    }
    optional(out, inner, "email", &e.email);
    optional(out, inner, "website", &e.website);
    optional(out, inner, "webchat", &e.webchat);
    optional(out, pad, "hours", &e.hours);
    optional(out, pad, "cost", &e.cost);
    optional(out, pad, "referral", &e.referral);
    if !e.languages.is_empty() {
        let items: Vec<String> = e.languages.iter().map(|l| flow_item(l)).collect();
        line(out, pad, "languages", &format!("[{}]", items.join(", ")));
    }
    if e.staff {
        line(out, pad, "visibility", "staff");
    }
    match &e.last_verified {
        Some(d) => line(out, pad, "last_verified", d),
        None => out.push_str(&format!(
            "{pad}# last_verified: check every contact above, then write today's date here\n"
        )),
    }
}

/// Turns Open Referral UK JSON into services.yaml text; `origin` names the
/// JSON file in the header comment.
pub fn from_json(json: &str, origin: &str) -> Result<(String, usize), String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("not valid JSON: {e}"))?;
    let items = services_of(&doc);
    if items.is_empty() {
        return Err("no services found: expected a list of services, or an object with `content` or `services`".into());
    }
    let mut out = format!(
        "# Services imported from {origin} by `handbook import-services`.\n# Check every contact before you publish, and set last_verified when you have.\nservices:\n"
    );
    let mut seen = HashSet::new();
    let mut count = 0;
    for (i, item) in items.iter().enumerate() {
        let mut e = entry(item);
        if e.id.is_empty() {
            e.id = format!("service-{}", i + 1);
        }
        if e.name.is_empty() {
            e.name = e.id.clone();
        }
        let base = e.id.clone();
        let mut n = 2;
        while !seen.insert(e.id.clone()) {
            e.id = format!("{base}-{n}");
            n += 1;
        }
        if count > 0 {
            out.push('\n');
        }
        write_entry(&mut out, &e);
        count += 1;
    }
    Ok((out, count))
}

/// Reads `file`, writes the YAML to `out` (`-` is standard output) and
/// checks the result as the build would, reporting problems as warnings.
/// An existing `out` is replaced only with `force`.
pub fn import_file(file: &Path, out: &Path, force: bool) -> Result<ImportReport, Diagnostic> {
    let json = crate::load::read_text(file)?;
    let (yaml_text, services) = from_json(&json, &file.display().to_string())
        .map_err(|m| Diagnostic::error(file, 0, 0, m))?;
    let to_stdout = out.as_os_str() == "-";
    if !to_stdout && out.exists() && !force {
        return Err(
            Diagnostic::error(out, 0, 0, "already exists; nothing was written")
                .with_hint("choose another file with -o, or add --force to replace it"),
        );
    }
    let shown = if to_stdout {
        Path::new("services.yaml")
    } else {
        out
    };
    let notes = check(&yaml_text, shown);
    if to_stdout {
        print!("{yaml_text}");
    } else {
        std::fs::write(out, &yaml_text)
            .map_err(|e| Diagnostic::error(out, 0, 0, format!("cannot write: {e}")))?;
    }
    Ok(ImportReport { services, notes })
}

/// The problems the build would find in imported YAML, as warnings.
fn check(text: &str, path: &Path) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    match yaml::parse(text, path, 1) {
        Ok(raw) => {
            let file = ServiceFileSource {
                path: path.to_path_buf(),
                text: text.to_string(),
                raw,
            };
            service::from_sources(&[file], Date::today(), &mut diagnostics);
        }
        Err(d) => diagnostics.push(d),
    }
    for d in &mut diagnostics {
        d.level = Level::Warning;
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_council_shaped_json() {
        let json = r#"{"content": [{
            "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "name": "Westmere Youth Counselling",
            "organization": {"id": "x", "name": "Westmere Council"},
            "status": "active",
            "url": "https://youth.example.org/",
            "eligibilitys": [{"minimum_age": "11", "maximum_age": 25}],
            "service_areas": [{"service_area": "Westmere"}],
            "cost_options": [{"amount": 0}],
            "contacts": [{"phones": [{"number": "01632 960777"}]}],
            "unknown_field": {"deep": [1, 2, 3]}
        }, {"name": "Westmere Youth Counselling"}]}"#;
        let (yaml, n) = from_json(json, "council.json").unwrap();
        assert_eq!(n, 2);
        assert!(
            yaml.contains("  - id: westmere-youth-counselling\n"),
            "{yaml}"
        );
        assert!(
            yaml.contains("  - id: westmere-youth-counselling-2\n"),
            "{yaml}"
        );
        assert!(yaml.contains("    ages: { min: 11, max: 25 }\n"), "{yaml}");
        assert!(yaml.contains("    area: Westmere\n"), "{yaml}");
        assert!(yaml.contains("    cost: free\n"), "{yaml}");
        assert!(yaml.contains("      phone: \"01632 960777\"\n"), "{yaml}");
        let raw: crate::load::raw::RawServiceFile =
            yaml::parse(&yaml, Path::new("s.yaml"), 1).unwrap();
        assert_eq!(raw.services.len(), 2);
    }

    #[test]
    fn awkward_text_survives_the_trip_to_yaml() {
        let awkward = [
            "yes",
            "No",
            "~",
            "null",
            "- item",
            "[a, b]",
            "{a: b}",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "@at",
            "`tick`",
            "'quoted'",
            "\"double\"",
            "a: b",
            "a #b",
            "ends with:",
            " leading",
            "trailing ",
            "tab\there",
            "two\nlines\n",
            "keep\n\n",
            "cr\r\nlf",
            "line\u{2028}sep",
            "caf\u{e9} \u{2013} \u{1f600}",
            "12",
            "1e3",
            "0x1F",
            "2026-10-01",
            "back\\slash",
            "#hash",
            "a\u{0}b",
        ];
        let services: Vec<serde_json::Value> = awkward
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"id": format!("s-{i}"), "name": t, "description": t, "schedules": [{"description": t}]}))
            .collect();
        let (yaml, n) = from_json(&serde_json::to_string(&services).unwrap(), "x.json").unwrap();
        assert_eq!(n, awkward.len());
        let raw: crate::load::raw::RawServiceFile =
            yaml::parse(&yaml, Path::new("s.yaml"), 1).unwrap_or_else(|d| panic!("{d}\n{yaml}"));
        for (service, text) in raw.services.iter().zip(awkward) {
            let expect_name = text.trim();
            assert_eq!(service.name.as_deref(), Some(expect_name), "{yaml}");
            assert_eq!(service.description.as_deref(), Some(text), "{yaml}");
            assert_eq!(service.hours.as_deref(), Some(text), "{yaml}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_directory() {
        assert!(from_json("[1, 2", "x.json").is_err());
        assert!(from_json("{\"a\": 1}", "x.json").is_err());
    }
}
