//! Two server processes on one database file: a product toggled through one
//! is decided by the other on its next request (no stale cache), sessions
//! signed by one are honoured and revoked by both, and contact writes
//! through one while the other toggles Accounts lose no account link.

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
