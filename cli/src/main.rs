//! `harmony-policy`: validate, test, diff and format rulesets. See `--help`.
//!
//! Exit codes: 0 when everything holds (valid, every step passes, no
//! change, already formatted), 1 when something does not, 2 for a usage
//! error or a file that cannot be read.

use anstream::{eprintln, println};
use anstyle::{AnsiColor, Style};
use clap::{Parser, Subcommand};
use harmony_policy::Policy;
use harmony_policy_authoring::{cases, diff, format, validate};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "harmony-policy",
    version,
    about = "Validate, test, diff and format harmony-policy rulesets."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks rulesets; each problem with its code, JSON pointer, line and
    /// column, and a suggestion for a misspelt name.
    Validate {
        /// Ruleset files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Runs conformance case files (the format of `tests/cases`).
    Test {
        /// Run every case against this ruleset file instead of the one each
        /// case names.
        #[arg(long)]
        ruleset: Option<PathBuf>,
        /// Case files, or directories of them.
        #[arg(required = true)]
        cases: Vec<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What changes between two rulesets, for every role (and member
    /// permission set), product state and plan.
    Diff {
        /// The ruleset before (a file, or a bundled name: `harmony`).
        old: String,
        /// The ruleset after.
        new: String,
        /// A JSON file of member permission sets to include:
        /// `[{"name": "sales rep", "permissions": ["contacts:read:own"]}]`.
        #[arg(long)]
        members: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Writes a ruleset's bundle (versioned bytes with its fingerprint and a
    /// checksum), which `Policy.fromBundle` and `Policy::from_bundle` read.
    Compile {
        /// The ruleset (a file, or a bundled name).
        ruleset: String,
        /// Where to write the bundle.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Prints the JSON Schema of the ruleset format (for editors).
    Schema,
    /// Prints a TypeScript declaration of rulesets' ids (products, roles,
    /// permissions, forms, sidebar ids, methods...), so that a misspelt id
    /// fails to compile: `Policy.fromJson<MyIds>(text)`.
    Types {
        /// Rulesets (files, or bundled names).
        #[arg(required = true)]
        rulesets: Vec<String>,
        /// The interface name for each ruleset, in order (default: its
        /// name, capitalized, and `Ids`).
        #[arg(long)]
        name: Vec<String>,
        /// Where `RulesetIds` is imported from.
        #[arg(long, default_value = "harmony-policy")]
        import: String,
    },
    /// Prints a ruleset in its canonical, readable form.
    Fmt {
        /// The ruleset file.
        file: PathBuf,
        /// Print nothing; exit 1 when the file is not formatted.
        #[arg(long)]
        check: bool,
        /// Rewrite the file in place.
        #[arg(long, conflicts_with = "check")]
        write: bool,
    },
}

/// Why the tool stopped: `Usage` (exit 2) or `Failed` (exit 1).
enum Stop {
    Usage(String),
    Failed,
}

fn read(path: &Path) -> Result<String, Stop> {
    std::fs::read_to_string(path).map_err(|e| Stop::Usage(format!("`{}`: {e}", path.display())))
}

/// A ruleset from a file or a bundled name.
fn ruleset(spec: &str) -> Result<Policy, Stop> {
    if harmony_policy::BUILTIN_NAMES.contains(&spec) {
        return Policy::builtin(spec).map_err(|e| Stop::Usage(e.to_string()));
    }
    let text = read(Path::new(spec))?;
    Policy::from_json(&text).map_err(|e| {
        Stop::Usage(format!(
            "`{spec}`: {e} (run `harmony-policy validate {spec}`)"
        ))
    })
}

fn bold(color: AnsiColor) -> Style {
    Style::new().bold().fg_color(Some(color.into()))
}

fn run(cli: Cli) -> Result<(), Stop> {
    match cli.command {
        Command::Validate { files, json } => {
            let mut reports = Vec::new();
            for file in &files {
                let text = read(file)?;
                reports.push(validate::validate(&file.display().to_string(), &text));
            }
            let failed = reports.iter().any(|r| !r.problems.is_empty());
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&reports).unwrap_or_default()
                );
            } else {
                for report in &reports {
                    if report.problems.is_empty() {
                        let ok = bold(AnsiColor::Green);
                        println!(
                            "{ok}valid{ok:#} {}: ruleset `{}`, {}",
                            report.file,
                            report.name.as_deref().unwrap_or(""),
                            report.fingerprint.as_deref().unwrap_or("")
                        );
                    }
                    for p in &report.problems {
                        let at = p
                            .position
                            .map_or(String::new(), |pos| format!(":{}:{}", pos.line, pos.column));
                        let error = bold(AnsiColor::Red);
                        println!(
                            "{}{at}: {error}{}{error:#}: {}",
                            report.file, p.code, p.message
                        );
                    }
                }
            }
            if failed {
                return Err(Stop::Failed);
            }
        }
        Command::Test {
            ruleset: file,
            cases: paths,
            json,
        } => {
            let policy = match &file {
                Some(f) => Some(ruleset(&f.display().to_string())?),
                None => None,
            };
            let mut files = Vec::new();
            for path in &paths {
                if path.is_dir() {
                    let entries = std::fs::read_dir(path)
                        .map_err(|e| Stop::Usage(format!("`{}`: {e}", path.display())))?;
                    let mut found: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "json"))
                        .collect();
                    found.sort();
                    files.extend(found);
                } else {
                    files.push(path.clone());
                }
            }
            let mut failures = Vec::new();
            for f in &files {
                let name = f.file_name().map_or(f.display().to_string(), |n| {
                    n.to_string_lossy().into_owned()
                });
                failures.extend(cases::run_case(&name, &read(f)?, policy.as_ref()));
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&failures).unwrap_or_default()
                );
            } else {
                for f in &failures {
                    let step = f.step.map_or(String::new(), |s| format!(" step {s}"));
                    let error = bold(AnsiColor::Red);
                    println!(
                        "{error}FAIL{error:#} {}{step} {}\n    expected {}\n    got      {}",
                        f.case, f.call, f.expected, f.got
                    );
                }
                let ok = bold(if failures.is_empty() {
                    AnsiColor::Green
                } else {
                    AnsiColor::Red
                });
                println!(
                    "{ok}{} case files, {} failing steps{ok:#}",
                    files.len(),
                    failures.len()
                );
            }
            if !failures.is_empty() {
                return Err(Stop::Failed);
            }
        }
        Command::Diff {
            old,
            new,
            members,
            json,
        } => {
            let (old, new) = (ruleset(&old)?, ruleset(&new)?);
            let subjects: Vec<diff::Subject> = match &members {
                Some(path) => serde_json::from_str(&read(path)?)
                    .map_err(|e| Stop::Usage(format!("`{}`: {e}", path.display())))?,
                None => Vec::new(),
            };
            let result = diff::diff(&old, &new, &subjects);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&result).unwrap_or_default()
                );
            } else {
                print!("{}", diff::render(&result));
            }
            if !result.changes.is_empty() {
                return Err(Stop::Failed);
            }
        }
        Command::Types {
            rulesets,
            name,
            import,
        } => {
            let mut loaded = Vec::new();
            for (i, spec) in rulesets.iter().enumerate() {
                let policy = ruleset(spec)?;
                let interface = name.get(i).cloned().unwrap_or_else(|| {
                    let mut chars = policy.name().chars();
                    let first: String = chars
                        .next()
                        .map(|c| c.to_uppercase().collect())
                        .unwrap_or_default();
                    let rest: String = chars.filter(|c| c.is_ascii_alphanumeric()).collect();
                    format!("{first}{rest}Ids")
                });
                loaded.push((policy, interface));
            }
            let pairs: Vec<(&Policy, &str)> = loaded.iter().map(|(p, n)| (p, n.as_str())).collect();
            print!("{}", harmony_policy_authoring::types::file(&pairs, &import));
        }
        Command::Compile {
            ruleset: spec,
            output,
        } => {
            let policy = ruleset(&spec)?;
            let bytes = policy.to_bundle();
            std::fs::write(&output, &bytes)
                .map_err(|e| Stop::Usage(format!("`{}`: {e}", output.display())))?;
            println!(
                "{}: {} bytes, {}",
                output.display(),
                bytes.len(),
                policy.fingerprint()
            );
        }
        Command::Schema => {
            let schema = harmony_policy::ruleset_schema();
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
        }
        Command::Fmt { file, check, write } => {
            let text = read(&file)?;
            let policy = Policy::from_json(&text).map_err(|e| {
                Stop::Usage(format!(
                    "`{}`: {e} (run `harmony-policy validate`)",
                    file.display()
                ))
            })?;
            let formatted = format(&policy);
            if check {
                if formatted != text {
                    eprintln!(
                        "{} is not formatted (run `harmony-policy fmt --write`)",
                        file.display()
                    );
                    return Err(Stop::Failed);
                }
            } else if write {
                std::fs::write(&file, formatted)
                    .map_err(|e| Stop::Usage(format!("`{}`: {e}", file.display())))?;
            } else {
                print!("{formatted}");
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Stop::Failed) => ExitCode::from(1),
        Err(Stop::Usage(message)) => {
            eprintln!("harmony-policy: {message}");
            ExitCode::from(2)
        }
    }
}
