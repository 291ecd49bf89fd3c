//! Plain structs that mirror the handbook's YAML files, field for field.
//!
//! Nothing here is checked beyond its YAML shape; `model` turns these into
//! validated data. Every struct denies unknown fields so that a typo is an
//! error that names the key, not a feature silently switched off.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub title: Option<String>,
    pub school: Option<String>,
    pub language: Option<String>,
    pub base_url: Option<String>,
    pub theme: Option<String>,
    pub urgent_help: Option<RawUrgentHelp>,
    pub search: Option<RawSearch>,
    pub review: Option<RawReview>,
    pub check: Option<RawCheck>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUrgentHelp {
    pub title: Option<String>,
    pub body: Option<String>,
    #[serde(default)]
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    pub crisis_terms: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReview {
    pub warn_days: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub max_reading_age: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrontMatter {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub audience: Option<Vec<String>>,
    pub visibility: Option<String>,
    pub principles: Option<Vec<String>>,
    pub owner: Option<String>,
    pub last_reviewed: Option<String>,
    pub review_by: Option<String>,
    pub services: Option<Vec<String>>,
    pub weight: Option<i64>,
    pub draft: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub lang: Option<String>,
    pub steps: Option<Vec<RawStep>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub id: Option<String>,
    pub title: Option<String>,
    pub who: Option<String>,
    pub when: Option<String>,
    #[serde(rename = "do")]
    pub action: Option<String>,
    pub timescale: Option<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub next: Vec<String>,
    #[serde(default)]
    pub urgent: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServiceFile {
    #[serde(default)]
    pub services: Vec<RawService>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub id: Option<String>,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    #[serde(default)]
    pub audiences: Vec<String>,
    pub ages: Option<RawAges>,
    pub area: Option<String>,
    #[serde(default)]
    pub urgent: bool,
    pub contact: Option<RawContact>,
    pub hours: Option<String>,
    pub cost: Option<String>,
    pub referral: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    pub visibility: Option<String>,
    pub last_verified: Option<String>,
    #[serde(default, rename = "override")]
    pub override_: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAges {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContact {
    pub phone: Option<String>,
    pub text: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub webchat: Option<String>,
}
