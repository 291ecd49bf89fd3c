//! `handbook` turns a school's mental-health handbook (Markdown pages and a
//! YAML service map) into a static website, in two editions: public and staff.
//!
//! The build is one pipeline: `load` reads the folder, `model` validates and
//! links it for an edition, `render` makes every file in memory, and
//! `output` swaps the finished site into place.

pub mod check;
pub mod cli;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod load;
pub mod memory;
pub mod model;
pub mod new;
pub mod openreferral;
pub mod output;
pub mod render;
pub mod serve;
pub mod timings;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use date::Date;
use diagnostic::Diagnostic;
use load::Theme;
use model::{Edition, Handbook};
use render::Site;

/// Why a run produced no site.
#[derive(Debug)]
pub enum Failure {
    /// The handbook could not be read at all (exit code 2).
    Unreadable(Vec<Diagnostic>),
    /// The handbook has errors (exit code 1); warnings are included.
    Invalid(Vec<Diagnostic>),
}

impl Failure {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Failure::Unreadable(d) | Failure::Invalid(d) => d,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Unreadable(_) => 2,
            Failure::Invalid(_) => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CompileOptions {
    pub edition: Edition,
    pub drafts: bool,
    pub today: Date,
    /// Treat every warning as an error (`--strict`).
    pub strict: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            edition: Edition::Public,
            drafts: false,
            today: Date::today(),
            strict: false,
        }
    }
}

/// A handbook read, checked and rendered in memory.
pub struct Compiled {
    pub handbook: Handbook,
    pub theme: Theme,
    pub site: Site,
    pub warnings: Vec<Diagnostic>,
    /// Every page's rendered Markdown (serve keeps it for the next rebuild).
    pub rendered: Vec<render::Rendered>,
}

/// A handbook read and checked, with every page's Markdown rendered, and
/// the problems found.
pub type Analysed = (Handbook, Theme, Vec<render::Rendered>, Vec<Diagnostic>);

/// Reads and checks a handbook without rendering it (what `check` builds on).
pub fn analyse(dir: &Path, options: CompileOptions) -> Result<Analysed, Failure> {
    analyse_with(dir, options, None, render::markdown_all)
}

/// `analyse`, with parsed service files from `cache` and the Markdown step
/// supplied by the caller (serve keeps what did not change in memory).
pub fn analyse_with(
    dir: &Path,
    options: CompileOptions,
    cache: Option<&load::Cache>,
    markdown: impl FnOnce(&Handbook) -> Vec<render::Rendered>,
) -> Result<Analysed, Failure> {
    let (source, mut diagnostics) = timings::phase("load", || load::load_with(dir, cache))
        .map_err(|d| Failure::Unreadable(vec![d]))?;
    let config_path = source.config.as_ref().map(|c| c.path.clone());
    let handbook = timings::phase("model", || {
        model::build(
            source,
            model::Options {
                edition: options.edition,
                drafts: options.drafts,
                today: options.today,
            },
            &mut diagnostics,
        )
    });
    let theme = match &config_path {
        Some(path) => load::load_theme(dir, &handbook.config.theme, path).unwrap_or_else(|d| {
            diagnostics.push(d);
            Theme::default()
        }),
        None => Theme::default(),
    };
    let rendered = timings::phase("markdown", || markdown(&handbook));
    timings::phase("links", || {
        model::links::check(&handbook, &rendered, &mut diagnostics);
        model::pathway::check_ids_against_headings(&handbook, &rendered, &mut diagnostics);
    });
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    if options.strict {
        diagnostic::warnings_as_errors(&mut diagnostics);
    }
    Ok((handbook, theme, rendered, diagnostics))
}

/// Reads, checks and renders a handbook; nothing is written.
pub fn compile(dir: &Path, options: CompileOptions) -> Result<Compiled, Failure> {
    finish(analyse(dir, options)?)
}

/// Renders an analysed handbook, unless it has errors.
pub fn finish(analysed: Analysed) -> Result<Compiled, Failure> {
    finish_with(analysed, &render::Reuse::default())
}

/// `finish`, taking from `reuse` what an earlier build made that this one
/// would make the same (see [`render::site_with`]).
pub fn finish_with(analysed: Analysed, reuse: &render::Reuse) -> Result<Compiled, Failure> {
    let (handbook, theme, rendered, diagnostics) = analysed;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failure::Invalid(diagnostics));
    }
    let site = render::site_with(&handbook, &theme, &rendered, reuse).map_err(|mut errors| {
        errors.extend(diagnostics.iter().cloned());
        Failure::Invalid(errors)
    })?;
    Ok(Compiled {
        handbook,
        theme,
        site,
        warnings: diagnostics,
        rendered,
    })
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub dir: PathBuf,
    pub out: PathBuf,
    pub compile: CompileOptions,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
    /// What the build made in memory, handed back rather than freed on the
    /// way out: dropping it frees it, and a program about to exit can
    /// leave it to the exit with `std::mem::forget` (freeing a large
    /// handbook's pages one by one takes a few percent of its build).
    pub made: Made,
}

/// The model, theme and rendered pages of a build (see [`BuildReport::made`]).
pub struct Made {
    _handbook: Handbook,
    _theme: Theme,
    _rendered: Vec<render::Rendered>,
}

impl std::fmt::Debug for Made {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Made { .. }")
    }
}

/// Builds the handbook into `options.out`, replacing the previous build only
/// when everything succeeded. Pages are written as they are rendered.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    // Refuse a dangerous output folder before doing any work.
    output::check_target(&options.out, &options.dir).map_err(|d| Failure::Unreadable(vec![d]))?;
    let (handbook, theme, rendered, diagnostics) = analyse(&options.dir, options.compile)?;
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Failure::Invalid(diagnostics));
    }
    let staging = output::Staging::new(&options.out, &options.dir)
        .map_err(|d| Failure::Unreadable(vec![d]))?;
    timings::phase("render+write", || {
        render::site_into(
            &handbook,
            &theme,
            &rendered,
            &render::Reuse::default(),
            &staging,
        )
    })
    .map_err(|mut errors| {
        errors.extend(diagnostics.iter().cloned());
        Failure::Invalid(errors)
    })?;
    let (files, pages) = staging.counts();
    timings::phase("swap", || staging.finish()).map_err(|d| Failure::Unreadable(vec![d]))?;
    Ok(BuildReport {
        pages,
        files,
        elapsed: started.elapsed(),
        warnings: diagnostics,
        made: Made {
            _handbook: handbook,
            _theme: theme,
            _rendered: rendered,
        },
    })
}
