//! Referral pathways: the `steps` of a page in pathways/, as a checked graph.

use std::collections::{HashMap, HashSet, VecDeque};

use super::Handbook;
use crate::config::Ref;
use crate::diagnostic::{self, Diagnostic};
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
    /// Where its `id` value is written (the step's start when it has none).
    pub id_pos: Pos,
    /// Where the Markdown of `do` starts in the file, for link positions.
    pub action_pos: Pos,
}

impl Step {
    /// A step without `next` ends the pathway.
    pub fn is_ending(&self) -> bool {
        self.next.is_empty()
    }
}

/// Steps from the front matter; `front_line` is the file line the front
/// matter starts on, so positions are file positions.
pub fn steps_from_raw(raw: &[RawStep], front: &yaml::Located, front_line: usize) -> Vec<Step> {
    let items = front.list_items("steps");
    let to_file = |p: Pos| Pos::new(p.line + front_line - 1, p.col);
    raw.iter()
        .enumerate()
        .map(|(i, s)| {
            let within = items.get(i).copied().unwrap_or_else(|| front.all());
            let locate = |key: &str, value: &str| {
                to_file(
                    front
                        .find_value(within, key, value)
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
            let first_col = front
                .line(within.start.max(1))
                .map_or(1, |l| l.len() - l.trim_start().len() + 1);
            let pos = to_file(Pos::new(within.start, first_col));
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
                pos,
                id_pos: match &s.id {
                    Some(id) => locate("id", id),
                    None => pos,
                },
                action_pos: action_start(front, within).map(to_file).unwrap_or(pos),
            }
        })
        .collect()
}

/// Where the text of `do:` starts: on the key's line, or on the line after
/// a block scalar indicator (`|`, `>`), at that line's indentation.
fn action_start(front: &yaml::Located, within: yaml::Lines) -> Option<Pos> {
    let key = front
        .find_key_from("do", within.start)
        .filter(|p| p.line < within.end)?;
    let line = front.line(key.line)?;
    let after = key.col - 1 + "do".len();
    let rest = line.get(after..)?.trim_start_matches([' ', ':']);
    let value_col = line.len() - rest.len() + 1;
    let indicator = rest.trim_end();
    if indicator.is_empty() || indicator.starts_with(['|', '>']) {
        let next = front.line(key.line + 1)?;
        let indent = next.len() - next.trim_start().len();
        return Some(Pos::new(key.line + 1, indent + 1));
    }
    // A quoted scalar's text starts after the quote.
    let quoted = usize::from(rest.starts_with(['"', '\'']));
    Some(Pos::new(key.line, value_col + quoted))
}

/// Whether `id` can be an HTML id and a URL fragment as written.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "#\"'<>%?&/\\".contains(c))
}

/// Checks every pathway in the edition: ids, links between steps,
/// reachability, endings, services, and an urgent branch.
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
        let steps_pos = page.locate("steps", "");
        if steps.is_empty() {
            err(
                steps_pos,
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
                    step.id_pos,
                    format!(
                        "step id `{}` is used twice (first on line {})",
                        step.id, first.id_pos.line
                    ),
                    "give each step of a pathway its own id",
                );
            } else {
                if !valid_id(&step.id) {
                    err(
                        step.id_pos,
                        format!("step id `{}` is not a valid id", step.id),
                        "use letters, digits and `-`, e.g. `tell-dsl`: the id becomes the step's link `page.md#tell-dsl`",
                    );
                } else if crate::render::markdown::RESERVED_IDS.contains(&step.id.as_str()) {
                    err(
                        step.id_pos,
                        format!("step id `{}` is used by the page itself", step.id),
                        "choose another id for this step",
                    );
                }
                ids.insert(&step.id, step);
            }
            if step.title.trim().is_empty() {
                let name = match step.id.is_empty() {
                    true => "a step".to_string(),
                    false => format!("step `{}`", step.id),
                };
                err(
                    step.pos,
                    format!("{name} has no `title`"),
                    "the title says what happens at this step, e.g. `Tell the DSL the same day`",
                );
            }
        }
        for step in steps {
            for next in &step.next {
                if next.id == step.id {
                    err(
                        next.pos,
                        format!("step `{}` goes next to itself", step.id),
                        "a step's `next` names the steps that follow it",
                    );
                } else if !ids.contains_key(next.id.as_str()) {
                    let names: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
                    let hint = match diagnostic::nearest(&next.id, names.iter().copied()) {
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
                if handbook.service(&service.id).is_some() {
                    continue;
                }
                if handbook.left_out_service(&service.id) {
                    err(
                        service.pos,
                        format!(
                            "service `{}` is staff-only and cannot appear in the public edition",
                            service.id
                        ),
                        "name it only in steps of staff pages, or make the page `visibility: staff`",
                    );
                } else {
                    let hint = match diagnostic::nearest(
                        &service.id,
                        handbook.services.iter().map(|s| s.id.as_str()),
                    ) {
                        Some(n) => format!("did you mean `{n}`?"),
                        None => "service ids are listed in services.yaml".into(),
                    };
                    err(
                        service.pos,
                        format!("unknown service `{}`", service.id),
                        &hint,
                    );
                }
            }
        }
        let first = &steps[0];
        // Without a first id there is no start to reach from (reported above).
        if !first.id.is_empty() {
            graph_checks(steps, &ids, &mut err);
        }
        if !steps.iter().any(|s| s.urgent) {
            err(
                steps_pos,
                "the pathway has no urgent step".into(),
                "mark the step for immediate risk with `urgent: true`, e.g. \"stay with the pupil and call 999\"",
            );
        }
    }
}

/// Every step is reachable from the first, and leads to an ending.
fn graph_checks(
    steps: &[Step],
    ids: &HashMap<&str, &Step>,
    err: &mut impl FnMut(Pos, String, &str),
) {
    let first = &steps[0];
    let reachable = reach(&[first.id.as_str()], |id| {
        ids.get(id)
            .map(|s| s.next.iter().map(|n| n.id.as_str()).collect())
            .unwrap_or_default()
    });
    for step in steps.iter().skip(1) {
        if !step.id.is_empty() && !reachable.contains(step.id.as_str()) {
            err(
                step.pos,
                format!(
                    "step `{}` cannot be reached from the first step `{}`",
                    step.id, first.id
                ),
                "add its id to the `next` of the step before it",
            );
        }
    }
    // Working back from the endings (steps without `next`) must reach every
    // step. Steps whose `next` is already reported count as ends here, so
    // one mistake is not reported again for every step before it.
    let mut before: HashMap<&str, Vec<&str>> = HashMap::new();
    for step in steps {
        for next in &step.next {
            before.entry(next.id.as_str()).or_default().push(&step.id);
        }
    }
    let seeds: Vec<&str> = steps
        .iter()
        .filter(|s| {
            s.is_ending()
                || s.next
                    .iter()
                    .any(|n| n.id == s.id || !ids.contains_key(n.id.as_str()))
        })
        .map(|s| s.id.as_str())
        .collect();
    let ends = reach(&seeds, |id| before.get(id).cloned().unwrap_or_default());
    for step in steps {
        if !step.id.is_empty()
            && reachable.contains(step.id.as_str())
            && !ends.contains(step.id.as_str())
        {
            err(
                step.pos,
                format!(
                    "step `{}` never leads to an end of the pathway: every way on from it comes back round",
                    step.id
                ),
                "a step without `next` ends the pathway; give this loop a way out to such a step",
            );
        }
    }
}

/// A step's id is also its element's id on the page, so no heading of the
/// page may have it too; `rendered[i]` belongs to `handbook.pages[i]`.
pub fn check_ids_against_headings(
    handbook: &Handbook,
    rendered: &[crate::render::Rendered],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (page, result) in handbook.pages.iter().zip(rendered) {
        let (Some(steps), Some(path)) = (&page.steps, &page.path) else {
            continue;
        };
        for step in steps {
            if let Some(heading) = result.headings.iter().find(|h| h.id == step.id) {
                diagnostics.push(
                    Diagnostic::error(
                        path,
                        step.id_pos.line,
                        step.id_pos.col,
                        format!(
                            "step id `{}` is also the id of the heading \"{}\" on this page",
                            step.id, heading.text
                        ),
                    )
                    .with_hint(
                        "rename the step, or give the heading another id with `{#another-id}`",
                    ),
                );
            }
        }
    }
}

/// The ids reachable from `start` (included) along `edges`.
fn reach<'a>(start: &[&'a str], edges: impl Fn(&str) -> Vec<&'a str>) -> HashSet<&'a str> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut queue: VecDeque<&str> = start.iter().copied().collect();
    while let Some(id) = queue.pop_front() {
        if seen.insert(id) {
            queue.extend(edges(id));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_positions_are_file_positions() {
        let front = "title: P\nsteps:\n  - id: a\n    title: A\n    do: Call [999](service:emergency-999).\n    next: [b]\n  - id: b\n    title: B\n    do: |\n      Tell the DSL.\n";
        let raw: Vec<RawStep> = vec![
            RawStep {
                id: Some("a".into()),
                title: Some("A".into()),
                action: Some("x".into()),
                next: vec!["b".into()],
                ..RawStep::default()
            },
            RawStep {
                id: Some("b".into()),
                title: Some("B".into()),
                action: Some("y".into()),
                ..RawStep::default()
            },
        ];
        let steps = steps_from_raw(&raw, &yaml::Located::new(front), 2);
        assert_eq!(steps[0].pos, Pos::new(4, 3));
        assert_eq!(steps[0].id_pos, Pos::new(4, 9));
        assert_eq!(steps[0].action_pos, Pos::new(6, 9));
        assert_eq!(steps[0].next[0].pos, Pos::new(7, 12));
        assert_eq!(steps[1].id_pos, Pos::new(8, 9));
        assert_eq!(steps[1].action_pos, Pos::new(11, 7));
    }

    fn step(id: &str, next: &[&str], urgent: bool) -> Step {
        Step {
            id: id.into(),
            title: format!("Step {id}"),
            who: None,
            when: None,
            action: None,
            timescale: None,
            services: Vec::new(),
            next: next
                .iter()
                .map(|n| Ref {
                    id: n.to_string(),
                    pos: Pos::new(1, 1),
                })
                .collect(),
            urgent,
            pos: Pos::new(1, 1),
            id_pos: Pos::new(1, 1),
            action_pos: Pos::new(1, 1),
        }
    }

    fn messages(steps: Vec<Step>) -> Vec<String> {
        let mut page = crate::model::Page::generated(
            "pathways/p.md".into(),
            "P".into(),
            crate::model::PageKind::Regular,
        );
        page.path = Some("p.md".into());
        page.steps = Some(steps);
        let handbook = Handbook {
            pages: vec![page],
            ..Handbook::default()
        };
        let mut diagnostics = Vec::new();
        check(&handbook, &mut diagnostics);
        diagnostics.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn one_mistake_is_reported_once() {
        // `b` goes to a missing step; `a` before it is not also "endless".
        assert_eq!(
            messages(vec![
                step("a", &["b", "c"], false),
                step("b", &["x"], false),
                step("c", &[], true)
            ]),
            ["step `b` goes next to `x`, which is not a step of this pathway"]
        );
        // A first step without an id does not make every other step unreachable.
        assert_eq!(
            messages(vec![step("", &["b"], false), step("b", &[], true)]),
            ["a step has no `id`"]
        );
    }

    #[test]
    fn ids_must_be_fragment_safe() {
        assert!(valid_id("tell-dsl"));
        assert!(valid_id("Step_2"));
        assert!(!valid_id("tell DSL"));
        assert!(!valid_id("a#b"));
        assert!(!valid_id("a\"b"));
        assert!(!valid_id(""));
    }
}
