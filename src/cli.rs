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
