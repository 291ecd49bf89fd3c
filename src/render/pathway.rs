//! A pathway page's steps as the templates see them: the numbered list,
//! the urgent steps repeated at the top, and the diagram with its text
//! alternative.

use serde::Serialize;

use super::SiteLinker;
use super::context::{ServiceCard, service_card};
use super::diagram::{self, Node};
use super::markdown::{self, LinkRef, Linker};
use crate::load::Pos;
use crate::model::pathway::Step;
use crate::model::{Handbook, Page};

#[derive(Serialize, Clone)]
pub struct PathwayView {
    /// Put before every id (empty on the page itself; the page's anchor in print).
    pub prefix: String,
    /// Heading level of the pathway's own headings; steps are one below.
    pub level: u8,
    pub step_level: u8,
    pub steps: Vec<StepView>,
    pub has_urgent: bool,
    /// Inline SVG, or `None` when the pathway is too large to draw.
    pub diagram: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct StepView {
    /// The element id (the step id, prefixed in print).
    pub id: String,
    pub number: usize,
    pub title: String,
    pub who: Option<String>,
    pub when: Option<String>,
    pub timescale: Option<String>,
    pub action_html: String,
    pub urgent: bool,
    pub ending: bool,
    pub services: Vec<ServiceCard>,
    pub next: Vec<StepLink>,
}

#[derive(Serialize, Clone)]
pub struct StepLink {
    pub number: usize,
    pub title: String,
    pub href: String,
}

/// The view of `page`'s steps, rendered for the file at `from_url`, whose
/// links `linker` makes; `prefix` goes before every id.
pub fn view(
    handbook: &Handbook,
    page: &Page,
    linker: &dyn Linker,
    from_url: &str,
    prefix: &str,
    level: u8,
) -> Option<PathwayView> {
    let steps = page.steps.as_ref().filter(|s| !s.is_empty())?;
    let index_of = |id: &str| steps.iter().position(|s| s.id == id);
    let views: Vec<StepView> = steps
        .iter()
        .enumerate()
        .map(|(i, step)| StepView {
            id: format!("{prefix}{}", step.id),
            number: i + 1,
            title: step.title.clone(),
            who: step.who.clone(),
            when: step.when.clone(),
            timescale: step.timescale.clone(),
            action_html: step
                .action
                .as_deref()
                .map(|md| markdown::render(md, page.dir(), step.action_pos.line, linker).html)
                .unwrap_or_default(),
            urgent: step.urgent,
            ending: step.is_ending(),
            services: step
                .services
                .iter()
                .filter_map(|r| handbook.service(&r.id))
                .map(|s| service_card(s, from_url))
                .collect(),
            next: step
                .next
                .iter()
                .filter_map(|n| index_of(&n.id))
                .map(|j| StepLink {
                    number: j + 1,
                    title: steps[j].title.clone(),
                    href: format!("#{prefix}{}", steps[j].id),
                })
                .collect(),
        })
        .collect();
    let nodes: Vec<Node> = steps
        .iter()
        .enumerate()
        .map(|(i, step)| Node {
            href: format!("{prefix}{}", step.id),
            title: format!("{}. {}", i + 1, step.title),
            urgent: step.urgent,
            next: step.next.iter().filter_map(|n| index_of(&n.id)).collect(),
        })
        .collect();
    let title = format!("Diagram of the pathway: {}", page.title);
    let description = describe(&views);
    let diagram = diagram::svg(
        &nodes,
        &diagram::Labels {
            id_prefix: prefix,
            title: &title,
            description: &description,
        },
    );
    Some(PathwayView {
        prefix: prefix.to_string(),
        level,
        step_level: level + 1,
        has_urgent: steps.iter().any(|s| s.urgent),
        steps: views,
        diagram,
    })
}

/// The diagram's text alternative: every step with its number, its urgency,
/// and where it leads, as the list says it.
pub fn describe(steps: &[StepView]) -> String {
    let mut out = format!(
        "{} steps, read from the top down. Each box is a step in the list \u{201c}Step by step\u{201d}.",
        steps.len()
    );
    for step in steps {
        let urgent = if step.urgent { ", urgent" } else { "" };
        out.push_str(&format!(" Step {}{urgent}: {}.", step.number, step.title));
        if step.ending {
            out.push_str(" This is an end of the pathway.");
        } else {
            let next: Vec<String> = step
                .next
                .iter()
                .map(|n| format!("step {}", n.number))
                .collect();
            out.push_str(&format!(" Next: {}.", next.join(" or ")));
        }
    }
    out
}

/// The links in the `do` Markdown of a page's steps, with file positions,
/// so they are checked like the links of the page's body.
pub fn step_links(page: &Page) -> Vec<LinkRef> {
    let linker = SiteLinker {
        from_url: &page.url,
    };
    page.steps
        .iter()
        .flatten()
        .filter_map(|step: &Step| step.action.as_deref().map(|md| (step, md)))
        .flat_map(|(step, md)| {
            let indent = step.action_pos.col.saturating_sub(1);
            markdown::render(md, page.dir(), step.action_pos.line, &linker)
                .links
                .into_iter()
                .map(move |mut link| {
                    link.pos = Pos::new(link.pos.line, link.pos.col + indent);
                    link
                })
        })
        .collect()
}
