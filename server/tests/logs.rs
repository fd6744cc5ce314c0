//! The server's logs and its stop: one JSON line per request with who and
//! how it went (never a token), a decision line for every refusal and every
//! change, and SIGTERM finishing in flight before exiting 0.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};
mod common;

use std::io::Read;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_decisions_are_logged_and_sigterm_stops_cleanly() {
    let db = common::fresh_db();
    let (mut child, base) = common::spawn_binary(&db, &["--log-format", "json"]);
    let client = reqwest::Client::new();
    let ada = common::demo_token(&client, &base, "u_ada").await;
    let bob = common::demo_token(&client, &base, "u_bob").await;
    let status = |r: reqwest::Response| r.status().as_u16();
    let list = client
        .get(format!("{base}/api/contacts"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(status(list), 200);
    let refused = client
        .patch(format!("{base}/api/members/u_ada"))
        .bearer_auth(&bob)
        .json(&json!({ "role": "member" }))
        .send()
        .await
        .unwrap();
    assert_eq!(status(refused), 403);
    let changed = client
        .put(format!("{base}/api/workspace/products"))
        .bearer_auth(&ada)
        .json(&json!({ "feedback": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(status(changed), 200);

    // SIGTERM: the server stops accepting, finishes and exits 0.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    if let common::TestDb::Postgres(url) = &db {
        // It closed its connections on the way out.
        let name = url.rsplit('/').next().unwrap().to_owned();
        let admin = std::env::var("HARMONY_TEST_POSTGRES").unwrap();
        let open: i64 = common::postgres_client(&admin, move |c| {
            c.query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1",
                &[&name],
            )
            .unwrap()
            .get(0)
        });
        assert_eq!(open, 0, "connections left open");
    }
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(
        !logs.contains(&ada) && !logs.contains(&bob),
        "a token was logged"
    );
    let lines: Vec<Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let find = |pred: &dyn Fn(&Value) -> bool| lines.iter().find(|l| pred(l)).cloned();
    let request =
        find(&|l| l["target"] == "harmony_server::request" && l["path"] == "/api/contacts")
            .unwrap_or_else(|| panic!("no request line:\n{logs}"));
    assert_eq!(
        (
            &request["method"],
            &request["status"],
            &request["workspace"],
            &request["member"]
        ),
        (&json!("GET"), &json!(200), &json!("acme"), &json!("u_ada"))
    );
    assert!(request["latency_us"].is_u64());
    // The route: the ruleset's endpoint id, or the server's own pattern.
    assert_eq!(request["route"], "contacts.list", "{request}");
    let session =
        find(&|l| l["target"] == "harmony_server::request" && l["path"] == "/api/session")
            .unwrap_or_else(|| panic!("no sign-in line:\n{logs}"));
    assert_eq!(session["route"], "/api/session", "{session}");
    let refusal =
        find(&|l| l["target"] == "harmony_server::decision" && l["decision"] == "refused")
            .unwrap_or_else(|| panic!("no refusal:\n{logs}"));
    assert_eq!(
        (&refusal["member"], &refusal["what"], &refusal["code"]),
        (
            &json!("u_bob"),
            &json!("members.update"),
            &json!("permission_denied")
        )
    );
    assert!(
        find(
            &|l| l["fields"]["message"] == "stopped: database connections closed"
                || l["message"] == "stopped: database connections closed"
        )
        .is_some(),
        "no closing line:\n{logs}"
    );
    let change =
        find(&|l| l["target"] == "harmony_server::decision" && l["decision"] == "accepted")
            .unwrap_or_else(|| panic!("no accepted change:\n{logs}"));
    assert_eq!(
        (&change["member"], &change["what"]),
        (&json!("u_ada"), &json!("workspace.products.update"))
    );
}
