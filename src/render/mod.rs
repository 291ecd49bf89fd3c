//! Rendering: Markdown to HTML, pages through the theme's templates, and the
//! site's other files, all as bytes in memory. Nothing here writes to disk.

mod audit;
mod context;
pub mod diagram;
pub mod markdown;
pub mod pathway;
pub mod print;
pub mod search;
mod services;
mod templates;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::load::Theme;
use crate::model::{Edition, Handbook};
pub use markdown::Rendered;
pub use templates::Templates;

/// One file of the built site.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative to the site root, with `/` separators.
    pub path: String,
    pub content: Content,
}

#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Bytes shared with an earlier build (serve keeps unchanged pages
    /// this way instead of copying them on every rebuild).
    Shared(Arc<Vec<u8>>),
    /// A handbook file copied as it is (read only when written).
    Copy(PathBuf),
}

impl Content {
    /// The bytes, unless the file is copied as it is.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Content::Bytes(bytes) => Some(bytes),
            Content::Shared(bytes) => Some(bytes),
            Content::Copy(_) => None,
        }
    }
}

/// The whole built site, in memory.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub files: Vec<OutputFile>,
}

impl Site {
    pub fn get(&self, path: &str) -> Option<&OutputFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Number of HTML pages.
    pub fn page_count(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .count()
    }
}

/// Link targets as relative URLs from one output page.
pub struct SiteLinker<'a> {
    pub from_url: &'a str,
}

impl markdown::Linker for SiteLinker<'_> {
    fn page(&self, source: &str, fragment: Option<&str>) -> String {
        let target = crate::model::page_url(source);
        with_fragment(relative(self.from_url, &target), fragment)
    }
    fn fragment(&self, id: &str) -> String {
        format!("#{id}")
    }
    fn service(&self, id: &str) -> String {
        relative(self.from_url, &format!("services/{id}.html"))
    }
}

fn with_fragment(url: String, fragment: Option<&str>) -> String {
    match fragment {
        Some(f) => format!("{url}#{f}"),
        None => url,
    }
}

/// The relative URL from the page at `from` to the file at `to`, both
/// relative to the site root (`policy/a.html` → `roles/b.html` is `../roles/b.html`).
///
/// Called for every link of every page, so it works on the strings in place:
/// the shared folders are the longest common prefix ending in `/` (the file
/// name of `to` never counts as a folder).
pub fn relative(from: &str, to: &str) -> String {
    let from_dir = from.rfind('/').map_or("", |i| &from[..=i]);
    let to_dir_end = to.rfind('/').map_or(0, |i| i + 1);
    let (f, t) = (from_dir.as_bytes(), to.as_bytes());
    let mut common = 0;
    let mut i = 0;
    while i < f.len() && i < to_dir_end && f[i] == t[i] {
        if f[i] == b'/' {
            common = i + 1;
        }
        i += 1;
    }
    let ups = from_dir[common..].matches('/').count();
    let mut out = String::with_capacity(ups * 3 + to.len() - common);
    for _ in 0..ups {
        out.push_str("../");
    }
    out.push_str(&to[common..]);
    out
}

/// The prefix that leads from a page back to the site root (`""` or `../../`).
pub fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// Renders every page's Markdown (in parallel), for the site's own pages.
pub fn markdown_all(handbook: &Handbook) -> Vec<Rendered> {
    handbook.pages.par_iter().map(markdown_page).collect()
}

/// Renders one page's Markdown for the site.
pub fn markdown_page(page: &crate::model::Page) -> Rendered {
    let mut rendered = markdown::render(
        &page.body,
        page.dir(),
        page.body_line,
        &SiteLinker {
            from_url: &page.url,
        },
    );
    // A pathway's steps link too; their links are checked with the page's.
    rendered.links.extend(pathway::step_links(page));
    rendered
}

/// Renders the whole site. `rendered[i]` is the Markdown of `handbook.pages[i]`.
pub fn site(
    handbook: &Handbook,
    theme: &Theme,
    rendered: &[Rendered],
) -> Result<Site, Vec<Diagnostic>> {
    site_with(handbook, theme, rendered, &Reuse::default())
}

/// Where a build's finished files go, one by one, as they are made.
pub trait Sink: Sync {
    /// Takes one finished file; gives it back when the site kept in memory
    /// should hold it too.
    fn put(&self, file: OutputFile) -> Result<Option<OutputFile>, Diagnostic>;
}

/// Keeps every file in memory (serve, check and tests).
pub struct Keep;

impl Sink for Keep {
    fn put(&self, file: OutputFile) -> Result<Option<OutputFile>, Diagnostic> {
        Ok(Some(file))
    }
}

/// A page's finished HTML offered from an earlier build, by page number.
pub type KeptPage<'a> = &'a (dyn Fn(usize) -> Option<Content> + Sync);
/// A finished file offered from an earlier build, by path.
pub type KeptFile<'a> = &'a (dyn Fn(&str) -> Option<Content> + Sync);

/// What a rebuild may take from the last build instead of making it again
/// (serve keeps these between rebuilds; a build starts with none).
#[derive(Clone, Copy, Default)]
pub struct Reuse<'a> {
    /// Page `i`'s finished HTML, offered when nothing it shows has changed.
    pub page: Option<KeptPage<'a>>,
    /// A file by its path, offered when no page's front matter, no service,
    /// no setting and nothing in the theme has changed. Only files made
    /// from those alone are taken (the service pages and directory, the A–Z
    /// and 404 pages, and the print page when it lists only the contents);
    /// what shows any page's Markdown is always made again.
    pub front_only: Option<KeptFile<'a>>,
    /// The search documents of unchanged pages.
    pub search: Option<&'a search::index::Memo>,
    /// The compiled templates and what pages share, kept while the same
    /// conditions as `front_only` hold (the holder clears it otherwise).
    pub prepared: Option<&'a Prepared>,
}

/// The compiled templates and the parts every page shares (the urgent-help
/// box, the header navigation, each folder's links and service cards):
/// made from the theme, settings, services and front matter alone. Serve
/// keeps them from one rebuild to the next while none of those changed.
#[derive(Default)]
pub struct Prepared {
    kept: std::sync::Mutex<Option<Arc<Parts>>>,
    /// How many builds have taken the kept parts.
    taken: std::sync::atomic::AtomicUsize,
}

impl Prepared {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many builds have taken the kept parts instead of making them.
    pub fn times_taken(&self) -> usize {
        self.taken.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets what was kept (something they are made from changed).
    pub fn clear(&self) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn take(&self) -> Option<Arc<Parts>> {
        let parts = self.kept.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if parts.is_some() {
            self.taken
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        parts
    }

    fn set(&self, parts: Arc<Parts>) {
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(parts);
    }
}

struct Parts {
    templates: Templates,
    shared: context::Shared,
    folders: Folders,
}

impl Parts {
    fn new(handbook: &Handbook, theme: &Theme) -> Result<Parts, Diagnostic> {
        let templates = crate::timings::phase("templates", || Templates::new(theme))?;
        let (shared, folders) = crate::timings::phase("shared", || {
            let shared = context::Shared::new(handbook);
            let made_once = context::MadeOnce::with(theme, &templates);
            let folders = context::folder_values(handbook, &shared, made_once);
            (shared, folders)
        });
        Ok(Parts {
            templates,
            shared,
            folders,
        })
    }
}

type Folders = std::collections::HashMap<String, context::FolderValues>;

impl Reuse<'_> {
    fn page(&self, i: usize) -> Option<Content> {
        self.page.and_then(|kept| kept(i))
    }

    /// The kept file at `path`, or what `make` makes.
    fn front_only(
        &self,
        path: &str,
        make: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
    ) -> Result<Content, Diagnostic> {
        match self.front_only.and_then(|kept| kept(path)) {
            Some(content) => Ok(content),
            None => make().map(Content::Bytes),
        }
    }
}

/// `site`, taking from `reuse` what an earlier build made that this one
/// would make the same. Everything made from the pages' Markdown (the
/// search index, a print page of the whole text, the audit) is always made.
pub fn site_with(
    handbook: &Handbook,
    theme: &Theme,
    rendered: &[Rendered],
    reuse: &Reuse,
) -> Result<Site, Vec<Diagnostic>> {
    site_into(handbook, theme, rendered, reuse, &Keep)
}

/// `site_with`, handing each file to `sink` as soon as it is made (a build
/// writes pages while others are still being rendered, and never holds the
/// whole site in memory). The returned site holds what the sink gave back.
pub fn site_into(
    handbook: &Handbook,
    theme: &Theme,
    rendered: &[Rendered],
    reuse: &Reuse,
    sink: &dyn Sink,
) -> Result<Site, Vec<Diagnostic>> {
    let (parts, owned_folders) = match reuse.prepared.and_then(Prepared::take) {
        Some(kept) => (kept, None),
        None => {
            let mut made = Parts::new(handbook, theme).map_err(|d| vec![d])?;
            match reuse.prepared {
                // Made for a holder: shared with it.
                Some(holder) => {
                    let made = Arc::new(made);
                    holder.set(made.clone());
                    (made, None)
                }
                // Made for this build alone: the folders' values are freed
                // as soon as the pages are done.
                None => {
                    let folders = std::mem::take(&mut made.folders);
                    (Arc::new(made), Some(folders))
                }
            }
        }
    };
    let (templates, shared) = (&parts.templates, &parts.shared);
    let folders = match owned_folders {
        Some(folders) => FolderRef::Owned(folders),
        None => FolderRef::Kept(&parts.folders),
    };
    // The search index needs none of the pages' HTML: it is made beside
    // them, filling the gaps where the pages' side runs on one thread.
    let (laid_out, search_files) = rayon::join(
        || {
            let layout = Layout {
                handbook,
                rendered,
                reuse,
                sink,
                templates,
                shared,
            };
            layout.files(folders)
        },
        || {
            crate::timings::phase("search", || {
                search::files(handbook, shared, templates, rendered, reuse, sink)
            })
        },
    );
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut take = |result: Result<Option<OutputFile>, Diagnostic>| match result {
        Ok(Some(file)) => files.push(file),
        Ok(None) => {}
        Err(d) => errors.push(d),
    };
    laid_out.into_iter().for_each(&mut take);
    match search_files {
        Ok(search_files) => search_files.into_iter().for_each(|f| take(Ok(Some(f)))),
        Err(d) => take(Err(d)),
    }
    let mut rest = vec![OutputFile {
        path: "robots.txt".into(),
        content: Content::Bytes(robots(handbook).into_bytes()),
    }];
    if let Some(base) = &handbook.config.base_url {
        rest.push(OutputFile {
            path: "sitemap.xml".into(),
            content: Content::Bytes(sitemap(handbook, base).into_bytes()),
        });
    }
    for (name, bytes) in &theme.static_files {
        rest.push(OutputFile {
            path: format!("static/{name}"),
            content: Content::Bytes(bytes.clone()),
        });
    }
    for asset in &handbook.assets {
        rest.push(OutputFile {
            path: asset.rel.clone(),
            content: Content::Copy(asset.abs.clone()),
        });
    }
    put_all(sink, rest).into_iter().for_each(&mut take);
    if !errors.is_empty() {
        errors.dedup_by(|a, b| a.message == b.message);
        return Err(errors);
    }
    Ok(Site { files })
}

/// Each folder's values: this build's own, or kept by a holder.
enum FolderRef<'a> {
    Owned(Folders),
    Kept(&'a Folders),
}

impl FolderRef<'_> {
    fn get(&self) -> &Folders {
        match self {
            FolderRef::Owned(folders) => folders,
            FolderRef::Kept(folders) => folders,
        }
    }
}

/// What laying out the site's HTML files needs.
struct Layout<'a> {
    handbook: &'a Handbook,
    rendered: &'a [Rendered],
    reuse: &'a Reuse<'a>,
    sink: &'a dyn Sink,
    templates: &'a Templates,
    shared: &'a context::Shared,
}

type Results = Vec<Result<Option<OutputFile>, Diagnostic>>;

impl Layout<'_> {
    /// The pages, the 404 and print pages, the audit page (staff edition)
    /// and the service pages, each handed to the sink; what it gives back,
    /// in order.
    fn files(&self, folders: FolderRef) -> Results {
        // The pages are many small tasks; the other files are a few large
        // ones (the print page and the services' directory each take as
        // long as hundreds of pages), so they are made beside the pages
        // rather than after them, when one core would wait for the other.
        let (mut out, (singles, services)) = rayon::join(
            || self.pages(folders),
            || {
                rayon::join(
                    || self.singles(),
                    || {
                        crate::timings::phase("services", || {
                            services::render(
                                self.handbook,
                                self.shared,
                                self.templates,
                                self.reuse,
                                self.sink,
                            )
                        })
                    },
                )
            },
        );
        out.extend(singles);
        out.extend(services);
        out
    }

    /// Every page through its template.
    fn pages(&self, folders: FolderRef) -> Results {
        let (handbook, rendered, sink) = (self.handbook, self.rendered, self.sink);
        let pages = crate::timings::phase("pages", || {
            handbook
                .pages
                .par_iter()
                .enumerate()
                .map(|(i, page)| {
                    if let Some(html) = self.reuse.page(i) {
                        return sink.put(OutputFile {
                            path: page.url.clone(),
                            content: html,
                        });
                    }
                    let folder = context::folder_of(page);
                    // Parts made once per folder instead of once per page.
                    let ctx =
                        context::page_context(handbook, i, &rendered[i], &folders.get()[folder]);
                    // The page's own HTML and room for the theme around it.
                    let capacity = rendered[i].html.len() + 24 * 1024;
                    let html = self.templates.render_context(
                        context::template_for(page),
                        &ctx,
                        capacity,
                    )?;
                    sink.put(OutputFile {
                        path: page.url.clone(),
                        content: Content::Bytes(html),
                    })
                })
                .collect()
        });
        // Only the pages use the folders' values. Freeing them is a million
        // small frees at 10k pages (~100 ms): done on the threads that made them.
        if let FolderRef::Owned(folders) = folders {
            folders.into_par_iter().for_each(drop);
        }
        pages
    }

    /// The 404 page, the print page and (staff edition) the audit page.
    fn singles(&self) -> Results {
        let (handbook, shared, templates) = (self.handbook, self.shared, self.templates);
        let not_found = self.reuse.front_only("404.html", || {
            templates
                .render("404.html", &context::not_found(handbook, shared))
                .map(String::into_bytes)
        });
        let print = crate::timings::phase("print", || {
            let make = || print::render(handbook, shared, templates).map(String::into_bytes);
            if print::shows_markdown(handbook) {
                make().map(Content::Bytes)
            } else {
                self.reuse.front_only(print::URL, make)
            }
        });
        // The audit page is for staff only: never in the public edition.
        let audit = (handbook.edition == Edition::Staff).then(|| {
            (
                audit::URL,
                audit::render(handbook, shared, templates, self.rendered)
                    .map(|html| Content::Bytes(html.into_bytes())),
            )
        });
        [("404.html", not_found), (print::URL, print)]
            .into_iter()
            .chain(audit)
            .map(|(path, result)| {
                result.and_then(|content| {
                    self.sink.put(OutputFile {
                        path: path.into(),
                        content,
                    })
                })
            })
            .collect()
    }
}

/// Hands every file to `sink`, several at a time (most of a build's time
/// after rendering is spent writing), keeping their order in what comes back.
fn put_all(sink: &dyn Sink, files: Vec<OutputFile>) -> Vec<Result<Option<OutputFile>, Diagnostic>> {
    files.into_par_iter().map(|f| sink.put(f)).collect()
}

fn robots(handbook: &Handbook) -> String {
    match (handbook.edition, &handbook.config.base_url) {
        (Edition::Staff, _) => {
            "# Staff edition: not for search engines.\nUser-agent: *\nDisallow: /\n".into()
        }
        (Edition::Public, Some(base)) => {
            format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n")
        }
        (Edition::Public, None) => "User-agent: *\nAllow: /\n".into(),
    }
}

fn sitemap(handbook: &Handbook, base: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in &handbook.pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape_html(&format!("{base}{}", page.url)));
        xml.push_str("</loc>");
        if let Some(date) = page.last_reviewed {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    for service in &handbook.services {
        let url = format!("{base}services/{}.html", service.id);
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_html(&url)));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Escapes text for HTML or XML content and quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Serialises `value` as JSON that is safe inside a `<script>` element:
/// `<`, `>` and `&` are written as `\u` escapes so no string can close the
/// element or open a comment.
pub fn json_for_script(value: &impl serde::Serialize) -> String {
    script_safe(&serde_json::to_string(value).expect("serialising plain data cannot fail"))
}

/// JSON text made safe inside a `<script>` element (see [`json_for_script`]).
pub fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_script_cannot_close_the_element() {
        let json = json_for_script(&vec!["</script><script>alert(1)</script>", "a & b"]);
        assert!(!json.contains('<') && !json.contains('&'), "{json}");
        let back: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }

    #[test]
    fn relative_urls() {
        assert_eq!(relative("index.html", "policy/a.html"), "policy/a.html");
        assert_eq!(relative("policy/a.html", "policy/b.html"), "b.html");
        assert_eq!(relative("policy/a.html", "roles/b.html"), "../roles/b.html");
        assert_eq!(relative("a/b/c.html", "index.html"), "../../index.html");
        assert_eq!(relative("a/b/c.html", "a/d.html"), "../d.html");
        assert_eq!(relative("policy/a.html", "policy/index.html"), "index.html");
        assert_eq!(relative("a.html", "a.html"), "a.html");
        assert_eq!(relative("ab/x.html", "abc/y.html"), "../abc/y.html");
        assert_eq!(relative("a/b/x.html", "a/b"), "../b");
        assert_eq!(relative("a/b/x.html", "a/bc/y.html"), "../bc/y.html");
        assert_eq!(relative("a/b/x.html", "a/b/c/y.html"), "c/y.html");
        assert_eq!(root_of("a/b/c.html"), "../../");
        assert_eq!(root_of("index.html"), "");
    }
}
