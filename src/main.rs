//! The `handbook` command: parse arguments, call the library, print
//! diagnostics, and exit with 0 (success), 1 (errors in the handbook) or
//! 2 (the handbook or output could not be read or written).

use std::process::ExitCode;

use clap::Parser;
use handbook::cli::{Cli, Command, Format};
use handbook::diagnostic::Diagnostic;
use handbook::{BuildOptions, CompileOptions, Failure};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Build(args) => {
            let options = BuildOptions {
                dir: args.dir,
                out: args.out.clone(),
                compile: CompileOptions {
                    edition: args.edition.edition,
                    drafts: args.edition.drafts,
                    strict: args.strict,
                    ..CompileOptions::default()
                },
            };
            match handbook::build(&options) {
                Ok(report) => {
                    print_all(&report.warnings);
                    println!(
                        "Built the {} edition: {} pages ({} files) in {:.2} s into {}{}",
                        options.compile.edition.name(),
                        report.pages,
                        report.files,
                        report.elapsed.as_secs_f64(),
                        args.out.display(),
                        plural_warnings(report.warnings.len()),
                    );
                    // The process exits next and its memory goes with it.
                    std::mem::forget(report.made);
                    0
                }
                Err(failure) => fail(&failure),
            }
        }
        Command::ImportServices(args) => import_services(&args),
        Command::Check(args) => {
            let options = handbook::check::Options {
                compile: CompileOptions {
                    edition: args.edition.edition,
                    drafts: args.edition.drafts,
                    ..CompileOptions::default()
                },
                external: args.external,
            };
            match handbook::check::run(&args.dir, options) {
                Ok(report) => {
                    match args.format {
                        Format::Text => {
                            print!("{}", handbook::check::report::text(&report, args.strict))
                        }
                        Format::Json => {
                            print!("{}", handbook::check::report::json(&report, args.strict))
                        }
                    }
                    report.exit_code(args.strict)
                }
                Err(failure) => {
                    print_all(failure.diagnostics());
                    eprintln!("Check failed: the handbook could not be read.");
                    failure.exit_code()
                }
            }
        }
        Command::Serve(args) => serve(args),
        Command::New { dir } => match handbook::new::write_starter(&dir) {
            Ok(count) => {
                println!(
                    "Wrote a starter handbook ({count} files) into {}.",
                    dir.display()
                );
                println!("Build it with: handbook build {} -o public", dir.display());
                0
            }
            Err(d) => {
                eprintln!("{d}");
                2
            }
        },
    };
    ExitCode::from(code as u8)
}

fn serve(args: handbook::cli::ServeArgs) -> i32 {
    use handbook::serve::{ServeError, ServeOptions};
    let options = ServeOptions {
        dir: args.dir,
        bind: args.bind,
        port: args.port,
        compile: CompileOptions {
            edition: args.edition.edition,
            drafts: args.edition.drafts,
            ..CompileOptions::default()
        },
        open: args.open,
        poll: args.poll,
    };
    match handbook::serve::serve(&options) {
        Ok(()) => 0,
        Err(ServeError::Unreadable(diagnostics)) => {
            print_all(&diagnostics);
            2
        }
        Err(ServeError::Setup(message)) => {
            eprintln!("error: {message}");
            2
        }
    }
}

fn print_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
}

fn plural_warnings(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ", with 1 warning".into(),
        n => format!(", with {n} warnings"),
    }
}

fn fail(failure: &Failure) -> i32 {
    let diagnostics = failure.diagnostics();
    print_all(diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    match failure {
        Failure::Invalid(_) => eprintln!(
            "Build failed: {errors} error{} found; nothing was written and the last good site is unchanged.",
            if errors == 1 { "" } else { "s" }
        ),
        Failure::Unreadable(_) => eprintln!("Build failed; nothing was written."),
    }
    failure.exit_code()
}

fn import_services(args: &handbook::cli::ImportServicesArgs) -> i32 {
    match handbook::openreferral::import_file(&args.file, &args.out, args.force) {
        Ok(report) => {
            print_all(&report.notes);
            if args.out.as_os_str() != "-" {
                println!(
                    "Wrote {} services to {}{}",
                    report.services,
                    args.out.display(),
                    plural_warnings(report.notes.len()),
                );
            }
            0
        }
        Err(d) => {
            eprintln!("{d}");
            2
        }
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
