//! A server killed with SIGKILL in the middle of writes loses no write it
//! acknowledged: every contact it answered 201 for is there after a
//! restart on the same database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::{json, Value};
mod common;

use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_acknowledged_write_is_lost_to_a_kill() {
    let db = common::fresh_db();
    let (mut child, base) = common::spawn_binary(&db, &[]);
    let client = reqwest::Client::new();
    let token = common::demo_token(&client, &base, "u_ada").await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = Vec::new();
    for w in 0..8 {
        let (client, base, token, acknowledged) = (
            client.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let name = format!("Writer {w} contact {i}");
                let answer = client
                    .post(format!("{base}/api/contacts"))
                    .bearer_auth(&token)
                    .json(&json!({ "name": name }))
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status() == 201 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        if let Some(id) = body["id"].as_str() {
                            acknowledged.lock().unwrap().push(id.to_owned());
                        }
                    }
                    _ => break,
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "only {} writes",
        acknowledged.len()
    );

    let (mut again, base) = common::spawn_binary(&db, &[]);
    let token = &common::demo_token(&client, &base, "u_ada").await;
    let mut stored = std::collections::HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(next) => format!("{base}/api/contacts?limit=500&after={next}"),
            None => format!("{base}/api/contacts?limit=500"),
        };
        let page = common::get_json(&client, &path, token).await;
        for c in page["contacts"].as_array().unwrap() {
            stored.insert(c["id"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    again.kill().unwrap();
    again.wait().unwrap();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
}
