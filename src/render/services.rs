//! The service map as pages: the directory (`services/index.html`), grouped
//! with urgent services first and filterable by type, audience, age and area
//! (links to lists without JavaScript, instant with services.js), one page
//! per service (`services/<id>.html`), and `services.json` (Open Referral UK).

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::context::{self, DateInfo, Label, Link, PageContext, ServiceCard, Shared};
use super::templates::Templates;
use super::{OutputFile, Reuse, Sink, relative};
use crate::diagnostic::Diagnostic;
use crate::model::service_rules::{CATEGORIES, category_label, referral_label};
use crate::model::{Audience, Handbook, Service};
use crate::openreferral::slug;

pub const DIRECTORY_URL: &str = "services/index.html";
pub const DIRECTORY_TITLE: &str = "Support services";

/// Age bands for browsing without JavaScript (inclusive).
const AGE_BANDS: [(i64, i64, &str); 4] = [
    (0, 10, "Under 11"),
    (11, 15, "11 to 15"),
    (16, 17, "16 and 17"),
    (18, 120, "18 and over"),
];

/// What a card shows besides its contacts, and what the filters match on.
#[derive(Serialize, Clone, Default)]
pub struct Facts {
    pub category: Option<String>,
    pub category_label: Option<String>,
    pub audiences: Vec<Label>,
    /// "Ages 5 to 18", "Age 11 and over".
    pub ages: Option<String>,
    pub area: Option<String>,
    pub referral: Option<String>,
    pub languages: Vec<String>,
    pub last_checked: Option<DateInfo>,
    /// For the filter script's `data-*` attributes (empty when unknown).
    pub data: FilterData,
}

#[derive(Serialize, Clone, Default)]
pub struct FilterData {
    pub category: String,
    pub audiences: String,
    pub min_age: String,
    pub max_age: String,
    pub area: String,
}

pub fn area_label(area: &str) -> String {
    if area.eq_ignore_ascii_case("national") {
        "National".into()
    } else {
        area.to_string()
    }
}

/// The English name of a common language code (`en` → English).
fn language_name(code: &str) -> Option<&'static str> {
    const NAMES: [(&str, &str); 18] = [
        ("en", "English"),
        ("cy", "Welsh"),
        ("gd", "Scottish Gaelic"),
        ("ga", "Irish"),
        ("pl", "Polish"),
        ("ro", "Romanian"),
        ("pa", "Punjabi"),
        ("ur", "Urdu"),
        ("bn", "Bengali"),
        ("gu", "Gujarati"),
        ("ar", "Arabic"),
        ("so", "Somali"),
        ("pt", "Portuguese"),
        ("es", "Spanish"),
        ("fr", "French"),
        ("lt", "Lithuanian"),
        ("tr", "Turkish"),
        ("zh", "Chinese"),
    ];
    let code = code.split(['-', '_']).next().unwrap_or(code).to_lowercase();
    NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn ages_text(min: Option<i64>, max: Option<i64>) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if a == b => Some(format!("Age {a}")),
        (Some(a), Some(b)) => Some(format!("Ages {a} to {b}")),
        (Some(a), None) => Some(format!("Age {a} and over")),
        (None, Some(b)) => Some(format!("Up to age {b}")),
        (None, None) => None,
    }
}

pub fn facts(service: &Service) -> Facts {
    let (min, max) = service.ages.map_or((None, None), |a| (a.min, a.max));
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    Facts {
        category: service.category.clone(),
        category_label: service
            .category
            .as_deref()
            .map(|c| category_label(c).unwrap_or(c).to_string()),
        audiences: service
            .audiences
            .iter()
            .map(|a| Label {
                key: a.key(),
                label: a.label(),
            })
            .collect(),
        ages: ages_text(min, max),
        area: service.area.as_deref().map(area_label),
        referral: service
            .referral
            .as_deref()
            .map(|r| referral_label(r).unwrap_or(r).to_string()),
        languages: service
            .languages
            .iter()
            .map(|l| language_name(l).unwrap_or(l).to_string())
            .collect(),
        last_checked: service.last_verified.map(Into::into),
        data: FilterData {
            category: service.category.clone().unwrap_or_default(),
            audiences: service
                .audiences
                .iter()
                .map(|a| a.key())
                .collect::<Vec<_>>()
                .join(" "),
            min_age: number(min),
            max_age: number(max),
            area: service.area.as_deref().map(slug).unwrap_or_default(),
        },
    }
}

#[derive(Serialize)]
struct DirectoryContext<'a> {
    #[serde(flatten)]
    base: PageContext<'a>,
    directory: Directory,
}

#[derive(Serialize)]
struct Directory {
    total: usize,
    groups: Vec<Group>,
    filters: Vec<Filter>,
}

#[derive(Serialize)]
struct Group {
    id: String,
    title: String,
    services: Vec<ServiceCard>,
}

/// One way to narrow the list, with each value's services for browsing.
#[derive(Serialize)]
struct Filter {
    /// The form field and `data-*` attribute it matches.
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<FilterOption>,
}

#[derive(Serialize)]
struct FilterOption {
    value: String,
    label: String,
    anchor: String,
    services: Vec<Link>,
}

#[derive(Serialize)]
struct ServicePageContext<'a> {
    #[serde(flatten)]
    base: PageContext<'a>,
    service: ServiceCard,
    /// Pages that name this service in their front matter.
    mentioned: Vec<Link>,
}

fn option(
    handbook: &Handbook,
    value: String,
    label: String,
    anchor_prefix: &str,
    matches: impl Fn(&Service) -> bool,
) -> Option<FilterOption> {
    let services: Vec<Link> = handbook
        .services
        .iter()
        .filter(|s| matches(s))
        .map(|s| Link {
            title: s.name.clone(),
            url: format!("#service-{}", s.id),
            current: false,
        })
        .collect();
    (!services.is_empty()).then(|| FilterOption {
        anchor: format!("{anchor_prefix}-{}", slug(&value)),
        value,
        label,
        services,
    })
}

fn filters(handbook: &Handbook) -> Vec<Filter> {
    let categories = CATEGORIES
        .iter()
        .filter_map(|(key, label)| {
            option(handbook, key.to_string(), label.to_string(), "type", |s| {
                s.category.as_deref() == Some(key)
            })
        })
        .collect();
    let audiences = Audience::ALL
        .iter()
        .rev()
        .filter_map(|a| {
            option(handbook, a.key().into(), a.label().into(), "for", |s| {
                s.audiences.is_empty() || s.audiences.contains(a)
            })
        })
        .collect();
    let ages = AGE_BANDS
        .iter()
        .filter_map(|&(lo, hi, label)| {
            option(handbook, format!("{lo}-{hi}"), label.into(), "age", |s| {
                let (min, max) = s.ages.map_or((None, None), |a| (a.min, a.max));
                min.is_none_or(|m| m <= hi) && max.is_none_or(|m| m >= lo)
            })
        })
        .collect();
    let mut areas: Vec<String> = Vec::new();
    for s in &handbook.services {
        if let Some(a) = &s.area
            && !areas.iter().any(|x| slug(x) == slug(a))
        {
            areas.push(a.clone());
        }
    }
    areas.sort_by_key(|a| (!a.eq_ignore_ascii_case("national"), a.to_lowercase()));
    let areas = areas
        .iter()
        .filter_map(|area| {
            let key = slug(area);
            option(handbook, key.clone(), area_label(area), "area", |s| {
                s.area.as_deref().map(slug).as_deref() == Some(key.as_str())
            })
        })
        .collect();
    vec![
        Filter {
            name: "category",
            label: "Type of service",
            any: "All types",
            options: categories,
        },
        Filter {
            name: "audience",
            label: "Who it is for",
            any: "Anyone",
            options: audiences,
        },
        Filter {
            name: "age",
            label: "Age",
            any: "Any age",
            options: ages,
        },
        Filter {
            name: "area",
            label: "Area",
            any: "All areas",
            options: areas,
        },
    ]
}

/// Urgent services first, then by category in CATEGORIES order, then the rest.
fn groups(handbook: &Handbook, shared: &Shared, from: &str) -> Vec<Group> {
    let card = |s: &Service| shared.service_card(s, from);
    let mut groups = vec![Group {
        id: "urgent".into(),
        title: "Urgent help".into(),
        services: handbook
            .services
            .iter()
            .filter(|s| s.urgent)
            .map(card)
            .collect(),
    }];
    let known = |s: &Service| {
        s.category
            .as_deref()
            .is_some_and(|c| category_label(c).is_some())
    };
    for (key, label) in CATEGORIES {
        groups.push(Group {
            id: key.into(),
            title: label.into(),
            services: handbook
                .services
                .iter()
                .filter(|s| !s.urgent && s.category.as_deref() == Some(key))
                .map(card)
                .collect(),
        });
    }
    groups.push(Group {
        id: "other".into(),
        title: "Other services".into(),
        services: handbook
            .services
            .iter()
            .filter(|s| !s.urgent && !known(s))
            .map(card)
            .collect(),
    });
    groups.retain(|g| !g.services.is_empty());
    groups
}

fn directory(
    handbook: &Handbook,
    shared: &Shared,
    templates: &Templates,
) -> Result<String, Diagnostic> {
    let mut base = context::page_like(handbook, shared, DIRECTORY_URL, DIRECTORY_TITLE);
    base.page.summary = Some(
        "Every service in this handbook: who it is for, how to contact them and when they are open.",
    );
    base.page.canonical = canonical(handbook, DIRECTORY_URL);
    let ctx = DirectoryContext {
        base,
        directory: Directory {
            total: handbook.services.len(),
            groups: groups(handbook, shared, DIRECTORY_URL),
            filters: filters(handbook),
        },
    };
    templates.render("services.html", &ctx)
}

fn canonical(handbook: &Handbook, url: &str) -> Option<String> {
    handbook
        .config
        .base_url
        .as_ref()
        .map(|b| format!("{b}{url}"))
}

/// For each service, the pages that name it in their front matter, each
/// once, in reading order.
fn mentions(handbook: &Handbook) -> HashMap<&str, Vec<usize>> {
    let mut pages: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, page) in handbook.pages.iter().enumerate() {
        for r in &page.services {
            let list = pages.entry(r.id.as_str()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    pages
}

fn service_page(
    handbook: &Handbook,
    shared: &Shared,
    templates: &Templates,
    service: &Service,
    url: &str,
    mentioned_in: &[usize],
) -> Result<Vec<u8>, Diagnostic> {
    let mut base = context::page_like(handbook, shared, url, &service.name);
    base.breadcrumb.push(Link {
        title: DIRECTORY_TITLE.into(),
        url: "index.html".into(),
        current: false,
    });
    base.page.staff_only = service.visibility == crate::model::Visibility::Staff;
    base.page.canonical = canonical(handbook, url);
    let mentioned = mentioned_in
        .iter()
        .map(|&i| &handbook.pages[i])
        .map(|p| Link {
            title: p.title.clone(),
            url: relative(url, &p.url),
            current: false,
        })
        .collect();
    let ctx = ServicePageContext {
        base,
        service: shared.service_card(service, url),
        mentioned,
    };
    Ok(templates.render("service.html", &ctx)?.into_bytes())
}

/// The directory, every service's page and services.json, each handed to
/// `sink` as soon as it is made.
pub fn render(
    handbook: &Handbook,
    shared: &Shared,
    templates: &Templates,
    reuse: &Reuse,
    sink: &dyn Sink,
) -> Vec<Result<Option<OutputFile>, Diagnostic>> {
    // Every file here is made from the services, the pages' front matter
    // and the settings: none shows a page's Markdown.
    let directory = reuse
        .front_only(DIRECTORY_URL, || {
            directory(handbook, shared, templates).map(String::into_bytes)
        })
        .map(|html| OutputFile {
            path: DIRECTORY_URL.into(),
            content: html,
        });
    let mut results = vec![directory.and_then(|f| sink.put(f))];
    let mentions = std::sync::OnceLock::new();
    results.par_extend(handbook.services.par_iter().map(|s| {
        let url = page_url(s);
        reuse
            .front_only(&url, || {
                let mentions = mentions.get_or_init(|| self::mentions(handbook));
                let mentioned_in = mentions.get(s.id.as_str()).map_or(&[][..], |v| v);
                service_page(handbook, shared, templates, s, &url, mentioned_in)
            })
            .and_then(|html| {
                sink.put(OutputFile {
                    path: url,
                    content: html,
                })
            })
    }));
    let json = reuse.front_only(JSON_URL, || {
        Ok(crate::openreferral::to_json(&handbook.services).into_bytes())
    });
    results.push(json.and_then(|json| {
        sink.put(OutputFile {
            path: JSON_URL.into(),
            content: json,
        })
    }));
    results
}

/// The services in Open Referral's JSON.
const JSON_URL: &str = "services.json";

/// A service's own page.
fn page_url(service: &Service) -> String {
    format!("services/{}.html", service.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(
            ages_text(Some(5), Some(18)).as_deref(),
            Some("Ages 5 to 18")
        );
        assert_eq!(
            ages_text(Some(11), None).as_deref(),
            Some("Age 11 and over")
        );
        assert_eq!(ages_text(None, Some(17)).as_deref(), Some("Up to age 17"));
        assert_eq!(ages_text(None, None), None);
        assert_eq!(language_name("en-GB"), Some("English"));
        assert_eq!(language_name("xx"), None);
    }

    #[test]
    fn mentions_are_the_pages_naming_each_service() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let options = crate::CompileOptions {
            edition: crate::model::Edition::Staff,
            ..Default::default()
        };
        let (handbook, ..) = crate::analyse(&dir, options).ok().unwrap();
        let mentions = mentions(&handbook);
        let mut named = 0;
        for service in &handbook.services {
            let expected: Vec<usize> = (0..handbook.pages.len())
                .filter(|&i| {
                    let page = &handbook.pages[i];
                    page.services.iter().any(|r| r.id == service.id)
                })
                .collect();
            let got = mentions
                .get(service.id.as_str())
                .cloned()
                .unwrap_or_default();
            assert_eq!(got, expected, "{}", service.id);
            named += usize::from(!got.is_empty());
        }
        assert!(named > 0);
    }
}
