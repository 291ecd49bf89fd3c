//! What templates see: plain serialisable data with every URL already made
//! relative to the page being rendered. Strings are escaped by the
//! templates (autoescape); only `content` and `*_html` fields hold HTML we
//! produced ourselves.

use std::collections::HashMap;

use serde::Serialize;

use super::markdown::{self, Heading, Rendered};
use super::pathway::PathwayView;
use super::templates::Templates;
use super::{SiteLinker, relative, root_of};
use crate::date::Date;
use crate::model::{Handbook, PRINCIPLES, Page, PageKind, Service, Visibility};

/// The largest section list shown in full beside a page; longer sections
/// show the pages around the current one, so navigation stays linear in size.
const SECTION_NAV_LIMIT: usize = 30;

#[derive(Serialize)]
pub struct PageContext<'a> {
    pub site: SiteInfo<'a>,
    pub page: PageInfo<'a>,
    pub root: String,
    pub nav: Vec<Link>,
    pub breadcrumb: Vec<Link>,
    pub section: Option<SectionInfo>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    /// For a section index (and the home): its pages and subsections.
    pub listing: Vec<Entry>,
    pub subsections: Vec<Entry>,
    pub services: Vec<ServiceCard>,
    pub urgent_services: Vec<ServiceCard>,
    pub urgent_html: &'a str,
    /// On a pathway page: its steps, urgent steps and diagram.
    pub pathway: Option<PathwayView>,
}

#[derive(Serialize)]
pub struct SiteInfo<'a> {
    pub title: &'a str,
    pub school: Option<&'a str>,
    pub language: &'a str,
    pub edition: &'static str,
    pub staff: bool,
    pub urgent_title: &'a str,
    pub generator: &'static str,
    /// Whether the edition has services (and so a directory page).
    pub services: bool,
}

#[derive(Serialize)]
pub struct PageInfo<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub url: &'a str,
    pub lang: &'a str,
    pub kind: &'static str,
    pub audience: Vec<Label>,
    pub owner: Option<&'a str>,
    pub last_reviewed: Option<DateInfo>,
    pub review_by: Option<DateInfo>,
    pub tags: &'a [String],
    pub principles: Vec<Label>,
    pub content: &'a str,
    pub toc: Vec<&'a Heading>,
    pub staff_only: bool,
    pub draft: bool,
    pub canonical: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct Label {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Serialize, Clone)]
pub struct DateInfo {
    pub iso: String,
    pub long: String,
}

impl From<Date> for DateInfo {
    fn from(d: Date) -> Self {
        DateInfo {
            iso: d.to_string(),
            long: d.long(),
        }
    }
}

#[derive(Serialize, Clone)]
pub struct Link {
    pub title: String,
    pub url: String,
    pub current: bool,
}

#[derive(Serialize)]
pub struct SectionInfo {
    pub title: String,
    pub url: String,
    pub pages: Vec<Link>,
    /// Pages before and after the window, when the list is cut.
    pub more_before: usize,
    pub more_after: usize,
}

/// A page or subsection in a listing.
#[derive(Serialize)]
pub struct Entry {
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub audience: Vec<Label>,
    pub staff_only: bool,
    /// For a pathway: its first step's title, the question it answers.
    pub first_step: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct ServiceCard {
    pub id: String,
    pub name: String,
    pub organisation: Option<String>,
    pub description_html: String,
    pub url: String,
    pub urgent: bool,
    pub hours: Option<String>,
    pub cost: Option<String>,
    pub contacts: Vec<ContactLink>,
    pub staff_only: bool,
    /// Who it is for, where and how (see render/services.rs).
    #[serde(flatten)]
    pub facts: super::services::Facts,
}

#[derive(Serialize, Clone)]
pub struct ContactLink {
    pub kind: &'static str,
    pub label: String,
    pub value: String,
    pub href: String,
}

/// What every page shares, computed once per build.
pub struct Shared {
    pub urgent_html: String,
    /// Root-relative URLs; made relative per page.
    pub urgent_services: Vec<ServiceCard>,
    /// Service descriptions without links are the same HTML on every page,
    /// so they are rendered once, not once per page that shows the service.
    descriptions: HashMap<String, String>,
}

impl Shared {
    pub fn new(handbook: &Handbook) -> Shared {
        let body = markdown::render(
            &handbook.config.urgent_help.body,
            "",
            1,
            &SiteLinker {
                from_url: "index.html",
            },
        );
        let urgent_services = handbook
            .config
            .urgent_help
            .services
            .iter()
            .filter_map(|r| handbook.service(&r.id))
            .map(|s| service_card(s, "index.html"))
            .collect();
        let descriptions = handbook
            .services
            .iter()
            .filter_map(|s| {
                let text = s.description.as_deref()?;
                let rendered = markdown::render(
                    text,
                    "",
                    1,
                    &SiteLinker {
                        from_url: "index.html",
                    },
                );
                rendered
                    .links
                    .is_empty()
                    .then(|| (s.id.clone(), rendered.html))
            })
            .collect();
        Shared {
            urgent_html: body.html,
            urgent_services,
            descriptions,
        }
    }

    /// `service_card`, reusing the description rendered once when it can.
    pub fn service_card(&self, service: &Service, from: &str) -> ServiceCard {
        match self.descriptions.get(&service.id) {
            Some(html) => card_with(service, from, html.clone()),
            None => service_card(service, from),
        }
    }

    /// Whether the card of `service` is the same on every page that reaches
    /// `services/` by the same relative path: its only page-dependent link is
    /// then its own URL (a description with links has links of its own).
    fn card_depends_only_on_services_path(&self, service: &Service) -> bool {
        service.description.is_none() || self.descriptions.contains_key(&service.id)
    }
}

/// The parts of a page's context that are the same for every page in one
/// folder, made into Tera values once per folder: the header navigation,
/// the urgent-help cards, the card of each service a page of the folder
/// shows (a card's URLs depend only on the folder), and the links of the
/// sections its pages list; and the parts the same on every page.
pub struct FolderValues {
    pub nav: tera::Value,
    pub urgent: tera::Value,
    pub cards: HashMap<String, tera::Value>,
    /// The urgent-help box's HTML, when made once (see [`MadeOnce`]).
    urgent_help: Option<tera::Value>,
    /// Section index → a link to each of its pages, none marked current.
    section_links: HashMap<usize, Vec<tera::Value>>,
    site: tera::Value,
    urgent_html: tera::Value,
}

/// A card made once: the relative path to `services/` (or, for a card whose
/// description has links, the page it is made for) and the service id.
type CardKey<'a> = (String, &'a str);
type CardKeys<'a> = Vec<(&'a str, CardKey<'a>)>;

/// A card with its HTML made beforehand (`html`), which the built-in page
/// templates show instead of including `partials/service_card.html` again.
#[derive(Serialize)]
struct MadeCard<'a> {
    #[serde(flatten)]
    card: &'a ServiceCard,
    html: String,
}

/// The templates that make parts every page repeats once per folder
/// instead: given for a part only when the theme keeps the built-in
/// template, which reads nothing that differs between a folder's pages.
#[derive(Clone, Copy, Default)]
pub struct MadeOnce<'a> {
    /// [`CARD`] (with the rest of [`CARD_TEMPLATES`]).
    pub cards: Option<&'a Templates>,
    /// [`URGENT_HELP`].
    pub urgent_help: Option<&'a Templates>,
}

/// The template a service card is made with, and the ones it includes.
const CARD: &str = "partials/service_card.html";
const CARD_TEMPLATES: [&str; 2] = [CARD, "partials/service_facts.html"];
/// The template of the urgent-help box.
const URGENT_HELP: &str = "partials/urgent_help.html";

impl<'a> MadeOnce<'a> {
    /// What `templates` can make once with `theme`: each part whose
    /// templates are the built-in ones.
    pub fn with(theme: &crate::load::Theme, templates: &'a Templates) -> MadeOnce<'a> {
        MadeOnce {
            cards: CARD_TEMPLATES
                .iter()
                .all(|t| theme.is_default(t))
                .then_some(templates),
            urgent_help: theme.is_default(URGENT_HELP).then_some(templates),
        }
    }
}

/// What the template `name` makes from `values`; `None` if it fails (a page
/// including it then reports the error).
fn make_once(
    templates: &Templates,
    name: &str,
    values: &[(&'static str, &tera::Value)],
) -> Option<String> {
    let mut context = tera::Context::new();
    for (key, value) in values {
        context.insert_value(*key, (*value).clone());
    }
    let bytes = templates.render_context(name, &context, 2048).ok()?;
    String::from_utf8(bytes).ok()
}

/// The output folder of `page`, which its shared values are kept under
/// (see [`folder_values`]).
pub fn folder_of(page: &Page) -> &str {
    page.url.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The values every page of a folder shares; parts `made_once` has
/// templates for are made into HTML here (see [`MadeCard`]).
pub fn folder_values(
    handbook: &Handbook,
    shared: &Shared,
    made_once: MadeOnce,
) -> HashMap<String, FolderValues> {
    use rayon::prelude::*;
    let mut folders: HashMap<&str, Vec<&Page>> = HashMap::new();
    for page in &handbook.pages {
        let folder = folder_of(page);
        folders.entry(folder).or_default().push(page);
    }
    // Each card is made once for all the folders it is the same in: those
    // with the same relative path to `services/`, or the folder itself when
    // the description has links. Keys: (that path or the folder's first
    // page, service id); values: a page to make the card from.
    let mut wanted: HashMap<CardKey, &str> = HashMap::new();
    // Per folder: its first page, and each service id its pages show with
    // the key of its card.
    let mut folder_cards: Vec<(&str, &str, CardKeys, Vec<usize>)> = Vec::new();
    for (&folder, pages) in &folders {
        let from = pages[0].url.as_str();
        let services_path = relative(from, "services/");
        let mut seen = std::collections::HashSet::new();
        let mut keys = Vec::new();
        for r in pages.iter().flat_map(|p| &p.services) {
            if !seen.insert(r.id.as_str()) {
                continue;
            }
            if let Some(service) = handbook.service(&r.id) {
                let key = if shared.card_depends_only_on_services_path(service) {
                    (services_path.clone(), service.id.as_str())
                } else {
                    (from.to_string(), service.id.as_str())
                };
                wanted.entry(key.clone()).or_insert(from);
                keys.push((r.id.as_str(), key));
            }
        }
        // The sections whose lists of pages the folder's pages show.
        let mut sections: Vec<usize> = pages
            .iter()
            .filter(|p| shows_section(p))
            .map(|p| p.section)
            .collect();
        sections.sort_unstable();
        sections.dedup();
        folder_cards.push((folder, from, keys, sections));
    }
    let made: HashMap<CardKey, tera::Value> = wanted
        .into_par_iter()
        .map(|(key, from)| {
            let service = handbook.service(key.1).expect("looked up above");
            let card = shared.service_card(service, from);
            let value = tera::Value::from_serializable(&card);
            let html = made_once
                .cards
                .and_then(|t| make_once(t, CARD, &[("service", &value)]));
            let value = match html {
                Some(html) => tera::Value::from_serializable(&MadeCard { card: &card, html }),
                None => value,
            };
            (key, value)
        })
        .collect();
    let site = tera::Value::from_serializable(&site_info(handbook));
    let urgent_html = tera::Value::from_serializable(&shared.urgent_html);
    folder_cards
        .into_par_iter()
        .map(|(folder, from, keys, sections)| {
            let urgent: Vec<ServiceCard> = shared
                .urgent_services
                .iter()
                .map(|c| rebase_card(c, from))
                .collect();
            let cards = keys
                .into_iter()
                .map(|(id, key)| (id.to_string(), made[&key].clone()))
                .collect();
            // A page's URL is relative to its folder, so these are the
            // links every page of the folder makes.
            let section_links = sections
                .into_iter()
                .map(|s| {
                    let links = handbook.sections[s]
                        .pages
                        .iter()
                        .map(|&p| {
                            let link = Link {
                                current: false,
                                ..link(from, &handbook.pages[p])
                            };
                            tera::Value::from_serializable(&link)
                        })
                        .collect();
                    (s, links)
                })
                .collect();
            let urgent = tera::Value::from_serializable(&urgent);
            let urgent_help = made_once.urgent_help.and_then(|t| {
                let root = tera::Value::from(root_of(from));
                let values = [
                    ("site", &site),
                    ("urgent_html", &urgent_html),
                    ("urgent_services", &urgent),
                    ("root", &root),
                ];
                make_once(t, URGENT_HELP, &values).map(tera::Value::from)
            });
            let values = FolderValues {
                nav: tera::Value::from_serializable(&nav(handbook, from)),
                urgent,
                urgent_help,
                cards,
                section_links,
                site: site.clone(),
                urgent_html: urgent_html.clone(),
            };
            (folder.to_string(), values)
        })
        .collect()
}

impl FolderValues {
    /// The cards of the services `page` shows, in its order.
    pub fn cards_of(&self, page: &Page) -> tera::Value {
        tera::Value::from(
            page.services
                .iter()
                .filter_map(|r| self.cards.get(&r.id).cloned())
                .collect::<Vec<_>>(),
        )
    }
}

pub fn template_for(page: &Page) -> &'static str {
    match page.kind {
        PageKind::Home => "home.html",
        PageKind::SectionIndex => "section.html",
        PageKind::Regular => "page.html",
    }
}

fn audience_labels(page: &Page) -> Vec<Label> {
    page.audience
        .iter()
        .map(|a| Label {
            key: a.key(),
            label: a.label(),
        })
        .collect()
}

fn link(from: &str, page: &Page) -> Link {
    Link {
        title: page.title.clone(),
        url: relative(from, &page.url),
        current: from == page.url,
    }
}

pub fn site_info(handbook: &Handbook) -> SiteInfo<'_> {
    let config = &handbook.config;
    SiteInfo {
        title: &config.title,
        school: config.school.as_deref(),
        language: &config.language,
        edition: handbook.edition.name(),
        staff: handbook.edition == crate::model::Edition::Staff,
        urgent_title: &config.urgent_help.title,
        generator: concat!("handbook ", env!("CARGO_PKG_VERSION")),
        services: !handbook.services.is_empty(),
    }
}

/// Top-level sections, for the header.
pub fn nav(handbook: &Handbook, from: &str) -> Vec<Link> {
    handbook
        .top_sections()
        .map(|s| {
            let index = &handbook.pages[s.index];
            let mut l = link(from, index);
            l.current = from == index.url || from.starts_with(&format!("{}/", s.dir));
            l
        })
        .collect()
}

fn entry(from: &str, page: &Page) -> Entry {
    Entry {
        title: page.title.clone(),
        url: relative(from, &page.url),
        summary: page.summary.clone(),
        audience: audience_labels(page),
        staff_only: page.visibility == Visibility::Staff,
        first_step: page.steps.iter().flatten().next().map(|s| s.title.clone()),
    }
}

/// Whether `page` shows the list of its section's pages.
fn shows_section(page: &Page) -> bool {
    page.kind == PageKind::Regular && page.section != 0
}

/// The part of its section's list of pages that page `i` shows: all of it,
/// or `SECTION_NAV_LIMIT` pages around it.
fn section_window(handbook: &Handbook, i: usize) -> (usize, usize) {
    let list = &handbook.sections[handbook.pages[i].section].pages;
    // Pages are numbered in reading order, so a section's list is sorted.
    let at = list
        .binary_search(&i)
        .unwrap_or_else(|_| list.iter().position(|&p| p == i).unwrap_or(0));
    if list.len() <= SECTION_NAV_LIMIT {
        (0, list.len())
    } else {
        let start = at
            .saturating_sub(SECTION_NAV_LIMIT / 2)
            .min(list.len() - SECTION_NAV_LIMIT);
        (start, start + SECTION_NAV_LIMIT)
    }
}

fn breadcrumb(handbook: &Handbook, i: usize) -> Vec<Link> {
    let page = &handbook.pages[i];
    let mut breadcrumb = Vec::new();
    let mut s = Some(page.section);
    while let Some(index) = s {
        let sec = &handbook.sections[index];
        if sec.index != i {
            breadcrumb.push(link(&page.url, &handbook.pages[sec.index]));
        }
        s = sec.parent;
    }
    breadcrumb.reverse();
    breadcrumb
}

/// A section index's (or the home's) pages and subsections.
fn listings(handbook: &Handbook, page: &Page) -> (Vec<Entry>, Vec<Entry>) {
    if page.kind == PageKind::Regular {
        return (Vec::new(), Vec::new());
    }
    let from = page.url.as_str();
    let section = &handbook.sections[page.section];
    (
        section
            .pages
            .iter()
            .map(|&p| entry(from, &handbook.pages[p]))
            .collect(),
        section
            .children
            .iter()
            .map(|&c| entry(from, &handbook.pages[handbook.sections[c].index]))
            .collect(),
    )
}

fn page_info<'a>(handbook: &'a Handbook, page: &'a Page, rendered: &'a Rendered) -> PageInfo<'a> {
    let h2_h3: Vec<&Heading> = rendered
        .headings
        .iter()
        .filter(|h| h.level == 2 || h.level == 3)
        .collect();
    let toc = if h2_h3.len() >= 3 { h2_h3 } else { Vec::new() };
    PageInfo {
        title: &page.title,
        summary: page.summary.as_deref(),
        url: &page.url,
        lang: page.lang.as_deref().unwrap_or(&handbook.config.language),
        kind: match page.kind {
            PageKind::Home => "home",
            PageKind::SectionIndex => "section",
            PageKind::Regular => "page",
        },
        audience: audience_labels(page),
        owner: page.owner.as_deref(),
        last_reviewed: page.last_reviewed.map(Into::into),
        review_by: page.review_by.map(Into::into),
        tags: &page.tags,
        principles: page
            .principles
            .iter()
            .filter_map(|k| PRINCIPLES.iter().find(|(key, _)| key == k))
            .map(|(key, label)| Label { key, label })
            .collect(),
        content: &rendered.html,
        toc,
        staff_only: page.visibility == Visibility::Staff,
        draft: page.draft,
        canonical: handbook
            .config
            .base_url
            .as_ref()
            .map(|b| format!("{b}{}", page.url)),
    }
}

/// Page `i`'s context as Tera sees it: the keys and values a
/// [`PageContext`] gives, with the parts the same across its folder (or the
/// build) cloned from `values` rather than made again.
pub fn page_context(
    handbook: &Handbook,
    i: usize,
    rendered: &Rendered,
    values: &FolderValues,
) -> tera::Context {
    use tera::Value;
    let page = &handbook.pages[i];
    let from = page.url.as_str();
    let section = shows_section(page).then(|| {
        let (start, end) = section_window(handbook, i);
        let sec = &handbook.sections[page.section];
        let links = &values.section_links[&page.section];
        // The cached links, but for the one to this page (marked current).
        let pages: Vec<Value> = sec.pages[start..end]
            .iter()
            .zip(&links[start..end])
            .map(|(&p, made)| match &handbook.pages[p] {
                target if target.url == from => Value::from_serializable(&link(from, target)),
                _ => made.clone(),
            })
            .collect();
        let index = &handbook.pages[sec.index];
        let fields = std::collections::BTreeMap::from([
            ("title", Value::from(index.title.as_str())),
            ("url", Value::from(relative(from, &index.url))),
            ("pages", Value::from(pages)),
            ("more_before", Value::from(start)),
            ("more_after", Value::from(sec.pages.len() - end)),
        ]);
        Value::from(fields)
    });
    let (listing, subsections) = listings(handbook, page);
    let pathway = super::pathway::view(handbook, page, &SiteLinker { from_url: from }, from, "", 2);
    let mut ctx = tera::Context::new();
    ctx.insert_value("site", values.site.clone());
    ctx.insert_value(
        "page",
        Value::from_serializable(&page_info(handbook, page, rendered)),
    );
    ctx.insert_value("root", Value::from(root_of(from)));
    ctx.insert_value("nav", values.nav.clone());
    ctx.insert_value(
        "breadcrumb",
        Value::from_serializable(&breadcrumb(handbook, i)),
    );
    ctx.insert_value("section", section.unwrap_or_else(Value::none));
    let prev = i.checked_sub(1).map(|p| link(from, &handbook.pages[p]));
    ctx.insert_value("prev", Value::from_serializable(&prev));
    let next = handbook.pages.get(i + 1).map(|p| link(from, p));
    ctx.insert_value("next", Value::from_serializable(&next));
    ctx.insert_value("listing", Value::from_serializable(&listing));
    ctx.insert_value("subsections", Value::from_serializable(&subsections));
    ctx.insert_value("services", values.cards_of(page));
    ctx.insert_value("urgent_services", values.urgent.clone());
    ctx.insert_value("urgent_html", values.urgent_html.clone());
    if let Some(html) = &values.urgent_help {
        ctx.insert_value("urgent_help_html", html.clone());
    }
    ctx.insert_value("pathway", Value::from_serializable(&pathway));
    ctx
}

/// The 404 page: served at any depth by a static host, so its links are
/// absolute when the handbook has a base_url and root-relative otherwise.
pub fn not_found<'a>(handbook: &'a Handbook, shared: &'a Shared) -> PageContext<'a> {
    let mut ctx = page_like(handbook, shared, "404.html", "Page not found");
    if let Some(base) = &handbook.config.base_url {
        ctx.root = base.clone();
        for l in &mut ctx.nav {
            l.url = format!("{base}{}", l.url);
        }
        for c in &mut ctx.urgent_services {
            c.url = format!("{base}{}", c.url);
        }
    }
    ctx
}

/// A context for a generated page that has no Markdown of its own.
pub fn page_like<'a>(
    handbook: &'a Handbook,
    shared: &'a Shared,
    url: &'a str,
    title: &'a str,
) -> PageContext<'a> {
    PageContext {
        site: site_info(handbook),
        page: PageInfo {
            title,
            summary: None,
            url,
            lang: &handbook.config.language,
            kind: "generated",
            audience: Vec::new(),
            owner: None,
            last_reviewed: None,
            review_by: None,
            tags: &[],
            principles: Vec::new(),
            content: "",
            toc: Vec::new(),
            staff_only: false,
            draft: false,
            canonical: None,
        },
        root: root_of(url),
        nav: nav(handbook, url),
        breadcrumb: vec![link(url, &handbook.pages[handbook.sections[0].index])],
        section: None,
        prev: None,
        next: None,
        listing: Vec::new(),
        subsections: Vec::new(),
        services: Vec::new(),
        urgent_services: shared
            .urgent_services
            .iter()
            .map(|c| rebase_card(c, url))
            .collect(),
        urgent_html: &shared.urgent_html,
        pathway: None,
    }
}

fn rebase_card(card: &ServiceCard, from: &str) -> ServiceCard {
    ServiceCard {
        url: relative(from, &format!("services/{}.html", card.id)),
        ..card.clone()
    }
}

/// A service as a card, with every contact as a real link.
pub fn service_card(service: &Service, from: &str) -> ServiceCard {
    let description_html = service
        .description
        .as_deref()
        .map(|d| markdown::render(d, "", 1, &SiteLinker { from_url: from }).html)
        .unwrap_or_default();
    card_with(service, from, description_html)
}

fn card_with(service: &Service, from: &str, description_html: String) -> ServiceCard {
    ServiceCard {
        id: service.id.clone(),
        name: service.name.clone(),
        organisation: service.organisation.clone(),
        description_html,
        url: relative(from, &format!("services/{}.html", service.id)),
        urgent: service.urgent,
        hours: service.hours.clone(),
        cost: service.cost.clone(),
        contacts: contact_links(service),
        staff_only: service.visibility == Visibility::Staff,
        facts: super::services::facts(service),
    }
}

pub fn contact_links(service: &Service) -> Vec<ContactLink> {
    let c = &service.contact;
    let mut out = Vec::new();
    if let Some(phone) = &c.phone {
        out.push(ContactLink {
            kind: "phone",
            label: "Call".into(),
            value: phone.clone(),
            href: format!("tel:{}", dial_digits(phone)),
        });
    }
    if let Some(text) = &c.text {
        out.push(ContactLink {
            kind: "text",
            label: "Text".into(),
            value: text.clone(),
            href: format!("sms:{}", dial_digits(text)),
        });
    }
    if let Some(email) = &c.email {
        out.push(ContactLink {
            kind: "email",
            label: "Email".into(),
            value: email.clone(),
            href: format!("mailto:{email}"),
        });
    }
    if let Some(web) = &c.website {
        out.push(ContactLink {
            kind: "website",
            label: "Website".into(),
            value: display_url(web),
            href: web.clone(),
        });
    }
    if let Some(chat) = &c.webchat {
        out.push(ContactLink {
            kind: "webchat",
            label: "Web chat".into(),
            value: display_url(chat),
            href: chat.clone(),
        });
    }
    out
}

/// The digits (and a leading `+`) of a phone number, for `tel:` and `sms:`.
pub fn dial_digits(number: &str) -> String {
    let trimmed = number.trim();
    let plus = if trimmed.starts_with('+') { "+" } else { "" };
    format!(
        "{plus}{}",
        trimmed
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
    )
}

fn display_url(url: &str) -> String {
    url.trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page's context as it was made before [`page_context`], without the
    /// parts in [`FolderValues`].
    fn page_before<'a>(
        handbook: &'a Handbook,
        shared: &'a Shared,
        i: usize,
        rendered: &'a Rendered,
    ) -> PageContext<'a> {
        let page = &handbook.pages[i];
        let from = page.url.as_str();
        let section = &handbook.sections[page.section];

        // Breadcrumbs and listings are made as they were, by the functions
        // both ways share; the section list is what changed.
        let breadcrumb = breadcrumb(handbook, i);

        let section_info = (page.kind == PageKind::Regular && page.section != 0).then(|| {
            let list = &section.pages;
            let (start, end) = section_window(handbook, i);
            let index = &handbook.pages[section.index];
            SectionInfo {
                title: index.title.clone(),
                url: relative(from, &index.url),
                pages: list[start..end]
                    .iter()
                    .map(|&p| link(from, &handbook.pages[p]))
                    .collect(),
                more_before: start,
                more_after: list.len() - end,
            }
        });

        let (listing, subsections) = listings(handbook, page);

        PageContext {
            site: site_info(handbook),
            // Moved as it was into `page_info`, which both ways share.
            page: page_info(handbook, page, rendered),
            root: root_of(from),
            nav: Vec::new(),
            breadcrumb,
            section: section_info,
            prev: i.checked_sub(1).map(|p| link(from, &handbook.pages[p])),
            next: handbook.pages.get(i + 1).map(|p| link(from, p)),
            listing,
            subsections,
            // These three are the same for every page of a folder: the caller
            // adds them from `FolderValues`.
            services: Vec::new(),
            urgent_services: Vec::new(),
            urgent_html: &shared.urgent_html,
            pathway: crate::render::pathway::view(
                handbook,
                page,
                &SiteLinker { from_url: from },
                from,
                "",
                2,
            ),
        }
    }

    /// `page_context` against the `PageContext` made for each page before,
    /// with the values made per folder added as they were.
    fn assert_contexts_as_before(dir: &std::path::Path) {
        let options = crate::CompileOptions {
            today: crate::date::Date::parse("2026-11-23").unwrap(),
            ..Default::default()
        };
        let (handbook, _, rendered, diagnostics) = crate::analyse(dir, options).unwrap();
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let shared = Shared::new(&handbook);
        let folders = folder_values(&handbook, &shared, MadeOnce::default());
        for (i, page) in handbook.pages.iter().enumerate() {
            let folder = folder_of(page);
            let values = &folders[folder];
            let mut before =
                tera::Context::from_serialize(&page_before(&handbook, &shared, i, &rendered[i]))
                    .unwrap();
            before.insert_value("nav", values.nav.clone());
            before.insert_value("urgent_services", values.urgent.clone());
            before.insert_value("services", values.cards_of(page));
            let now = page_context(&handbook, i, &rendered[i], values);
            assert_eq!(now, before, "{}", page.url);
        }
    }

    #[test]
    fn parts_made_once_give_the_pages_including_them_gives() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let options = crate::CompileOptions {
            today: crate::date::Date::parse("2026-11-23").unwrap(),
            ..Default::default()
        };
        let (handbook, _, rendered, diagnostics) = crate::analyse(&dir, options).unwrap();
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let theme = crate::load::load_theme(&dir, "default", &dir.join("handbook.yaml")).unwrap();
        let templates = Templates::new(&theme).unwrap();
        let shared = Shared::new(&handbook);
        let included = folder_values(&handbook, &shared, MadeOnce::default());
        // The built-in theme has both parts made once.
        let made_once = MadeOnce::with(&theme, &templates);
        assert!(made_once.cards.is_some() && made_once.urgent_help.is_some());
        let made = folder_values(&handbook, &shared, made_once);
        let mut with_cards = 0;
        for (i, page) in handbook.pages.iter().enumerate() {
            let folder = folder_of(page);
            let cards = made[folder].cards_of(page);
            if !page.services.is_empty() {
                with_cards += 1;
                assert!(format!("{cards:?}").contains("\"html\""), "{}", page.url);
            }
            let context = page_context(&handbook, i, &rendered[i], &made[folder]);
            assert!(
                format!("{context:?}").contains("urgent_help_html"),
                "{}",
                page.url
            );
            let html = |values: &FolderValues| {
                let context = page_context(&handbook, i, &rendered[i], values);
                templates
                    .render_context(template_for(page), &context, 0)
                    .unwrap()
            };
            assert_eq!(
                String::from_utf8(html(&made[folder])).unwrap(),
                String::from_utf8(html(&included[folder])).unwrap(),
                "{}",
                page.url
            );
        }
        assert!(
            with_cards > 3,
            "the example shows services on {with_cards} pages"
        );
    }

    /// Writes `text` to `rel` under `root`, making its folders.
    fn write_in(root: &std::path::Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn page_contexts_are_as_before() {
        assert_contexts_as_before(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        );
        // Sections longer than the list beside a page, nested folders and a
        // base URL.
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| write_in(dir.path(), rel, text);
        write(
            "handbook.yaml",
            "title: T\nbase_url: https://example.org/hb/\nurgent_help:\n  services: []\n",
        );
        write("index.md", "---\ntitle: Home\n---\nText.\n");
        for (folder, count) in [("big", 45), ("big/sub", 3), ("small", 2), ("edge", 31)] {
            write(
                &format!("{folder}/_index.md"),
                &format!("---\ntitle: Index of {folder}\nsummary: About {folder}.\n---\nText.\n"),
            );
            for n in 0..count {
                write(
                    &format!("{folder}/p{n:02}.md"),
                    &format!(
                        "---\ntitle: Page {n} of {folder}\n---\n## One\n\n## Two\n\n### Three\n"
                    ),
                );
            }
        }
        assert_contexts_as_before(dir.path());
    }

    /// Cards made once per relative path to `services/` are the cards made
    /// for each folder from its own first page.
    #[test]
    fn folder_cards_match_cards_made_per_folder() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| write_in(dir.path(), rel, text);
        write(
            "handbook.yaml",
            "title: T\nurgent_help:\n  services: [plain]\n",
        );
        let service = |id: &str, description: &str| {
            format!(
                "  - id: {id}\n    name: N {id}\n{description}    contact:\n      phone: \"0800 1111\"\n    last_verified: 2026-10-01\n"
            )
        };
        write(
            "services.yaml",
            &format!(
                "services:\n{}{}{}",
                service("plain", "    description: Plain words.\n"),
                service(
                    "linked",
                    "    description: See [the policy](policy/a.md) and [plain](service:plain).\n"
                ),
                service("bare", ""),
            ),
        );
        let front = |title: &str| {
            format!("---\ntitle: {title}\nservices: [plain, linked, bare]\n---\nText.\n")
        };
        for rel in [
            "index.md",
            "policy/a.md",
            "policy/b.md",
            "policy/deep/c.md",
            "roles/d.md",
            "roles/deep/e.md",
            "roles/deep/er/f.md",
        ] {
            write(rel, &front(rel));
        }
        let options = crate::CompileOptions {
            today: crate::date::Date::parse("2026-11-23").unwrap(),
            ..Default::default()
        };
        let (handbook, _, _, diagnostics) = crate::analyse(dir.path(), options).unwrap();
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        let shared = Shared::new(&handbook);
        let folders = folder_values(&handbook, &shared, MadeOnce::default());
        assert_eq!(folders.len(), 6);
        for page in &handbook.pages {
            let folder = folder_of(page);
            let first = handbook
                .pages
                .iter()
                .find(|p| folder_of(p) == folder)
                .unwrap();
            let values = &folders[folder];
            for r in &page.services {
                let service = handbook.service(&r.id).unwrap();
                let plain = tera::Value::from_serializable(&service_card(service, &first.url));
                assert_eq!(values.cards[&r.id], plain, "{} in {folder}", r.id);
            }
        }
    }

    #[test]
    fn dial_digits_keep_only_digits_and_plus() {
        assert_eq!(dial_digits("0800 1111"), "08001111");
        assert_eq!(dial_digits("+44 1632 960 001"), "+441632960001");
        assert_eq!(dial_digits("116 123"), "116123");
    }
}
