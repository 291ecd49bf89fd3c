//! The validated handbook for one edition: pages, sections, services and
//! pathways, linked together. Built from the raw `load::Source`; nothing
//! half-checked reaches this model.

pub mod links;
mod page;
pub mod pathway;
mod section;
pub mod service;
pub mod service_rules;

use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::{self, Config};
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::load::{Asset, Source};
pub use page::{Page, PageKind, output_url as page_url};
pub use section::Section;
pub use service::Service;

/// Which of the two sites built from one handbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Edition {
    /// For parents and pupils: only `visibility: public` pages and services.
    #[default]
    Public,
    /// For staff: everything, and not indexed by search engines.
    Staff,
}

impl Edition {
    pub fn name(self) -> &'static str {
        match self {
            Edition::Public => "public",
            Edition::Staff => "staff",
        }
    }

    /// Whether something of this visibility belongs in this edition.
    pub fn includes(self, visibility: Visibility) -> bool {
        self == Edition::Staff || visibility == Visibility::Public
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Staff,
}

impl Visibility {
    pub fn parse(text: &str) -> Option<Visibility> {
        match text {
            "public" => Some(Visibility::Public),
            "staff" => Some(Visibility::Staff),
            _ => None,
        }
    }
}

/// Who a page or service is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Staff,
    Parents,
    Pupils,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Staff, Audience::Parents, Audience::Pupils];

    pub fn parse(text: &str) -> Option<Audience> {
        match text {
            "staff" => Some(Audience::Staff),
            "parents" => Some(Audience::Parents),
            "pupils" => Some(Audience::Pupils),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Parents => "parents",
            Audience::Pupils => "pupils",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Staff => "Staff",
            Audience::Parents => "Parents and carers",
            Audience::Pupils => "Pupils",
        }
    }
}

/// The eight principles of the whole-school approach.
pub const PRINCIPLES: [(&str, &str); 8] = [
    ("leadership", "Leadership and management"),
    ("ethos", "Ethos and environment"),
    ("curriculum", "Curriculum, teaching and learning"),
    ("student-voice", "Student voice"),
    (
        "staff-development",
        "Staff development, health and wellbeing",
    ),
    ("identifying-need", "Identifying need and monitoring impact"),
    (
        "parents-carers",
        "Working with parents, families and carers",
    ),
    (
        "targeted-support",
        "Targeted support and appropriate referral",
    ),
];

/// What a build is asked for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub edition: Edition,
    pub drafts: bool,
    pub today: Date,
}

/// A handbook validated for one edition.
#[derive(Debug, Default)]
pub struct Handbook {
    pub root: PathBuf,
    pub config: Config,
    pub edition: Edition,
    pub today: Date,
    /// In reading order: home, then each section's index followed by its pages
    /// and subsections.
    pub pages: Vec<Page>,
    /// `sections[0]` is the home (the handbook folder itself).
    pub sections: Vec<Section>,
    pub services: Vec<Service>,
    pub assets: Vec<Asset>,
    /// Pages of the handbook not in this edition, by source path, and why.
    pub left_out: HashMap<String, LeftOut>,
    /// Ids of staff-only services, in the public edition.
    pub left_out_services: HashSet<String>,
    /// Pages by source path and services by id, built on the first lookup
    /// (the model is not changed after it is built), so that lookups stay
    /// constant-time in large handbooks.
    pub(crate) lookup: OnceLock<Lookup>,
}

#[derive(Debug, Default)]
pub(crate) struct Lookup {
    pages: rustc_hash::FxHashMap<String, usize>,
    services: rustc_hash::FxHashMap<String, usize>,
}

/// Why a page is not in the edition being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOut {
    StaffOnly,
    Draft,
}

impl Handbook {
    pub fn page_by_source(&self, source: &str) -> Option<&Page> {
        self.lookup().pages.get(source).map(|&i| &self.pages[i])
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.lookup().services.get(id).map(|&i| &self.services[i])
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| Lookup {
            // The first of any duplicates wins, as a linear search would find it.
            pages: self
                .pages
                .iter()
                .enumerate()
                .rev()
                .map(|(i, p)| (p.source.clone(), i))
                .collect(),
            services: self
                .services
                .iter()
                .enumerate()
                .rev()
                .map(|(i, s)| (s.id.clone(), i))
                .collect(),
        })
    }

    /// Whether `id` names a service that exists but is not in this edition.
    pub fn left_out_service(&self, id: &str) -> bool {
        self.left_out_services.contains(id)
    }

    /// The top-level sections, in order.
    pub fn top_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections[0].children.iter().map(|&i| &self.sections[i])
    }
}

/// Validates and links the loaded handbook for the edition in `options`.
/// Errors and warnings are pushed to `diagnostics`. The pages' text moves
/// from `source` into the model (no second copy of every page).
pub fn build(mut source: Source, options: Options, diagnostics: &mut Vec<Diagnostic>) -> Handbook {
    let config = match &source.config {
        Some(c) => config::from_source(c, diagnostics),
        None => Config::default(),
    };
    let all_services = service::from_sources(&source.service_files, options.today, diagnostics);
    // What looks at the page files themselves goes first; its problems are
    // reported in their place below.
    let mut folder_problems = Vec::new();
    service::check_folder(&source, &mut folder_problems);
    let all_pages = page::from_sources(std::mem::take(&mut source.pages), diagnostics);
    let (sections, pages, left_out) = section::assemble(all_pages, &config.title, options);
    let (services, left_out_services): (Vec<Service>, Vec<Service>) = all_services
        .into_iter()
        .partition(|s| options.edition.includes(s.visibility));

    let mut handbook = Handbook {
        root: source.root.clone(),
        config,
        edition: options.edition,
        today: options.today,
        pages,
        sections,
        services,
        assets: Vec::new(),
        left_out,
        left_out_services: left_out_services.into_iter().map(|s| s.id).collect(),
        lookup: OnceLock::new(),
    };
    service::check_references(&handbook, diagnostics);
    diagnostics.append(&mut folder_problems);
    pathway::check(&handbook, diagnostics);
    handbook.assets = assets_in_edition(source.assets, &handbook);
    check_output_paths(&handbook, diagnostics);
    handbook
}

/// Assets in a folder whose section is left out of the edition stay out too.
fn assets_in_edition(assets: Vec<Asset>, handbook: &Handbook) -> Vec<Asset> {
    // Folders as `dir/`; an asset is in one when one of the folders along
    // its path is (looked up folder by folder, not folder by asset).
    let left_out_dirs: HashSet<&str> = handbook
        .left_out
        .keys()
        .filter(|s| s.ends_with("/_index.md"))
        .map(|s| s.trim_end_matches("_index.md"))
        .collect();
    assets
        .into_iter()
        .filter(|a| {
            !a.rel
                .match_indices('/')
                .any(|(i, _)| left_out_dirs.contains(&a.rel[..=i]))
        })
        .collect()
}

/// Output files the generator writes itself, beside the pages.
pub fn generated_outputs(handbook: &Handbook) -> Vec<String> {
    let mut out = vec![
        "404.html".to_string(),
        "print.html".into(),
        "robots.txt".into(),
    ];
    out.extend(crate::render::search::reserved_outputs().map(String::from));
    if handbook.config.base_url.is_some() {
        out.push("sitemap.xml".into());
    }
    out.extend(service::generated_outputs(&handbook.services));
    if handbook.edition == Edition::Staff {
        out.push("audit.html".into());
    }
    out
}

/// Two sources may not claim the same output file.
fn check_output_paths(handbook: &Handbook, diagnostics: &mut Vec<Diagnostic>) {
    let generated = generated_outputs(handbook);
    let by_handbook = Path::new("(generated by handbook)");
    let mut claimed: FxHashMap<&str, &Path> = generated
        .iter()
        .map(|g| (g.as_str(), by_handbook))
        .collect();
    let sources = handbook
        .pages
        .iter()
        .filter_map(|p| p.path.as_ref().map(|path| (p.url.as_str(), path.as_path())))
        .chain(
            handbook
                .assets
                .iter()
                .map(|a| (a.rel.as_str(), a.abs.as_path())),
        );
    let mut reported = FxHashSet::default();
    for (url, path) in sources {
        if let Some(previous) = claimed.get(url) {
            if reported.insert(url) {
                diagnostics.push(
                    Diagnostic::error(
                        path,
                        0,
                        0,
                        format!("writes to {url}, which {} also writes", previous.display()),
                    )
                    .with_hint("rename or remove one of the two files"),
                );
            }
        } else {
            claimed.insert(url, path);
        }
    }
}
