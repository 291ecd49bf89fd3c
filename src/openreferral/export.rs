//! The edition's services as Open Referral UK JSON.

use serde::Serialize;

use super::{TAXONOMY_AUDIENCE, TAXONOMY_CATEGORY, TAXONOMY_FLAG, TAXONOMY_REFERRAL, slug};
use crate::model::service_rules::{category_label, referral_label};
use crate::model::{Service, Visibility};

/// A page of results as the Open Referral UK API returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<'a> {
    total_elements: usize,
    total_pages: usize,
    number: usize,
    size: usize,
    first: bool,
    last: bool,
    content: Vec<OrService<'a>>,
}

#[derive(Serialize)]
struct OrService<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Organization<'a>>,
    name: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assured_date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    service_areas: Vec<Named<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cost_options: Vec<CostOption<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    schedules: Vec<Schedule<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    languages: Vec<Language<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contacts: Vec<Contact<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attributes: Vec<Attribute>,
}

#[derive(Serialize)]
struct Organization<'a> {
    id: String,
    name: &'a str,
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct CostOption<'a> {
    amount_description: &'a str,
}

#[derive(Serialize)]
struct Schedule<'a> {
    description: &'a str,
}

#[derive(Serialize)]
struct Language<'a> {
    language: &'a str,
}

#[derive(Serialize)]
struct Contact<'a> {
    name: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<Phone<'a>>,
    /// Not part of Open Referral UK: where a web chat is (directories ignore it).
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Phone<'a> {
    number: &'a str,
    /// HSDS phone types: `voice` or `text`.
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Attribute {
    taxonomy_term: TaxonomyTerm,
}

#[derive(Serialize)]
struct TaxonomyTerm {
    id: String,
    name: String,
    taxonomy: &'static str,
}

fn term(taxonomy: &'static str, key: &str, name: &str) -> Attribute {
    Attribute {
        taxonomy_term: TaxonomyTerm {
            id: format!("{taxonomy}:{key}"),
            name: name.to_string(),
            taxonomy,
        },
    }
}

fn service(s: &Service) -> OrService<'_> {
    let c = &s.contact;
    let mut contacts = Vec::new();
    if let Some(number) = &c.phone {
        contacts.push(Contact {
            name: "Phone",
            phones: vec![Phone {
                number,
                kind: "voice",
            }],
            url: None,
        });
    }
    if let Some(number) = &c.text {
        contacts.push(Contact {
            name: "Text",
            phones: vec![Phone {
                number,
                kind: "text",
            }],
            url: None,
        });
    }
    if let Some(url) = &c.webchat {
        contacts.push(Contact {
            name: "Web chat",
            phones: Vec::new(),
            url: Some(url),
        });
    }
    let mut attributes = Vec::new();
    if let Some(category) = &s.category {
        let name = category_label(category).unwrap_or(category);
        attributes.push(term(TAXONOMY_CATEGORY, category, name));
    }
    for a in &s.audiences {
        attributes.push(term(TAXONOMY_AUDIENCE, a.key(), a.label()));
    }
    if let Some(referral) = &s.referral {
        let name = referral_label(referral).unwrap_or(referral);
        attributes.push(term(TAXONOMY_REFERRAL, referral, name));
    }
    if s.urgent {
        attributes.push(term(TAXONOMY_FLAG, "urgent", "Urgent help"));
    }
    if s.visibility == Visibility::Staff {
        attributes.push(term(TAXONOMY_FLAG, "staff-only", "Staff only"));
    }
    OrService {
        id: &s.id,
        organization: s.organisation.as_deref().map(|name| Organization {
            id: slug(name),
            name,
        }),
        name: &s.name,
        status: "active",
        description: s.description.as_deref(),
        url: c.website.as_deref(),
        email: c.email.as_deref(),
        minimum_age: s.ages.and_then(|a| a.min),
        maximum_age: s.ages.and_then(|a| a.max),
        assured_date: s.last_verified.map(|d| d.to_string()),
        service_areas: s.area.iter().map(|name| Named { name }).collect(),
        cost_options: s
            .cost
            .iter()
            .map(|amount_description| CostOption { amount_description })
            .collect(),
        schedules: s
            .hours
            .iter()
            .map(|description| Schedule { description })
            .collect(),
        languages: s
            .languages
            .iter()
            .map(|language| Language { language })
            .collect(),
        contacts,
        attributes,
    }
}

/// The services as one Open Referral UK page of results, pretty-printed.
pub fn to_json(services: &[Service]) -> String {
    let page = Page {
        total_elements: services.len(),
        total_pages: 1,
        number: 1,
        size: services.len(),
        first: true,
        last: true,
        content: services.iter().map(service).collect(),
    };
    let mut json = serde_json::to_string_pretty(&page).expect("plain data serialises");
    json.push('\n');
    json
}
