//! The urgent-help card that a crisis query shows before any page: 999 and
//! the urgent services, each with a tap-to-call link.

use serde::Serialize;
use serde_json::{Value, json};

use super::documents::strip_markdown;
use crate::model::{Handbook, Service};
use crate::render::context::{contact_links, dial_digits};

#[derive(Serialize)]
struct UrgentService {
    name: String,
    url: String,
    contacts: Vec<UrgentContact>,
}

#[derive(Serialize)]
struct UrgentContact {
    label: String,
    value: String,
    href: String,
}

/// The first sentences of the urgent-help text, as plain text.
fn urgent_text(body: &str) -> String {
    let plain = strip_markdown(&body.replace("\n- ", " ").replace("\n", " "));
    let plain = plain.trim_start_matches("- ");
    if plain.chars().count() <= 200 {
        return plain.to_string();
    }
    let cut: String = plain.chars().take(200).collect();
    match cut.rfind(". ") {
        Some(end) => cut[..=end].to_string(),
        None => format!(
            "{} …",
            cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a)
        ),
    }
}

/// The card shown first for a crisis query: 999 and the urgent services.
pub fn card(handbook: &Handbook) -> Value {
    let help = &handbook.config.urgent_help;
    let mut chosen: Vec<&Service> = help
        .services
        .iter()
        .filter_map(|r| handbook.service(&r.id))
        .collect();
    for s in handbook.services.iter().filter(|s| s.urgent) {
        if !chosen.iter().any(|c| c.id == s.id) {
            chosen.push(s);
        }
    }
    let mut services: Vec<UrgentService> = chosen
        .into_iter()
        .map(|s| UrgentService {
            name: s.name.clone(),
            url: format!("services/{}.html", s.id),
            contacts: contact_links(s)
                .into_iter()
                .filter(|c| c.kind == "phone" || c.kind == "text")
                .map(|c| UrgentContact {
                    label: c.label,
                    value: c.value,
                    href: c.href,
                })
                .collect(),
        })
        .collect();
    let has_999 = handbook
        .services
        .iter()
        .any(|s| s.contact.phone.as_deref().map(dial_digits).as_deref() == Some("999"));
    if !has_999 {
        services.insert(
            0,
            UrgentService {
                name: "Emergency services".into(),
                url: String::new(),
                contacts: vec![UrgentContact {
                    label: "Call".into(),
                    value: "999".into(),
                    href: "tel:999".into(),
                }],
            },
        );
    }
    json!({
        "title": help.title,
        "text": urgent_text(&help.body),
        "services": services,
    })
}
