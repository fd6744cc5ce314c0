//! Embeds the list of conformance cases (`tests/cases/*.json`) for the test
//! runners, so that the wasm tests, which have no file system, run the same
//! files as the native ones; and writes the bundled rulesets
//! (`src/rulesets/*.json`) without their indentation for the library to
//! embed (a third of their size, which every browser downloads).

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let dir = root.join("tests").join("cases");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every conformance case: file name and text.\npub const CASES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            file.display().to_string()
        )?;
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("cases.rs"), out)?;

    for name in ["harmony", "harmonia"] {
        let source = root
            .join("src")
            .join("rulesets")
            .join(format!("{name}.json"));
        println!("cargo:rerun-if-changed={}", source.display());
        let text = std::fs::read_to_string(&source)?;
        std::fs::write(out_dir.join(format!("{name}.json")), compact(&text))?;
    }
    Ok(())
}

/// JSON text without the whitespace between tokens (strings kept exactly).
/// The library parses the result like any ruleset, so a mistake here fails
/// every test that loads a bundled ruleset.
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}
