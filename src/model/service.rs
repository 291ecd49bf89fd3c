//! The service map: support services as validated data.

use std::collections::HashMap;
use std::path::PathBuf;

use super::service_rules as rules;
use super::{Audience, Handbook, Visibility};
use crate::config::Ref;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::load::{Lines, Pos, ServiceFileSource, yaml};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub organisation: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    pub category: Option<String>,
    pub audiences: Vec<Audience>,
    pub ages: Option<Ages>,
    pub area: Option<String>,
    pub urgent: bool,
    pub contact: Contact,
    pub hours: Option<String>,
    pub cost: Option<String>,
    pub referral: Option<String>,
    pub languages: Vec<String>,
    pub visibility: Visibility,
    pub last_verified: Option<Date>,
    #[serde(skip)]
    pub path: PathBuf,
    /// Where the entry starts in its file.
    #[serde(skip)]
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Ages {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub text: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub webchat: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self.phone.is_none()
            && self.text.is_none()
            && self.email.is_none()
            && self.website.is_none()
            && self.webchat.is_none()
    }
}

/// Validates every service file, merging them in order; a later file may
/// replace an earlier entry only with `override: true`.
pub fn from_sources(
    files: &[ServiceFileSource],
    today: Date,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Service> {
    let mut services: Vec<Service> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for file in files {
        // Split once: searching the whole text for each entry would be
        // quadratic in the number of services.
        let located = yaml::Located::new(&file.text);
        let items = located.list_items("services");
        for (i, raw) in file.raw.services.iter().enumerate() {
            let within = items.get(i).copied().unwrap_or_else(|| located.all());
            let Some(service) = from_raw(raw, file, &located, within, today, diagnostics) else {
                continue;
            };
            match by_id.get(&service.id) {
                Some(&existing) if raw.override_ => services[existing] = service,
                Some(&existing) => {
                    let first = &services[existing];
                    diagnostics.push(
                        Diagnostic::error(
                            &service.path,
                            service.pos.line,
                            service.pos.col,
                            format!(
                                "service id `{}` is already used at {}:{}",
                                service.id,
                                first.path.display(),
                                first.pos.line
                            ),
                        )
                        .with_hint("ids must be unique; to replace the earlier entry on purpose, add `override: true`"),
                    );
                }
                None => {
                    by_id.insert(service.id.clone(), services.len());
                    services.push(service);
                }
            }
        }
    }
    services
}

fn from_raw(
    raw: &crate::load::raw::RawService,
    file: &ServiceFileSource,
    located: &yaml::Located,
    within: Lines,
    today: Date,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Service> {
    let path = &file.path;
    let start = located
        .line(within.start)
        .map_or(1, |l| l.len() - l.trim_start().len() + 1);
    let entry_pos = Pos::new(within.start, start);
    let at = |key: &str, value: &str| located.find_value(within, key, value).unwrap_or(entry_pos);
    let mut error = |pos: Pos, message: String, hint: &str| {
        let d = Diagnostic::error(path, pos.line, pos.col, message);
        diagnostics.push(if hint.is_empty() {
            d
        } else {
            d.with_hint(hint)
        });
    };
    let Some(id) = raw.id.clone() else {
        error(
            entry_pos,
            "a service has no `id`".into(),
            "add `id:` with lowercase letters, digits and `-`, e.g. `id: childline`",
        );
        return None;
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        error(
            at("id", &id),
            format!("service id `{id}` may use only a-z, 0-9 and `-`"),
            "e.g. `id: westmere-camhs`",
        );
    }
    let name = raw.name.clone().unwrap_or_else(|| {
        error(
            entry_pos,
            format!("service `{id}` has no `name`"),
            "add `name:` as readers know the service",
        );
        id.clone()
    });
    let visibility = match raw.visibility.as_deref() {
        None => Visibility::Public,
        Some(v) => Visibility::parse(v).unwrap_or_else(|| {
            error(
                at("visibility", v),
                format!("unknown visibility `{v}`"),
                "valid values: public, staff",
            );
            Visibility::Staff
        }),
    };
    let last_verified = match raw.last_verified.as_deref() {
        None => {
            error(
                entry_pos,
                format!("service `{id}` has no `last_verified` date"),
                "add the date you last checked its contacts, e.g. `last_verified: 2026-09-01`",
            );
            None
        }
        Some(v) => match Date::parse(v) {
            Ok(d) => Some(d),
            Err(m) => {
                error(at("last_verified", v), format!("last_verified: {m}"), "");
                None
            }
        },
    };
    if let Some(d) = last_verified {
        let pos = at("last_verified", &d.to_string());
        if d > today {
            error(
                pos,
                format!("last_verified {d} is after today ({today})"),
                "write the date you last checked the service's contacts",
            );
        } else if d < today.months_before(12) {
            diagnostics.push(
                Diagnostic::warning(
                    path,
                    pos.line,
                    pos.col,
                    format!("service `{id}` was last verified on {d}, more than 12 months ago"),
                )
                .with_hint("check its contacts are still right, then update `last_verified`"),
            );
        }
    }
    let mut error = |pos: Pos, problem: rules::Problem| {
        diagnostics.push(
            Diagnostic::error(path, pos.line, pos.col, problem.message).with_hint(problem.hint),
        );
    };
    let mut check =
        |key: &str, value: &Option<String>, rule: &dyn Fn(&str) -> Result<(), rules::Problem>| {
            if let Some(v) = value
                && let Err(p) = rule(v)
            {
                error(at(key, v), p);
            }
        };
    let category_keys: Vec<&str> = rules::CATEGORIES.iter().map(|(k, _)| *k).collect();
    let referral_keys: Vec<&str> = rules::REFERRALS.iter().map(|(k, _)| *k).collect();
    let audience_keys: Vec<&str> = Audience::ALL.iter().map(|a| a.key()).collect();
    check("category", &raw.category, &|v| {
        rules::one_of("category", v, &category_keys)
    });
    check("referral", &raw.referral, &|v| {
        rules::one_of("referral", v, &referral_keys)
    });
    let contact = raw.contact.clone().unwrap_or_default();
    check("phone", &contact.phone, &rules::phone);
    check("text", &contact.text, &rules::text_number);
    check("email", &contact.email, &rules::email);
    check("website", &contact.website, &|v| {
        rules::https_url("website", v)
    });
    check("webchat", &contact.webchat, &|v| {
        rules::https_url("webchat", v)
    });
    for a in &raw.audiences {
        check("audiences", &Some(a.clone()), &|v| {
            rules::one_of("audience", v, &audience_keys)
        });
    }
    if let Some(ages) = &raw.ages {
        for (key, value) in [("min", ages.min), ("max", ages.max)] {
            if let Some(v) = value
                && !(0..=120).contains(&v)
            {
                error(
                    at("ages", key),
                    rules::Problem {
                        message: format!("ages.{key} {v} is not an age"),
                        hint: "ages are whole years from 0 to 120".into(),
                    },
                );
            }
        }
        if let (Some(min), Some(max)) = (ages.min, ages.max)
            && min > max
        {
            error(
                at("ages", "max"),
                rules::Problem {
                    message: format!("ages.max {max} is below ages.min {min}"),
                    hint: "ages are inclusive: `ages: { min: 11, max: 18 }`".into(),
                },
            );
        }
    }
    let contact = Contact {
        phone: contact.phone,
        text: contact.text,
        email: contact.email,
        website: contact.website,
        webchat: contact.webchat,
    };
    if contact.is_empty() {
        error(
            raw.contact
                .as_ref()
                .map_or(entry_pos, |_| at("contact", "")),
            rules::Problem {
                message: format!("service `{id}` has no contact"),
                hint: "add `contact:` with at least one of phone, text, email, website, webchat"
                    .into(),
            },
        );
    }
    let audiences = raw
        .audiences
        .iter()
        .filter_map(|a| Audience::parse(a))
        .collect();
    Some(Service {
        id,
        name,
        organisation: raw.organisation.clone(),
        description: raw.description.clone(),
        category: raw.category.clone(),
        audiences,
        ages: raw.ages.as_ref().map(|a| Ages {
            min: a.min,
            max: a.max,
        }),
        area: raw.area.clone(),
        urgent: raw.urgent,
        contact,
        hours: raw.hours.clone(),
        cost: raw.cost.clone(),
        referral: raw.referral.clone(),
        languages: raw.languages.clone(),
        visibility,
        last_verified,
        path: path.clone(),
        pos: entry_pos,
    })
}

/// Every service named by a page or by the urgent-help box must exist in the edition.
pub fn check_references(handbook: &Handbook, diagnostics: &mut Vec<Diagnostic>) {
    let config_path = &handbook.config.path;
    let mut check = |r: &Ref, path: &std::path::Path| {
        if handbook.service(&r.id).is_some() {
            return;
        }
        let (message, hint) = if handbook.left_out_services.contains(&r.id) {
            (
                format!(
                    "service `{}` is staff-only and cannot appear in the public edition",
                    r.id
                ),
                "name it only on staff pages, or make the service public".to_string(),
            )
        } else {
            let ids = handbook.services.iter().map(|s| s.id.as_str());
            let hint = match crate::diagnostic::nearest(&r.id, ids) {
                Some(n) => format!("did you mean `{n}`?"),
                None => "service ids are listed in services.yaml".into(),
            };
            (format!("unknown service `{}`", r.id), hint)
        };
        diagnostics.push(Diagnostic::error(path, r.pos.line, r.pos.col, message).with_hint(hint));
    };
    for r in &handbook.config.urgent_help.services {
        check(r, config_path);
    }
    for page in &handbook.pages {
        if let Some(path) = &page.path {
            for r in &page.services {
                check(r, path);
            }
        }
    }
}

/// The `services/` folder holds the service map; its pages are generated
/// (`services/index.html`, `services/<id>.html`), so Markdown there would clash.
pub fn check_folder(source: &crate::load::Source, diagnostics: &mut Vec<Diagnostic>) {
    for page in source
        .pages
        .iter()
        .filter(|p| p.rel.starts_with("services/"))
    {
        diagnostics.push(
            Diagnostic::error(
                &page.path,
                0,
                0,
                "a Markdown page cannot live in services/: that folder holds the service map (YAML), and the directory pages built there would clash with it",
            )
            .with_hint("move the page to another folder, e.g. signposting/"),
        );
    }
    // A service file the map does not read would be copied to the site as it
    // is, staff-only entries and all.
    let stray = source.assets.iter().filter(|a| {
        let yaml = a.rel.ends_with(".yaml") || a.rel.ends_with(".yml");
        yaml && (a.rel == "services.yml" || a.rel.starts_with("services/"))
    });
    for asset in stray {
        diagnostics.push(
            Diagnostic::error(
                &asset.abs,
                0,
                0,
                "this file is not part of the service map and would be published as it is",
            )
            .with_hint("service files are services.yaml or services/<name>.yaml (not .yml, not in a subfolder)"),
        );
    }
}

/// The files the service map adds to the site.
pub fn generated_outputs(services: &[Service]) -> Vec<String> {
    let mut out = vec!["services/index.html".to_string(), "services.json".into()];
    out.extend(services.iter().map(|s| format!("services/{}.html", s.id)));
    out
}
