//! Every conformance case (`tests/cases`) natively, through the runner the
//! `test` command uses; and the command-line tool itself on real files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_policy_authoring::{cases, diff, validate};
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_conformance_case_passes_natively() {
    let dir = root().join("tests/cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "found {} cases", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        failures.extend(cases::run_case(
            &name,
            &std::fs::read_to_string(f).unwrap(),
            None,
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_failing_step_says_what_was_expected_and_what_came() {
    let case = r#"{"description": "x", "steps": [{"call": "sidebar", "context": {"workspace": {"slug": "w"}, "member": {"userId": "u", "roles": ["member"]}}, "pluck": "id", "expect": ["nothing"]}]}"#;
    let failures = cases::run_case("x.json", case, None);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].expected, r#"["nothing"]"#);
    assert!(
        failures[0].got.contains("conversations"),
        "{}",
        failures[0].got
    );
    let malformed = cases::run_case("y.json", r#"{"steps": []}"#, None);
    assert_eq!(malformed[0].step, None);
}

fn tool(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_harmony-policy"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn validate_names_the_place_and_the_name_meant() {
    let text = std::fs::read_to_string(root().join("src/rulesets/harmony.json")).unwrap();
    let bad = text.replacen(r#""product": "accounts""#, r#""product": "acounts""#, 1);
    assert_ne!(bad, text);
    let report = validate::validate("bad.json", &bad);
    let p = &report.problems[0];
    assert_eq!(p.code, "unknown_product");
    assert_eq!(p.suggestion.as_deref(), Some("accounts"));
    let line = bad.lines().position(|l| l.contains("\"acounts\"")).unwrap() + 1;
    assert_eq!(p.position.unwrap().line, line);
    // An unknown key is placed at the key.
    let unknown = text.replacen(
        r#""title": "Contacts","#,
        "\"title\": \"Contacts\",\n      \"colour\": \"red\",",
        1,
    );
    let report = validate::validate("key.json", &unknown);
    assert_eq!(
        report.problems[0].code, "unknown_key",
        "{:?}",
        report.problems
    );
    let col = unknown
        .lines()
        .find(|l| l.contains("\"colour\""))
        .unwrap()
        .find('"')
        .unwrap()
        + 1;
    assert_eq!(report.problems[0].position.unwrap().column, col);
    // Not JSON at all: the parser's own line and column.
    let report = validate::validate("x.json", "{\n  \"version\": 1,,\n}");
    assert_eq!(report.problems[0].code, "invalid_json");
    assert_eq!(report.problems[0].position.unwrap().line, 2);

    let (code, out) = tool(&[
        "validate",
        "src/rulesets/harmony.json",
        "src/rulesets/harmonia.json",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("sha256:"), "{out}");
    let dir = std::env::temp_dir().join(format!("harmony-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(&file, &bad).unwrap();
    let (code, out) = tool(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!("bad.json:{line}:")), "{out}");
    assert!(out.contains("did you mean `accounts`?"), "{out}");
    let (code, out) = tool(&["validate", "--json", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["problems"][0]["suggestion"], "accounts");
    assert_eq!(tool(&["validate", "/no/such/file.json"]).0, 2);
}

#[test]
fn fmt_writes_the_canonical_form_and_checks_it() {
    let dir = std::env::temp_dir().join(format!("harmony-cli-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("harmonia.json");
    std::fs::copy(root().join("src/rulesets/harmonia.json"), &file).unwrap();
    let path = file.to_str().unwrap();
    assert_eq!(
        tool(&["fmt", "--check", path]).0,
        1,
        "the bundled file leaves defaults out"
    );
    assert_eq!(tool(&["fmt", "--write", path]).0, 0);
    assert_eq!(tool(&["fmt", "--check", path]).0, 0);
    let (_, out) = tool(&["validate", path]);
    let (_, original) = tool(&["validate", "src/rulesets/harmonia.json"]);
    let fingerprint = |s: &str| s.split_whitespace().last().unwrap().to_owned();
    assert_eq!(
        fingerprint(&out),
        fingerprint(&original),
        "formatting changes no rule"
    );
}

#[test]
fn diff_says_what_changes_for_whom() {
    let old = harmony_policy::Policy::builtin("harmony").unwrap();
    assert!(diff::diff(&old, &old, &[]).changes.is_empty());
    // Accounts becomes a plan feature: pro and above.
    let text = std::fs::read_to_string(root().join("src/rulesets/harmony.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let route = doc["routes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == "accounts")
        .unwrap();
    let before = route["requires"].take();
    route["requires"] = serde_json::json!({ "all": [before, { "plan_at_least": "pro" }] });
    let new = harmony_policy::Policy::from_json(&doc.to_string()).unwrap();
    let result = diff::diff(&old, &new, &[]);
    assert!(result.contexts >= 2 * 16 * 5, "{}", result.contexts);
    let change = result
        .changes
        .iter()
        .find(|c| c.kind == "sidebar" && c.item == "accounts")
        .expect("the sidebar item changes");
    assert_eq!(
        (change.old.as_str(), change.new.as_str()),
        ("shown", "absent")
    );
    assert_eq!(change.plans, ["no plan", "starter"]);
    assert_eq!(change.products.get("accounts"), Some(&true));
    let text = diff::render(&result);
    assert!(
        text.contains("sidebar `accounts`: shown -> absent"),
        "{text}"
    );

    let dir = std::env::temp_dir().join(format!("harmony-cli-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("new.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let (code, out) = tool(&["diff", "harmony", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("contexts"), "{out}");
    assert_eq!(tool(&["diff", "harmony", "harmony"]).0, 0);
}

#[test]
fn the_guides_example_ruleset_is_valid_and_its_cases_pass() {
    let (code, out) = tool(&["validate", "examples/rulesets/helpdesk.json"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = tool(&[
        "test",
        "--ruleset",
        "examples/rulesets/helpdesk.json",
        "examples/rulesets/helpdesk-cases",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 case files, 0 failing steps"), "{out}");
}

#[test]
fn validate_reports_every_problem_in_one_run() {
    let text = std::fs::read_to_string(root().join("src/rulesets/harmony.json")).unwrap();
    let planted = text
        .replacen(r#""product": "accounts""#, r#""product": "acounts""#, 1)
        .replacen(
            r#""title": "Contacts","#,
            "\"title\": \"Contacts\",\n      \"colour\": \"red\",",
            1,
        )
        .replacen(r#""route": "contacts","#, r#""route": "contacs","#, 1)
        .replacen(r#""id": "go-contacts""#, r#""id": "go-conversations""#, 1);
    let report = validate::validate("planted.json", &planted);
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "unknown_key",
            "duplicate_id",
            "unknown_product",
            "unknown_route"
        ],
        "{:#?}",
        report.problems
    );
    let line_of = |needle: &str| planted.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let lines: Vec<usize> = report
        .problems
        .iter()
        .map(|p| p.position.unwrap().line)
        .collect();
    assert_eq!(lines[0], line_of("\"colour\""));
    assert_eq!(lines[2], line_of("\"acounts\""));
    assert_eq!(lines[3], line_of("\"contacs\""));
    assert_eq!(report.problems[2].suggestion.as_deref(), Some("accounts"));
    assert_eq!(report.problems[3].suggestion.as_deref(), Some("contacts"));
}

#[test]
fn the_packages_ruleset_ids_are_those_of_the_bundled_rulesets() {
    let (code, out) = tool(&["types", "harmony", "harmonia", "--import", "./index.js"]);
    assert_eq!(code, 0, "{out}");
    let file = std::fs::read_to_string(root().join("wasm/js/rulesets.d.ts")).unwrap();
    assert_eq!(
        out, file,
        "wasm/js/rulesets.d.ts is out of date: run `cargo run -p harmony-policy-cli -- types harmony harmonia --import ./index.js > wasm/js/rulesets.d.ts`"
    );
    let (_, custom) = tool(&["types", "examples/rulesets/helpdesk.json"]);
    assert!(
        custom.contains("export interface HelpdeskIds extends RulesetIds"),
        "{custom}"
    );
    assert!(custom.contains(r#"product: "knowledge";"#), "{custom}");
    assert!(
        custom.contains(r#"import type { RulesetIds } from "harmony-policy";"#),
        "{custom}"
    );
}

#[test]
fn diff_includes_member_permission_sets() {
    let dir = std::env::temp_dir().join(format!("harmony-cli-members-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let members = dir.join("members.json");
    std::fs::write(
        &members,
        r#"[{"name": "sales rep", "permissions": ["contacts:read:own", "accounts:read:all"]}]"#,
    )
    .unwrap();
    let text = std::fs::read_to_string(root().join("src/rulesets/harmony.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let route = doc["routes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == "accounts")
        .unwrap();
    route["requires"] = serde_json::json!({ "permission": "accounts:update:all" });
    let new = dir.join("new.json");
    std::fs::write(&new, doc.to_string()).unwrap();
    let (code, out) = tool(&[
        "diff",
        "--json",
        "--members",
        members.to_str().unwrap(),
        "harmony",
        new.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let result: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sidebar = result["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "sidebar" && c["item"] == "accounts")
        .expect("the accounts item changes");
    assert_eq!(
        sidebar["subjects"],
        serde_json::json!(["sales rep"]),
        "only the read-only set loses it"
    );
    let (code, out) = tool(&["diff", "--members", "/no/such.json", "harmony", "harmony"]);
    assert_eq!(code, 2, "{out}");
}
