//! A generated handbook of any size, for measuring the build: the six
//! sections (split into subfolders when large), 300 to 1,500 words a page
//! with headings, lists, tables, callouts and links between pages (some to
//! a heading), front matter with every field, a service map of one service
//! per ten pages, and a few referral pathways. The same seed gives the same
//! handbook, byte for byte. Every handbook it writes builds without errors.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// The day the generated dates are chosen around; builds of a corpus set
/// `HANDBOOK_TODAY` to it so that they never depend on the clock.
pub const TODAY: &str = "2026-11-23";

/// The most pages kept in one folder before a section is split into parts.
const FOLDER_LIMIT: usize = 60;
/// Pages in each part of a split section (its `_index.md` included).
const PART_SIZE: usize = 51;

/// A small, fast, seeded generator (SplitMix64): enough for plausible text.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.range(0, 99) < percent
    }
}

const SECTIONS: [(&str, &str); 6] = [
    ("policy", "Policy"),
    ("roles", "Roles and responsibilities"),
    ("pathways", "Referral pathways"),
    ("signposting", "Signposting"),
    ("parents", "For parents and carers"),
    ("staff", "For staff"),
];

const TOPICS: &[&str] = &[
    "anxiety",
    "low mood",
    "exam stress",
    "self-harm",
    "bereavement",
    "friendship problems",
    "bullying",
    "sleep",
    "eating worries",
    "school attendance",
    "online safety",
    "transition to secondary school",
    "young carers",
    "panic attacks",
    "anger",
    "loneliness",
    "body image",
    "family changes",
    "neurodiversity",
    "trauma",
];

const ASPECTS: &[&str] = &[
    "Supporting pupils with",
    "Talking about",
    "Noticing signs of",
    "Responding to",
    "Planning support for",
    "Working with families on",
    "Recording concerns about",
    "Classroom strategies for",
    "A guide to",
    "Frequently asked questions on",
];

const HEADINGS: &[&str] = &[
    "What this looks like",
    "Why it matters",
    "Signs to look out for",
    "What to do first",
    "Talking with the pupil",
    "Involving parents and carers",
    "When to tell the safeguarding lead",
    "Recording what happened",
    "Support in school",
    "Support outside school",
    "Reasonable adjustments",
    "Working with health services",
    "After a referral",
    "Looking after yourself",
    "Common questions",
    "Key contacts",
    "Useful phrases",
    "What the law says",
    "Monitoring and review",
    "Training for staff",
    "Pupil voice",
    "Examples from practice",
    "Things to avoid",
    "Checklist",
];

const SUBHEADINGS: &[&str] = &[
    "In the classroom",
    "At break and lunch",
    "At home",
    "For younger pupils",
    "For older pupils",
    "If you are unsure",
];

const ROLES: &[&str] = &[
    "Senior Mental Health Lead",
    "Designated Safeguarding Lead",
    "SENCo",
    "Head of Year",
    "School Counsellor",
    "Headteacher",
];

const TAGS: &[&str] = &[
    "policy",
    "safeguarding",
    "wellbeing",
    "referral",
    "parents",
    "pupils",
    "staff",
    "support",
    "training",
    "records",
];

const PRINCIPLES: &[&str] = &[
    "leadership",
    "ethos",
    "curriculum",
    "student-voice",
    "staff-development",
    "identifying-need",
    "parents-carers",
    "targeted-support",
];

const AUDIENCES: &[&str] = &["staff", "parents", "pupils"];

const WORDS: &[&str] = &[
    "pupils",
    "staff",
    "parents",
    "carers",
    "support",
    "wellbeing",
    "school",
    "listen",
    "notice",
    "concern",
    "help",
    "talk",
    "change",
    "worry",
    "feel",
    "safe",
    "trusted",
    "adult",
    "plan",
    "review",
    "record",
    "share",
    "agree",
    "meet",
    "week",
    "day",
    "class",
    "tutor",
    "lead",
    "service",
    "referral",
    "health",
    "family",
    "friend",
    "calm",
    "quiet",
    "space",
    "time",
    "need",
    "young",
    "people",
    "often",
    "usually",
    "sometimes",
    "early",
    "kind",
    "clear",
    "simple",
    "steady",
    "routine",
    "learning",
    "lesson",
    "break",
    "home",
    "sleep",
    "mood",
    "behaviour",
    "attendance",
    "progress",
    "confidence",
    "advice",
    "guidance",
    "check",
    "follow",
    "up",
    "the",
    "a",
    "and",
    "to",
    "of",
    "with",
    "for",
    "when",
    "if",
    "we",
    "they",
    "you",
    "can",
    "will",
    "should",
    "may",
    "not",
    "about",
    "what",
    "how",
    "who",
    "this",
    "that",
    "their",
    "our",
    "in",
    "on",
    "at",
    "by",
];

struct Service {
    id: String,
    name: String,
}

/// One page of the corpus, known before any body is written so that links
/// can point at any page and at its headings.
struct PageSpec {
    rel: String,
    title: String,
    headings: Vec<&'static str>,
    /// Staff-only pages are never linked to, so the public edition builds.
    staff: bool,
    pathway: bool,
    index: bool,
}

/// What was written.
pub struct Written {
    pub pages: usize,
    pub services: usize,
    pub pathways: usize,
    pub bytes: u64,
}

/// Writes a handbook of `pages` Markdown pages (at least 7: the home and
/// six sections) into `dir`, which must not exist or be empty.
pub fn write(dir: &Path, pages: usize, seed: u64) -> io::Result<Written> {
    let pages = pages.max(7);
    let mut rng = Rng::new(seed);
    let services = services(pages);
    let specs = plan(pages, &mut rng);
    let mut bytes = 0u64;
    let mut put = |rel: &str, text: &str| -> io::Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        bytes += text.len() as u64;
        fs::write(path, text)
    };
    put("handbook.yaml", HANDBOOK_YAML)?;
    put("services.yaml", &services_yaml(&services))?;
    let targets: Vec<usize> = (0..specs.len()).filter(|&i| !specs[i].staff).collect();
    let mut pathways = 0;
    for (i, spec) in specs.iter().enumerate() {
        let text = page_text(i, spec, &specs, &targets, &services, &mut rng);
        pathways += usize::from(spec.pathway);
        put(&spec.rel, &text)?;
    }
    Ok(Written {
        pages: specs.len(),
        services: services.len(),
        pathways,
        bytes,
    })
}

/// Every page's path, title and headings, in reading order.
fn plan(pages: usize, rng: &mut Rng) -> Vec<PageSpec> {
    let mut specs = vec![PageSpec {
        rel: "index.md".into(),
        title: "Generated Academy mental health and wellbeing handbook".into(),
        headings: headings(rng, 2, 4),
        staff: false,
        pathway: false,
        index: true,
    }];
    let rest = pages - 1;
    let mut pathways = 0;
    for (s, (dir, title)) in SECTIONS.iter().enumerate() {
        // Share the pages out as evenly as the count allows.
        let count = rest / 6 + usize::from(s < rest % 6);
        specs.push(PageSpec {
            rel: format!("{dir}/_index.md"),
            title: title.to_string(),
            headings: headings(rng, 2, 4),
            staff: false,
            pathway: false,
            index: true,
        });
        let mut remaining = count - 1;
        let split = remaining > FOLDER_LIMIT;
        let mut part = 0;
        while remaining > 0 {
            let folder = if split {
                part += 1;
                specs.push(PageSpec {
                    rel: format!("{dir}/part-{part:02}/_index.md"),
                    title: format!("{title}: part {part}"),
                    headings: headings(rng, 2, 3),
                    staff: false,
                    pathway: false,
                    index: true,
                });
                remaining -= 1;
                format!("{dir}/part-{part:02}")
            } else {
                dir.to_string()
            };
            let here = if split {
                remaining.min(PART_SIZE - 1)
            } else {
                remaining
            };
            for _ in 0..here {
                let n = specs.len();
                let title = format!("{} {}", rng.pick(ASPECTS), rng.pick(TOPICS));
                let slug: String = title
                    .to_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                let pathway = *dir == "pathways" && pathways < 5;
                pathways += usize::from(pathway);
                specs.push(PageSpec {
                    rel: format!("{folder}/{slug}-{n}.md"),
                    title,
                    headings: headings(rng, 3, 8),
                    staff: *dir == "staff" && n % 25 == 0,
                    pathway,
                    index: false,
                });
            }
            remaining -= here;
        }
    }
    specs
}

/// Between `lo` and `hi` distinct h2 headings.
fn headings(rng: &mut Rng, lo: usize, hi: usize) -> Vec<&'static str> {
    let count = rng.range(lo, hi);
    let mut out: Vec<&'static str> = Vec::with_capacity(count);
    while out.len() < count {
        let h = *rng.pick(HEADINGS);
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// `policy/a.md` seen from folder `from_dir`, as a relative path (the
/// build's own rule, applied to a file in that folder).
fn relative(from_dir: &str, to: &str) -> String {
    let from = if from_dir.is_empty() {
        "x".to_string()
    } else {
        format!("{from_dir}/x")
    };
    handbook::render::relative(&from, to)
}

/// A heading's automatic id, by the build's own rule.
fn slug(text: &str) -> String {
    handbook::render::markdown::slug(text)
}

fn sentence(rng: &mut Rng, out: &mut String) -> usize {
    let words = rng.range(8, 18);
    for w in 0..words {
        let word = rng.pick(WORDS);
        if w == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push_str(". ");
    words
}

fn paragraph(rng: &mut Rng, out: &mut String) -> usize {
    let mut words = 0;
    for _ in 0..rng.range(2, 5) {
        words += sentence(rng, out);
    }
    out.pop();
    out.push_str("\n\n");
    words
}

/// A link to another page, sometimes to one of its headings.
fn page_link(
    rng: &mut Rng,
    from: &PageSpec,
    specs: &[PageSpec],
    targets: &[usize],
    out: &mut String,
) {
    let target = &specs[*rng.pick(targets)];
    let from_dir = from.rel.rsplit_once('/').map_or("", |(d, _)| d);
    let mut href = relative(from_dir, &target.rel);
    if rng.chance(40) {
        href.push('#');
        href.push_str(&slug(rng.pick::<&str>(&target.headings)));
    }
    let _ = write!(
        out,
        "See [{}]({href}) for more. ",
        target.title.to_lowercase()
    );
}

fn page_text(
    i: usize,
    spec: &PageSpec,
    specs: &[PageSpec],
    targets: &[usize],
    services: &[Service],
    rng: &mut Rng,
) -> String {
    let mut out = String::with_capacity(12_000);
    front_matter(i, spec, services, rng, &mut out);
    let goal = if spec.index {
        rng.range(300, 600)
    } else {
        rng.range(300, 1_500)
    };
    let mut words = paragraph(rng, &mut out);
    let mut links = rng.range(2, 6);
    for (h, heading) in spec.headings.iter().enumerate() {
        let _ = writeln!(out, "## {heading}\n");
        let remaining_sections = spec.headings.len() - h;
        let budget = goal.saturating_sub(words) / remaining_sections;
        let mut here = 0;
        let mut sub = 0;
        while here < budget.max(40) {
            match rng.range(0, 9) {
                0 | 1 => {
                    for _ in 0..rng.range(3, 6) {
                        out.push_str("- ");
                        here += sentence(rng, &mut out);
                        out.pop();
                        out.push('\n');
                    }
                    out.push('\n');
                }
                2 if sub < SUBHEADINGS.len() => {
                    let _ = writeln!(out, "### {}\n", SUBHEADINGS[sub]);
                    sub += 1;
                }
                3 => {
                    out.push_str("| Who | What they do | When |\n| --- | --- | --- |\n");
                    for _ in 0..rng.range(3, 5) {
                        let _ = writeln!(
                            out,
                            "| {} | {} {} the {} | {} |",
                            rng.pick(ROLES),
                            rng.pick(&["Listens to", "Records", "Reviews", "Agrees"]),
                            rng.pick(&["concerns about", "plans for", "support for"]),
                            rng.pick(TOPICS),
                            rng.pick(&["The same day", "Within a week", "Each term"]),
                        );
                        here += 12;
                    }
                    out.push('\n');
                }
                4 if rng.chance(30) => {
                    let kind = rng.pick(&["NOTE", "TIP", "IMPORTANT", "WARNING"]);
                    let _ = write!(out, "> [!{kind}]\n> ");
                    here += sentence(rng, &mut out);
                    out.push_str("\n\n");
                }
                5 | 6 if links > 0 => {
                    links -= 1;
                    here += sentence(rng, &mut out);
                    page_link(rng, spec, specs, targets, &mut out);
                    here += paragraph(rng, &mut out);
                }
                7 if rng.chance(40) => {
                    let s = rng.pick(services);
                    here += sentence(rng, &mut out);
                    let _ = write!(out, "[{}](service:{}) can help. ", s.name, s.id);
                    here += paragraph(rng, &mut out);
                }
                _ => here += paragraph(rng, &mut out),
            }
        }
        words += here;
    }
    out
}

fn front_matter(i: usize, spec: &PageSpec, services: &[Service], rng: &mut Rng, out: &mut String) {
    let audience: Vec<&str> = if spec.staff || spec.pathway {
        vec!["staff"]
    } else {
        AUDIENCES
            .iter()
            .copied()
            .filter(|_| rng.chance(70))
            .collect()
    };
    let audience = if audience.is_empty() {
        vec!["parents"]
    } else {
        audience
    };
    let mut principles: Vec<&str> = PRINCIPLES
        .iter()
        .copied()
        .filter(|_| rng.chance(25))
        .collect();
    if principles.is_empty() {
        principles.push(*rng.pick(PRINCIPLES));
    }
    let mut page_services: Vec<&str> = Vec::new();
    for _ in 0..rng.range(1, 3) {
        let id = rng.pick(services).id.as_str();
        if !page_services.contains(&id) {
            page_services.push(id);
        }
    }
    let tags: Vec<&str> = TAGS.iter().copied().filter(|_| rng.chance(20)).collect();
    let month = rng.range(1, 10);
    let _ = write!(
        out,
        "---\ntitle: \"{title}\"\nsummary: \"What the handbook says about {topic}, and who can help.\"\n\
         audience: [{audience}]\nvisibility: {visibility}\nprinciples: [{principles}]\n\
         owner: {owner}\nlast_reviewed: 2026-{month:02}-{day:02}\nreview_by: 2027-{month:02}-{day:02}\n\
         services: [{services}]\nweight: {weight}\ndraft: false\ntags: [{tags}]\nlang: en-GB\n",
        title = spec.title,
        topic = rng.pick(TOPICS),
        audience = audience.join(", "),
        visibility = if spec.staff { "staff" } else { "public" },
        principles = principles.join(", "),
        owner = rng.pick(ROLES),
        day = rng.range(1, 28),
        services = page_services.join(", "),
        weight = (i % 50) * 10,
        tags = tags.join(", "),
    );
    if spec.pathway {
        steps(services, out);
    }
    out.push_str("---\n\n");
}

/// A referral pathway: notice, an urgent branch, the safeguarding lead's
/// decision, then a referral or a review.
fn steps(services: &[Service], out: &mut String) {
    let local = &services[services.len() - 1].id;
    let _ = write!(
        out,
        "steps:\n\
         \x20 - id: notice\n    title: Notice a concern\n    who: Any member of staff\n\
         \x20   when: A pupil seems withdrawn, anxious or low\n\
         \x20   do: Write down what you saw and heard, in the pupil's words.\n\
         \x20   timescale: The same day\n    next: [tell-dsl, immediate-risk]\n\
         \x20 - id: immediate-risk\n    title: The pupil is at immediate risk of harm\n    urgent: true\n\
         \x20   who: Any member of staff\n    do: Stay with the pupil and call [999](service:emergency-999). Then tell the DSL.\n\
         \x20   timescale: Immediately\n    services: [emergency-999]\n    next: [tell-dsl]\n\
         \x20 - id: tell-dsl\n    title: Tell the Designated Safeguarding Lead\n    who: Any member of staff\n\
         \x20   do: Tell the DSL in person or by phone, the same day.\n    timescale: The same day\n\
         \x20   next: [refer, review]\n\
         \x20 - id: refer\n    title: Refer to a local service\n    who: Designated Safeguarding Lead\n\
         \x20   do: Make a referral with the family's agreement.\n    timescale: Within a week\n\
         \x20   services: [{local}]\n    next: [review]\n\
         \x20 - id: review\n    title: Review the support\n    who: Senior Mental Health Lead\n\
         \x20   do: Check in with the pupil and family after six weeks.\n    timescale: After six weeks\n"
    );
}

/// The service map: the national services the handbook always names, then
/// fictional local ones up to one for every ten pages.
fn services(pages: usize) -> Vec<Service> {
    let mut out: Vec<Service> = NATIONAL
        .iter()
        .map(|(id, name, _)| Service {
            id: id.to_string(),
            name: name.to_string(),
        })
        .collect();
    let total = (pages / 10).max(NATIONAL.len() + 1);
    for n in 0..total - NATIONAL.len() {
        out.push(Service {
            id: format!("local-service-{n}"),
            name: format!(
                "{} {}",
                LOCAL_KINDS[n % LOCAL_KINDS.len()],
                n / LOCAL_KINDS.len() + 1
            ),
        });
    }
    out
}

/// National services, with the contacts they publish.
const NATIONAL: [(&str, &str, &str); 5] = [
    (
        "emergency-999",
        "Emergency services (999)",
        "    category: emergency\n    urgent: true\n    contact:\n      phone: \"999\"\n",
    ),
    (
        "nhs-111",
        "NHS 111",
        "    category: nhs\n    urgent: true\n    contact:\n      phone: \"111\"\n      website: https://111.nhs.uk/\n",
    ),
    (
        "childline",
        "Childline",
        "    category: helpline\n    urgent: true\n    ages: { min: 5, max: 18 }\n    contact:\n      phone: \"0800 1111\"\n      website: https://www.childline.org.uk/\n",
    ),
    (
        "samaritans",
        "Samaritans",
        "    category: helpline\n    urgent: true\n    contact:\n      phone: \"116 123\"\n      email: jo@samaritans.org\n      website: https://www.samaritans.org/\n",
    ),
    (
        "shout",
        "Shout",
        "    category: text\n    urgent: true\n    contact:\n      text: \"85258\"\n      website: https://giveusashout.org/\n",
    ),
];

const LOCAL_KINDS: &[&str] = &[
    "Generated Vale wellbeing service",
    "Generated Vale family hub",
    "Generated Vale young people's counselling",
    "Generated Vale mental health support team",
    "Generated Vale bereavement support",
    "Generated Vale youth club",
];

const LOCAL_CATEGORIES: &[&str] = &["local", "nhs", "charity", "school", "online", "helpline"];

fn services_yaml(services: &[Service]) -> String {
    let mut out = String::from(
        "# A generated service map. Local services are fictional: phone numbers\n\
         # use Ofcom's drama range and web addresses use example.org.\nservices:\n",
    );
    for (n, (id, name, rest)) in NATIONAL.iter().enumerate() {
        let _ = write!(
            out,
            "  - id: {id}\n    name: {name}\n    description: A national service anyone can contact.\n{rest}\
             \x20   audiences: [staff, parents, pupils]\n    area: national\n    hours: 24 hours, every day\n\
             \x20   cost: free\n    referral: self\n    languages: [en]\n    visibility: public\n\
             \x20   last_verified: 2026-10-{day:02}\n",
            day = n + 1
        );
    }
    for (n, s) in services[NATIONAL.len()..].iter().enumerate() {
        let category = LOCAL_CATEGORIES[n % LOCAL_CATEGORIES.len()];
        let phone = 960_000 + n % 1_000;
        let _ = write!(
            out,
            "  - id: {id}\n    name: {name}\n    organisation: Generated Vale Council\n\
             \x20   description: Free support for **children, young people and families** in Generated Vale.\n\
             \x20   category: {category}\n    audiences: [parents, pupils]\n    ages: {{ min: 11, max: 18 }}\n\
             \x20   area: Generated Vale\n    urgent: false\n    contact:\n      phone: \"01632 {phone_hi} {phone_lo:03}\"\n\
             \x20     email: service{n}@example.org\n      website: https://example.org/services/{id}/\n\
             \x20     webchat: https://example.org/services/{id}/chat/\n\
             \x20   hours: Monday to Friday, 9am to 5pm\n    cost: free\n    referral: {referral}\n\
             \x20   languages: [en, cy]\n    visibility: public\n    last_verified: 2026-{month:02}-{day:02}\n",
            id = s.id,
            name = s.name,
            phone_hi = phone / 1_000,
            phone_lo = phone % 1_000,
            referral = ["self", "parent", "school", "gp"][n % 4],
            month = 6 + n % 5,
            day = 1 + n % 28,
        );
    }
    out
}

const HANDBOOK_YAML: &str = "\
title: Generated Academy mental health and wellbeing handbook
school: Generated Academy
language: en-GB
base_url: https://example.org/handbook/
theme: default
urgent_help:
  title: Need help now?
  body: |
    - **Someone is in danger now.** Call 999 or go to A&E.
    - **You need help today.** Call NHS 111 and choose the mental health option.
    - **You need to talk.** Childline, Shout and Samaritans listen for free, day and night.
  services: [emergency-999, nhs-111, childline, shout, samaritans]
search:
  synonyms:
    - [camhs, cypmhs, child and adolescent mental health services]
    - [self-harm, self harm, selfharm]
    - [dsl, designated safeguarding lead]
  crisis_terms: [suicide, suicidal, kill myself, self-harm, overdose, abuse]
review:
  warn_days: 30
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative("policy", "policy/a.md"), "a.md");
        assert_eq!(relative("policy", "roles/a.md"), "../roles/a.md");
        assert_eq!(relative("", "roles/a.md"), "roles/a.md");
        assert_eq!(relative("staff/part-01", "index.md"), "../../index.md");
        assert_eq!(
            relative("staff/part-01", "staff/part-02/a.md"),
            "../part-02/a.md"
        );
    }
}
