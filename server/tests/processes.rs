//! Two server processes on one database (an SQLite file, or PostgreSQL
//! when `HARMONY_TEST_POSTGRES` is set): a product toggled through one is
//! decided by the other on its next request (no stale cache), sessions
//! signed by one are honoured and revoked by both, contact writes through
//! one while the other toggles Accounts lose no account link, and changes
//! through both at once are serialized (the last-admin guard holds, no
//! toggle is lost).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{json, Value};

async fn set_accounts(client: &reqwest::Client, base: &str, token: &str, on: bool) {
    let status = client
        .put(format!("{base}/api/workspace/products"))
        .bearer_auth(token)
        .json(&json!({ "accounts": on }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_database_behave_as_one_server() {
    let db = common::fresh_db();
    let (mut a, base_a) = common::spawn_binary(&db, &[]);
    let (mut b, base_b) = common::spawn_binary(&db, &[]);
    let client = reqwest::Client::new();
    // One secret for both, so a session made by one works on the other.
    let ada = common::demo_token(&client, &base_a, "u_ada").await;
    let me = client
        .get(format!("{base_b}/api/me"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        200,
        "a session signed by one process works on the other"
    );

    // A toggle through A is decided by B on its next request.
    set_accounts(&client, &base_a, &ada, false).await;
    let accounts = client
        .get(format!("{base_b}/api/accounts"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(
        accounts.status(),
        403,
        "B decides with Accounts off at once"
    );
    set_accounts(&client, &base_a, &ada, true).await;

    // Writes through B while A toggles Accounts: every acknowledged link stays.
    let writer = {
        let (client, base_b, ada) = (client.clone(), base_b.clone(), ada.clone());
        tokio::spawn(async move {
            let mut linked = Vec::new();
            for i in 0..60 {
                let answer = client
                    .post(format!("{base_b}/api/contacts"))
                    .bearer_auth(&ada)
                    .json(&json!({ "name": format!("Contact {i}"), "accountId": "a_1" }))
                    .send()
                    .await
                    .unwrap();
                match answer.status().as_u16() {
                    201 => linked.push(
                        answer.json::<Value>().await.unwrap()["id"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                    ),
                    400 => {} // refused while Accounts is off: nothing stored
                    other => panic!("unexpected {other}"),
                }
            }
            linked
        })
    };
    for on in [false, true, false, true, false, true] {
        set_accounts(&client, &base_a, &ada, on).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let linked = writer.await.unwrap();
    assert!(!linked.is_empty(), "some writes were acknowledged");
    set_accounts(&client, &base_a, &ada, true).await;
    for id in &linked {
        let contact = common::get_json(&client, &format!("{base_a}/api/contacts/{id}"), &ada).await;
        assert_eq!(contact["accountId"], "a_1", "{id} lost its link");
    }

    // Signing out through B revokes the session on A too.
    client
        .delete(format!("{base_b}/api/session"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    let after = client
        .get(format!("{base_a}/api/me"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
}

/// Sends `body` to `url` with `method`; the status.
async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Value,
) -> u16 {
    client
        .request(method, url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_through_two_processes_are_serialized() {
    let db = common::fresh_db();
    let (mut a, base_a) = common::spawn_binary(&db, &[]);
    let (mut b, base_b) = common::spawn_binary(&db, &[]);
    let client = reqwest::Client::new();
    let ada = common::demo_token(&client, &base_a, "u_ada").await;
    let dee = common::demo_token(&client, &base_b, "u_dee").await;
    let patch = reqwest::Method::PATCH;
    for round in 0..8 {
        // Two admins demote each other at once, one through each process:
        // the last-admin guard lets exactly one through.
        let promoted = send(
            &client,
            patch.clone(),
            format!("{base_a}/api/members/u_dee"),
            &ada,
            json!({ "role": "admin" }),
        )
        .await;
        assert_eq!(promoted, 200, "round {round}");
        let (x, y) = tokio::join!(
            send(
                &client,
                patch.clone(),
                format!("{base_a}/api/members/u_dee"),
                &ada,
                json!({ "role": "member" }),
            ),
            send(
                &client,
                patch.clone(),
                format!("{base_b}/api/members/u_ada"),
                &dee,
                json!({ "role": "member" }),
            )
        );
        assert_eq!(
            [x, y].iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {x} {y}"
        );
        let (admin, token) = if x == 200 {
            ("u_ada", &ada)
        } else {
            ("u_dee", &dee)
        };
        let members = common::get_json(&client, &format!("{base_b}/api/members"), token).await;
        let admins: Vec<&str> = members["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["roles"] == json!(["admin"]))
            .map(|m| m["userId"].as_str().unwrap())
            .collect();
        assert_eq!(admins, [admin], "round {round}");
        // Ada is the admin the next round starts from.
        if admin == "u_dee" {
            let back = send(
                &client,
                patch.clone(),
                format!("{base_b}/api/members/u_ada"),
                &dee,
                json!({ "role": "admin" }),
            )
            .await;
            assert_eq!(back, 200);
            let down = send(
                &client,
                patch.clone(),
                format!("{base_a}/api/members/{admin}"),
                &ada,
                json!({ "role": "member" }),
            )
            .await;
            assert_eq!(down, 200);
        }
    }

    // Product toggles through both at once: each keeps the other's.
    let put = reqwest::Method::PUT;
    for round in 0..8 {
        let on = round % 2 == 0;
        let (x, y) = tokio::join!(
            send(
                &client,
                put.clone(),
                format!("{base_a}/api/workspace/products"),
                &ada,
                json!({ "feedback": on }),
            ),
            send(
                &client,
                put.clone(),
                format!("{base_b}/api/workspace/products"),
                &ada,
                json!({ "performance": on }),
            )
        );
        assert_eq!((x, y), (200, 200));
        let products =
            common::get_json(&client, &format!("{base_a}/api/workspace/products"), &ada).await;
        let enabled = |id: &str| {
            products["products"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == id)
                .unwrap()["enabled"]
                .as_bool()
                .unwrap()
        };
        assert_eq!(
            (enabled("feedback"), enabled("performance")),
            (on, on),
            "round {round}: a toggle was lost"
        );
    }
    a.kill().unwrap();
    b.kill().unwrap();
    a.wait().unwrap();
    b.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_started_at_once_migrate_and_seed_once() {
    let db = common::fresh_db();
    let mut children: Vec<_> = (0..3).map(|_| common::start_binary(&db, &[])).collect();
    let bases: Vec<String> = children.iter_mut().map(common::base_url).collect();
    let client = reqwest::Client::new();
    let ada = common::demo_token(&client, &bases[0], "u_ada").await;
    for base in &bases {
        let contacts = common::get_json(&client, &format!("{base}/api/contacts"), &ada).await;
        // The demo's four contacts, imported once.
        assert_eq!(contacts["contacts"].as_array().unwrap().len(), 4, "{base}");
    }
    for mut child in children {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_the_database_and_503_when_it_is_gone() {
    let db = common::fresh_db();
    let (mut child, base) = common::spawn_binary(&db, &[]);
    let client = reqwest::Client::new();
    let health = || async {
        let answer = client
            .get(format!("{base}/api/health"))
            .send()
            .await
            .unwrap();
        (
            answer.status().as_u16(),
            answer.json::<Value>().await.unwrap(),
        )
    };
    let (status, body) = health().await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("ok")),
        "{body}"
    );
    match &db {
        common::TestDb::Sqlite(_) => assert_eq!(body["backend"], "sqlite"),
        common::TestDb::Postgres(url) => {
            assert_eq!(body["backend"], "postgres");
            // The database disappears under the running server.
            let admin = std::env::var("HARMONY_TEST_POSTGRES").unwrap();
            let name = url.rsplit('/').next().unwrap().to_owned();
            common::postgres_client(&admin, move |c| {
                c.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                    .unwrap();
            });
            let (status, body) = health().await;
            assert_eq!(
                (status, body["status"].as_str()),
                (503, Some("unavailable")),
                "{body}"
            );
            // Requests that need the database are refused the same way.
            let ada = client
                .post(format!("{base}/api/session"))
                .json(&json!({ "userId": "u_ada", "workspace": "acme" }))
                .send()
                .await
                .unwrap();
            assert_eq!(ada.status().as_u16(), 503);
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Runs the binary with `flags` until it exits (it must fail to start); its
/// standard error.
fn refused_start(db: &common::TestDb, flags: &[&str]) -> String {
    let mut child = common::start_binary(db, flags);
    let status = child.wait().unwrap();
    assert!(!status.success(), "the server started");
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_to_postgres_verifies_the_database_server() {
    let db = common::fresh_db();
    let common::TestDb::Postgres(url) = &db else {
        // On SQLite a CA file means nothing: refused rather than ignored.
        let stderr = refused_start(&db, &["--database-ca", "ca.pem"]);
        assert!(stderr.contains("give a database URL"), "{stderr}");
        return;
    };
    let ca = std::env::var("HARMONY_TEST_POSTGRES_CA").unwrap();
    let tls = common::TestDb::Postgres(format!("{url}?sslmode=require"));
    let (mut child, base) = common::spawn_binary(&tls, &["--database-ca", &ca]);
    let client = reqwest::Client::new();
    let ada = common::demo_token(&client, &base, "u_ada").await;
    let contacts = common::get_json(&client, &format!("{base}/api/contacts"), &ada).await;
    assert_eq!(contacts["contacts"].as_array().unwrap().len(), 4);
    // Every connection the server holds is encrypted.
    let name = url.rsplit('/').next().unwrap().to_owned();
    let admin = std::env::var("HARMONY_TEST_POSTGRES").unwrap();
    let (plain, encrypted): (i64, i64) = common::postgres_client(&admin, move |c| {
        let row = c
            .query_one(
                "SELECT COUNT(*) FILTER (WHERE NOT s.ssl), COUNT(*) FILTER (WHERE s.ssl)
                 FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
                 WHERE a.datname = $1",
                &[&name],
            )
            .unwrap();
        (row.get(0), row.get(1))
    });
    assert_eq!(plain, 0);
    assert!(encrypted > 0);
    child.kill().unwrap();
    child.wait().unwrap();

    // Without the CA that signed the database server's certificate (the
    // system's certificates do not vouch for it), the server does not start.
    let stderr = refused_start(&tls, &[]);
    assert!(stderr.contains("certificate"), "{stderr}");
    // A CA file with no certificate in it is refused by name.
    let stderr = refused_start(&tls, &["--database-ca", env!("CARGO_MANIFEST_DIR")]);
    assert!(stderr.contains("no readable certificate"), "{stderr}");
}
