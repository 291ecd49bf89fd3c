//! Sections (folders of pages), the edition filter, and reading order.

use std::collections::{BTreeMap, HashMap};

use super::page::{Page, PageKind};
use super::{LeftOut, Options, Visibility};

#[derive(Debug, Clone)]
pub struct Section {
    /// The folder, relative to the root, `""` for the home.
    pub dir: String,
    /// Index into `Handbook::pages` of the section's own page.
    pub index: usize,
    /// Its regular pages, in order.
    pub pages: Vec<usize>,
    /// Its subsections, in order.
    pub children: Vec<usize>,
    pub parent: Option<usize>,
}

/// Groups pages into sections, drops what the edition leaves out, and puts
/// everything in reading order. Returns the sections, the pages (with
/// `section` set) and the pages left out.
pub fn assemble(
    mut pages: Vec<Page>,
    handbook_title: &str,
    options: Options,
) -> (Vec<Section>, Vec<Page>, HashMap<String, LeftOut>) {
    // Every folder that holds a page, and every folder above it, is a section.
    let mut dirs: BTreeMap<String, Option<usize>> = BTreeMap::new();
    dirs.insert(String::new(), None);
    for (i, page) in pages.iter().enumerate() {
        // A folder already listed has its parents listed too (most pages
        // share their folder with the page before).
        let mut dir = page.dir();
        while !dirs.contains_key(dir) {
            dirs.insert(dir.to_string(), None);
            dir = parent_dir(dir).unwrap_or_default();
        }
        if page.kind != PageKind::Regular {
            let slot = dirs.get_mut(page.dir()).expect("inserted above");
            slot.get_or_insert(i);
        }
    }
    // Folders without an index page get a generated one.
    for (dir, slot) in dirs.iter_mut() {
        if slot.is_none() {
            let (source, title, kind) = if dir.is_empty() {
                (
                    "index.md".to_string(),
                    handbook_title.to_string(),
                    PageKind::Home,
                )
            } else {
                (
                    format!("{dir}/_index.md"),
                    title_from_folder(dir),
                    PageKind::SectionIndex,
                )
            };
            *slot = Some(pages.len());
            pages.push(Page::generated(source, title, kind));
        }
    }
    for &slot in dirs.values() {
        let i = slot.expect("every folder has an index now");
        if pages[i].dir().is_empty() || pages[i].kind == PageKind::Home {
            pages[i].kind = PageKind::Home;
        }
    }
    // A second index in the same folder (index.md beside _index.md) is an
    // ordinary page for ordering; the output-path check reports the clash.
    for (i, page) in pages.iter_mut().enumerate() {
        if page.kind != PageKind::Regular && dirs.get(page.dir()) != Some(&Some(i)) {
            page.kind = PageKind::Regular;
        }
    }

    // Staff-only and draft status flow down from a section to all within it.
    let mut inherited: HashMap<String, (Visibility, bool)> = HashMap::new();
    for (dir, slot) in &dirs {
        let index = &pages[slot.expect("set")];
        let parent = parent_dir(dir)
            .and_then(|p| inherited.get(p).copied())
            .unwrap_or_default();
        inherited.insert(
            dir.clone(),
            (parent.0.max(index.visibility), parent.1 || index.draft),
        );
    }
    let mut left_out = HashMap::new();
    let mut keep = vec![true; pages.len()];
    for (i, page) in pages.iter_mut().enumerate() {
        let (vis, draft) = inherited.get(page.dir()).copied().unwrap_or_default();
        page.visibility = page.visibility.max(vis);
        page.draft |= draft;
        if !options.edition.includes(page.visibility) {
            keep[i] = false;
            left_out.insert(page.source.clone(), LeftOut::StaffOnly);
        } else if page.draft && !options.drafts {
            keep[i] = false;
            left_out.insert(page.source.clone(), LeftOut::Draft);
        }
    }

    // Build the section tree over what is kept.
    let mut sections: Vec<Section> = Vec::new();
    let mut section_of_dir: HashMap<String, usize> = HashMap::new();
    for (dir, slot) in &dirs {
        let index = slot.expect("set");
        let parent = parent_dir(dir).and_then(|p| section_of_dir.get(p).copied());
        if !keep[index] || (!dir.is_empty() && parent.is_none()) {
            continue;
        }
        section_of_dir.insert(dir.clone(), sections.len());
        sections.push(Section {
            dir: dir.clone(),
            index,
            pages: Vec::new(),
            children: Vec::new(),
            parent,
        });
    }
    // Each page's key made once per sort, not once per comparison.
    let order_key = |p: &Page| (p.weight, p.title.to_lowercase(), p.source.clone());
    for (i, page) in pages.iter().enumerate() {
        if keep[i] && page.kind == PageKind::Regular {
            match section_of_dir.get(page.dir()) {
                Some(&s) => sections[s].pages.push(i),
                None => keep[i] = false,
            }
        }
    }
    for s in 1..sections.len() {
        if let Some(p) = sections[s].parent {
            sections[p].children.push(s);
        }
    }
    for s in 0..sections.len() {
        let mut list = std::mem::take(&mut sections[s].pages);
        list.sort_by_cached_key(|&i| order_key(&pages[i]));
        sections[s].pages = list;
        let mut children = std::mem::take(&mut sections[s].children);
        children.sort_by_cached_key(|&c| order_key(&pages[sections[c].index]));
        sections[s].children = children;
    }

    // Reading order: a section's index, its pages, then its subsections.
    let mut order = Vec::new();
    let mut stack = vec![0usize];
    while let Some(s) = stack.pop() {
        order.push((sections[s].index, s));
        order.extend(sections[s].pages.iter().map(|&p| (p, s)));
        stack.extend(sections[s].children.iter().rev());
    }
    let mut new_index = vec![usize::MAX; pages.len()];
    for (new, &(old, _)) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Page>> = pages.into_iter().map(Some).collect();
    let ordered: Vec<Page> = order
        .iter()
        .map(|&(old, s)| {
            let mut page = slots[old].take().expect("each page once");
            page.section = s;
            page
        })
        .collect();
    for section in &mut sections {
        section.index = new_index[section.index];
        for p in &mut section.pages {
            *p = new_index[*p];
        }
    }
    (sections, ordered, left_out)
}

fn parent_dir(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        None
    } else {
        Some(dir.rsplit_once('/').map_or("", |(p, _)| p))
    }
}

/// `mental-health` → `Mental health`.
fn title_from_folder(dir: &str) -> String {
    let name = dir
        .rsplit('/')
        .next()
        .unwrap_or(dir)
        .replace(['-', '_'], " ");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::model::Edition;

    fn page(source: &str, title: &str, weight: i64) -> Page {
        let kind = if source.ends_with("_index.md") {
            PageKind::SectionIndex
        } else {
            PageKind::Regular
        };
        let mut p = Page::generated(source.into(), title.into(), kind);
        p.weight = weight;
        p
    }

    fn options(edition: Edition) -> Options {
        Options {
            edition,
            drafts: false,
            today: Date::default(),
        }
    }

    #[test]
    fn reading_order_follows_weight_then_title() {
        let pages = vec![
            page("policy/b.md", "Bravo", 0),
            page("policy/a.md", "Alpha", 0),
            page("policy/z.md", "Zulu", -1),
            page("roles/_index.md", "Roles", 1),
            page("policy/_index.md", "Policy", 2),
        ];
        let (sections, pages, _) = assemble(pages, "Handbook", options(Edition::Public));
        let order: Vec<&str> = pages.iter().map(|p| p.source.as_str()).collect();
        assert_eq!(
            order,
            [
                "index.md",
                "roles/_index.md",
                "policy/_index.md",
                "policy/z.md",
                "policy/a.md",
                "policy/b.md"
            ]
        );
        assert_eq!(sections.len(), 3);
        assert_eq!(pages[sections[0].index].title, "Handbook");
    }

    #[test]
    fn staff_sections_take_their_pages_with_them() {
        let mut index = page("staff/_index.md", "Staff", 0);
        index.visibility = Visibility::Staff;
        let pages = vec![
            index,
            page("staff/a.md", "A", 0),
            page("parents/b.md", "B", 0),
        ];
        let (_, public, left_out) = assemble(pages.clone(), "H", options(Edition::Public));
        assert!(public.iter().all(|p| !p.source.starts_with("staff/")));
        assert_eq!(left_out.get("staff/a.md"), Some(&LeftOut::StaffOnly));
        let (_, staff, _) = assemble(pages, "H", options(Edition::Staff));
        assert!(staff.iter().any(|p| p.source == "staff/a.md"));
        assert!(
            staff
                .iter()
                .find(|p| p.source == "staff/a.md")
                .unwrap()
                .visibility
                == Visibility::Staff
        );
    }

    #[test]
    fn generated_section_titles() {
        assert_eq!(title_from_folder("a/mental-health"), "Mental health");
    }
}
