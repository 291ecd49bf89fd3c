//! The command line, as clap definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::model::Edition;

#[derive(Debug, Parser)]
#[command(
    name = "handbook",
    version,
    about = "Build a school's mental-health handbook into a website"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the handbook into a folder of static files.
    Build(BuildArgs),
    /// Turn an Open Referral UK (HSDS) JSON file of services into services.yaml.
    ImportServices(ImportServicesArgs),
    /// Check the handbook without building it: every build check, then
    /// review dates, principle coverage, links, accessibility and reading age.
    Check(CheckArgs),
    /// Serve the handbook for previewing, rebuilding and reloading the
    /// browser whenever a file changes (nothing is written to disk).
    Serve(ServeArgs),
    /// Write a small starter handbook into a new folder.
    New {
        /// The folder to create (it must not exist, or be empty).
        dir: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct EditionArgs {
    /// Which edition: `public` (for parents and pupils) or `staff` (everything).
    #[arg(long, value_enum, default_value_t = Edition::Public)]
    pub edition: Edition,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The handbook folder (holding handbook.yaml).
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// Where to write the site.
    #[arg(short, long, default_value = "public")]
    pub out: PathBuf,
    #[command(flatten)]
    pub edition: EditionArgs,
    /// Treat warnings (such as a service not verified for over 12 months) as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ImportServicesArgs {
    /// The JSON file: a list of services, `{"services": [...]}` or an API page `{"content": [...]}`.
    pub file: PathBuf,
    /// Where to write the YAML (`-` for standard output).
    #[arg(short, long, default_value = "services.yaml")]
    pub out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// How `handbook check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by file, then a summary (for people).
    Text,
    /// One JSON object (for CI; described in docs/check.md).
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The handbook folder (holding handbook.yaml).
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub edition: EditionArgs,
    /// Fail (exit code 1) on warnings too.
    #[arg(long)]
    pub strict: bool,
    /// Report as text or JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also fetch every web address (page links and service websites).
    #[arg(long)]
    pub external: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The handbook folder (holding handbook.yaml).
    #[arg(default_value = "content")]
    pub dir: PathBuf,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// The address to listen on; the default is this computer only.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    #[command(flatten)]
    pub edition: EditionArgs,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Check the folders for changes a few times a second instead of using
    /// the system's file events (for network drives and some containers).
    #[arg(long)]
    pub poll: bool,
}
