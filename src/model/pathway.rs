//! Referral pathways: the `steps` of a page in pathways/, as a checked graph.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Handbook;
use crate::config::Ref;
use crate::diagnostic::Diagnostic;
use crate::load::{Pos, raw::RawStep, yaml};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub who: Option<String>,
    pub when: Option<String>,
    /// Markdown.
    pub action: Option<String>,
    pub timescale: Option<String>,
    pub services: Vec<Ref>,
    pub next: Vec<Ref>,
    pub urgent: bool,
    /// Where the step starts in the file.
    pub pos: Pos,
}

impl Step {
    /// A step without `next` ends the pathway.
    pub fn is_ending(&self) -> bool {
        self.next.is_empty()
    }
}

/// Steps from the front matter; `front_line` is the file line the front
/// matter starts on, so positions are file positions.
pub fn steps_from_raw(raw: &[RawStep], front_text: &str, front_line: usize) -> Vec<Step> {
    let items = yaml::list_items(front_text, "steps");
    let to_file = |p: Pos| Pos::new(p.line + front_line - 1, p.col);
    raw.iter()
        .enumerate()
        .map(|(i, s)| {
            let within = items.get(i).copied().unwrap_or(yaml::all_lines(front_text));
            let locate = |key: &str, value: &str| {
                to_file(
                    yaml::find_value(front_text, within, key, value)
                        .unwrap_or(Pos::new(within.start, 1)),
                )
            };
            let refs = |key: &str, ids: &[String]| {
                ids.iter()
                    .map(|id| Ref {
                        id: id.clone(),
                        pos: locate(key, id),
                    })
                    .collect::<Vec<_>>()
            };
            let first_col = front_text
                .lines()
                .nth(within.start.saturating_sub(1))
                .map_or(1, |l| l.len() - l.trim_start().len() + 1);
            Step {
                id: s.id.clone().unwrap_or_default(),
                title: s.title.clone().unwrap_or_default(),
                who: s.who.clone(),
                when: s.when.clone(),
                action: s.action.clone(),
                timescale: s.timescale.clone(),
                services: refs("services", &s.services),
                next: refs("next", &s.next),
                urgent: s.urgent,
                pos: to_file(Pos::new(within.start, first_col)),
            }
        })
        .collect()
}

/// Checks every pathway in the edition: ids, links between steps,
/// reachability, services, and an urgent branch.
pub fn check(handbook: &Handbook, diagnostics: &mut Vec<Diagnostic>) {
    for page in &handbook.pages {
        let (Some(steps), Some(path)) = (&page.steps, &page.path) else {
            continue;
        };
        let mut err = |pos: Pos, message: String, hint: &str| {
            let d = Diagnostic::error(path, pos.line, pos.col, message);
            diagnostics.push(if hint.is_empty() {
                d
            } else {
                d.with_hint(hint)
            });
        };
        if steps.is_empty() {
            err(
                page.locate("steps", ""),
                "the pathway has no steps".into(),
                "add at least one step under `steps:`",
            );
            continue;
        }
        let mut ids: HashMap<&str, &Step> = HashMap::new();
        for step in steps {
            if step.id.is_empty() {
                err(
                    step.pos,
                    "a step has no `id`".into(),
                    "give every step an id such as `tell-dsl`",
                );
            } else if let Some(first) = ids.get(step.id.as_str()) {
                err(
                    step.pos,
                    format!(
                        "step id `{}` is used twice (first on line {})",
                        step.id, first.pos.line
                    ),
                    "give each step of a pathway its own id",
                );
            } else {
                ids.insert(&step.id, step);
            }
            if step.title.trim().is_empty() {
                err(step.pos, format!("step `{}` has no `title`", step.id), "");
            }
            for next in &step.next {
                if !ids.contains_key(next.id.as_str()) && !steps.iter().any(|s| s.id == next.id) {
                    let names: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
                    let hint = match crate::diagnostic::nearest(&next.id, names.iter().copied()) {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => format!("steps in this pathway: {}", names.join(", ")),
                    };
                    err(
                        next.pos,
                        format!(
                            "step `{}` goes next to `{}`, which is not a step of this pathway",
                            step.id, next.id
                        ),
                        &hint,
                    );
                }
            }
            for service in &step.services {
                if handbook.service(&service.id).is_none() {
                    let message = match handbook.left_out_service(&service.id) {
                        true => format!(
                            "service `{}` is staff-only and cannot appear in the public edition",
                            service.id
                        ),
                        false => format!("unknown service `{}`", service.id),
                    };
                    err(
                        service.pos,
                        message,
                        "service ids are listed in services.yaml",
                    );
                }
            }
        }
        // Every step must be reachable from the first.
        let mut seen: HashSet<&str> = HashSet::new();
        let mut queue = VecDeque::from([steps[0].id.as_str()]);
        while let Some(id) = queue.pop_front() {
            if !seen.insert(id) {
                continue;
            }
            if let Some(step) = ids.get(id) {
                queue.extend(step.next.iter().map(|n| n.id.as_str()));
            }
        }
        for step in steps.iter().skip(1) {
            if !step.id.is_empty() && !seen.contains(step.id.as_str()) {
                err(
                    step.pos,
                    format!(
                        "step `{}` cannot be reached from the first step `{}`",
                        step.id, steps[0].id
                    ),
                    "add its id to the `next` of the step before it",
                );
            }
        }
        if !steps.iter().any(|s| s.urgent) {
            err(
                page.locate("steps", ""),
                "the pathway has no urgent step".into(),
                "mark the step for immediate risk with `urgent: true`, e.g. \"stay with the pupil and call 999\"",
            );
        }
    }
}
