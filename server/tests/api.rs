//! The server over HTTP on 127.0.0.1: each test starts its own server on a
//! fresh SQLite file (seeded with the demo data) and talks to it with a
//! plain HTTP client.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use harmony_server::{AppState, Config};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

struct Server {
    base: String,
    db: PathBuf,
    client: reqwest::Client,
    handle: tokio::task::JoinHandle<()>,
}

fn fresh_db() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "harmony-server-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("harmony.db")
}

async fn start_on(db: PathBuf, ruleset: &str) -> Server {
    let config = Config {
        database: db.clone(),
        ruleset: ruleset.to_owned(),
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        seed: None,
        secret: Some(b"test secret".to_vec()),
    };
    let state = AppState::open(&config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        harmony_server::serve(listener, state).await.unwrap();
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Server {
        base,
        db,
        client,
        handle,
    }
}

async fn start() -> Server {
    start_on(fresh_db(), "harmony").await
}

impl Server {
    async fn sign_in(&self, user: &str, workspace: &str) -> String {
        let (status, body) = self
            .call(
                None,
                Method::POST,
                "/api/session",
                Some(json!({ "userId": user, "workspace": workspace })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    async fn call(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(token), Method::GET, path, None).await
    }

    async fn page(&self, token: &str, path: &str) -> (StatusCode, Option<String>) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("harmony_session={token}"))
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status(), location)
    }

    async fn set_products(&self, token: &str, products: Value) {
        let (status, body) = self
            .call(
                Some(token),
                Method::PUT,
                "/api/workspace/products",
                Some(products),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// The status and the `code` of an answer.
fn code(answer: &(StatusCode, Value)) -> (StatusCode, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

/// The status, `code` and `field` of a refusal.
fn refusal(answer: &(StatusCode, Value)) -> (StatusCode, Option<&str>, Option<&str>) {
    (
        answer.0,
        answer.1["code"].as_str(),
        answer.1["field"].as_str(),
    )
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn account_id_is_refused_with_400_while_accounts_is_off() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let with_account = json!({ "name": "Nia", "accountId": "a_1" });
    let (status, body) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/contacts",
            Some(with_account.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["accountId"], "a_1");

    s.set_products(&ada, json!({ "accounts": false })).await;
    let (status, body) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/contacts",
            Some(with_account),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "accounts_disabled");
    assert_eq!(body["field"], "accountId");
    assert_eq!(body["ok"], false);
    assert_eq!(body["status"], 400);
    // Even `null` counts as submitting the field, on update too.
    assert_eq!(
        code(
            &s.call(
                Some(&ada),
                Method::PATCH,
                "/api/contacts/c_1",
                Some(json!({ "accountId": null })),
            )
            .await
        ),
        (StatusCode::BAD_REQUEST, Some("accounts_disabled"))
    );
    // Without it the same request is fine.
    let (status, body) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/contacts",
            Some(json!({ "name": "Nia" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body.get("accountId").is_none(), "{body}");
}

#[tokio::test]
async fn disabled_products_and_missing_permissions_are_403() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let bob = s.sign_in("u_bob", "acme").await;
    assert_eq!(
        code(&s.get(&ada, "/api/scorecards").await),
        (StatusCode::FORBIDDEN, Some("product_disabled"))
    );
    assert_eq!(
        code(
            &s.call(
                Some(&bob),
                Method::PUT,
                "/api/workspace/products",
                Some(json!({ "accounts": false })),
            )
            .await
        ),
        (StatusCode::FORBIDDEN, Some("permission_denied"))
    );
    let (status, body) = s.get(&bob, "/api/members").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("permission_denied"))
    );
    let (status, _) = s.get(&bob, "/api/contacts").await;
    assert_eq!(status, StatusCode::OK);
    // Answers to accepted requests say so; the policy's refusals do not.
    let decision = |path: &'static str| {
        let request = s.client.get(format!("{}{path}", s.base)).bearer_auth(&bob);
        async move {
            let response = request.send().await.unwrap();
            let header = response
                .headers()
                .get(harmony_server::DECISION_HEADER)
                .cloned();
            (
                response.status(),
                header.map(|v| v.to_str().unwrap().to_owned()),
            )
        }
    };
    assert_eq!(
        decision("/api/contacts").await,
        (StatusCode::OK, Some("accepted".into()))
    );
    assert_eq!(
        decision("/api/contacts/c_404").await,
        (StatusCode::NOT_FOUND, Some("accepted".into()))
    );
    assert_eq!(
        decision("/api/members").await,
        (StatusCode::FORBIDDEN, None)
    );
    // Unknown endpoints and methods answer as the ruleset says.
    assert_eq!(
        code(&s.get(&bob, "/api/nope").await),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert_eq!(
        code(&s.call(Some(&bob), Method::PUT, "/api/contacts", None).await),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
}

#[tokio::test]
async fn sync_drops_account_id_only_while_accounts_is_off() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let bob = s.sign_in("u_bob", "acme").await;
    let records = json!({ "records": [{ "id": "77", "name": "Ola", "email": "ola@x.example", "accountId": "a_2" }] });
    let (status, body) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/sync/hubspot",
            Some(records.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stored"][0]["accountId"], "a_2");
    assert_eq!(body["dropped"], json!([]));

    s.set_products(&ada, json!({ "accounts": false })).await;
    let (status, body) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/sync/salesforce",
            Some(records.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dropped"], json!(["accountId"]));
    assert_eq!(
        body["stored"][0],
        json!({ "id": "77", "name": "Ola", "email": "ola@x.example" })
    );
    // Stored as a contact without the link, even after Accounts comes back.
    s.set_products(&ada, json!({ "accounts": true })).await;
    let (_, contact) = s.get(&ada, "/api/contacts/salesforce_77").await;
    assert_eq!(contact["name"], "Ola");
    assert!(contact.get("accountId").is_none(), "{contact}");
    let (_, contact) = s.get(&ada, "/api/contacts/hubspot_77").await;
    assert_eq!(contact["accountId"], "a_2");
    // Syncing needs the integrations permission.
    assert_eq!(
        code(
            &s.call(Some(&bob), Method::POST, "/api/sync/hubspot", Some(records))
                .await
        ),
        (StatusCode::FORBIDDEN, Some("permission_denied"))
    );
}

#[tokio::test]
async fn turning_a_product_off_and_on_keeps_its_data() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (_, accounts_before) = s.get(&ada, "/api/accounts").await;
    let (_, contacts_before) = s.get(&ada, "/api/contacts").await;
    let (_, projects_before) = s.get(&ada, "/api/projects").await;
    assert_eq!(ids(&accounts_before["accounts"]), ["a_1", "a_2"]);
    assert_eq!(contacts_before["contacts"][0]["accountId"], "a_1");

    s.set_products(&ada, json!({ "accounts": false, "insights": false }))
        .await;
    let (status, body) = s.get(&ada, "/api/accounts").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("product_disabled"))
    );
    let (status, _) = s.get(&ada, "/api/projects").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, contacts_off) = s.get(&ada, "/api/contacts").await;
    assert!(contacts_off["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c.get("accountId").is_none()));
    // A contact edited while Accounts is off keeps its hidden link.
    let (status, _) = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/contacts/c_1",
            Some(json!({ "phone": "+1 555 0199" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Pages follow the same policy before the app loads.
    assert_eq!(
        s.page(&ada, "/workspace/acme/accounts/a_1").await,
        (StatusCode::FOUND, Some("/workspace/acme/contacts".into()))
    );
    assert_eq!(
        s.page(&ada, "/workspace/acme/data-lake").await,
        (StatusCode::FOUND, Some("/workspace/acme".into()))
    );

    s.set_products(&ada, json!({ "accounts": true, "insights": true }))
        .await;
    assert_eq!(s.get(&ada, "/api/accounts").await.1, accounts_before);
    assert_eq!(s.get(&ada, "/api/projects").await.1, projects_before);
    let (_, contacts_after) = s.get(&ada, "/api/contacts").await;
    let mut expected = contacts_before.clone();
    expected["contacts"][0]["phone"] = json!("+1 555 0199");
    assert_eq!(contacts_after, expected);
    assert_eq!(
        s.page(&ada, "/workspace/acme/accounts/a_1").await,
        (StatusCode::OK, None)
    );
}

#[tokio::test]
async fn workspaces_are_isolated() {
    let s = start().await;
    let cy = s.sign_in("u_cy", "beta").await;
    let (_, contacts) = s.get(&cy, "/api/contacts").await;
    assert_eq!(ids(&contacts["contacts"]), ["c_9"]);
    let (status, body) = s.get(&cy, "/api/contacts/c_1").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = s
        .call(
            Some(&cy),
            Method::PATCH,
            "/api/contacts/c_1",
            Some(json!({ "name": "Mine now" })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .call(Some(&cy), Method::DELETE, "/api/contacts/c_1", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, accounts) = s.get(&cy, "/api/accounts").await;
    assert_eq!(ids(&accounts["accounts"]), ["a_9"]);
    let (_, members) = s.get(&cy, "/api/members").await;
    let users: Vec<&str> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["userId"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["u_cy", "u_ada"]);
    // An account of another workspace cannot be linked.
    assert_eq!(
        code(
            &s.call(
                Some(&cy),
                Method::POST,
                "/api/contacts",
                Some(json!({ "name": "X", "accountId": "a_1" })),
            )
            .await
        ),
        (StatusCode::BAD_REQUEST, Some("unknown_account"))
    );
    // Cy is no member of acme: no session there, and acme's pages are refused.
    assert_eq!(
        code(
            &s.call(
                None,
                Method::POST,
                "/api/session",
                Some(json!({ "userId": "u_cy", "workspace": "acme" })),
            )
            .await
        ),
        (StatusCode::FORBIDDEN, Some("not_a_member"))
    );
    assert_eq!(
        s.page(&cy, "/workspace/acme/contacts").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, decision) = s
        .get(&cy, "/api/resolve?path=/workspace/acme/contacts")
        .await;
    assert_eq!(
        decision,
        json!({ "kind": "forbidden", "reason": { "code": "other_workspace" } })
    );
    // A session for one workspace acts on that workspace only.
    let ada_beta = s.sign_in("u_ada", "beta").await;
    let (_, contacts) = s.get(&ada_beta, "/api/contacts").await;
    assert_eq!(ids(&contacts["contacts"]), ["c_9"]);
    // A forged or missing token is not a session.
    let mut forged = cy.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for token in [forged.as_str(), "nonsense"] {
        assert_eq!(
            code(&s.get(token, "/api/contacts").await),
            (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
        );
    }
}

#[tokio::test]
async fn membership_guards_protect_the_last_admin_and_expire_invites() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let bob = s.sign_in("u_bob", "acme").await;
    let (status, body) = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/members/u_ada",
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_admin")),
        "{body}"
    );
    assert_eq!(
        code(
            &s.call(
                Some(&ada),
                Method::PATCH,
                "/api/members/u_ada",
                Some(json!({ "role": "member" })),
            )
            .await
        ),
        (StatusCode::CONFLICT, Some("last_admin"))
    );
    assert_eq!(
        code(
            &s.call(
                Some(&bob),
                Method::PATCH,
                "/api/members/u_ada",
                Some(json!({ "active": false })),
            )
            .await
        ),
        (StatusCode::FORBIDDEN, Some("permission_denied"))
    );

    // Ada is acme's only active admin, so she cannot delete her account.
    let (status, body) = s
        .call(
            Some(&ada),
            Method::DELETE,
            "/api/account",
            Some(json!({ "confirmation": "DELETE" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("sole_admin"))
    );
    assert_eq!(body["workspaces"], json!(["acme"]));
    // With a second admin she can, once she types DELETE.
    let (status, body) = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/members/u_dee",
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s
        .call(
            Some(&ada),
            Method::DELETE,
            "/api/account",
            Some(json!({ "confirmation": "delete" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("confirmation_required"))
    );
    let (status, _) = s
        .call(
            Some(&ada),
            Method::DELETE,
            "/api/account",
            Some(json!({ "confirmation": "DELETE" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.get(&ada, "/api/contacts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Invites: 14 days, a resend starts a new 14 days.
    let dee = s.sign_in("u_dee", "acme").await;
    let (_, invites) = s.get(&dee, "/api/invites").await;
    let statuses: Vec<(&str, &str)> = invites["invites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, [("i_1", "pending"), ("i_2", "expired")]);
    assert_eq!(
        code(
            &s.call(Some(&dee), Method::POST, "/api/invites/i_2/accept", None)
                .await
        ),
        (StatusCode::GONE, Some("invite_expired"))
    );
    let (status, body) = s
        .call(Some(&dee), Method::POST, "/api/invites/i_2/resend", None)
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("pending"))
    );
    let (status, body) = s
        .call(Some(&dee), Method::POST, "/api/invites/i_2/accept", None)
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("accepted"))
    );
    let (_, members) = s.get(&dee, "/api/members").await;
    let fay = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "fay@acme.example")
        .unwrap();
    assert_eq!(fay["roles"], json!(["member"]));
    assert_eq!(
        code(
            &s.call(Some(&dee), Method::DELETE, "/api/invites/i_2", None)
                .await
        ),
        (StatusCode::CONFLICT, Some("invite_not_pending"))
    );
    // New invites take only the roles and landing pages the form offers.
    assert_eq!(
        refusal(
            &s.call(
                Some(&dee),
                Method::POST,
                "/api/invites",
                Some(json!({ "email": "gus@x.example", "role": "owner" })),
            )
            .await
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_option"),
            Some("role")
        )
    );
    let (status, body) = s
        .call(
            Some(&dee),
            Method::POST,
            "/api/invites",
            Some(json!({ "email": "gus@x.example", "role": "member", "landingPage": "feedback" })),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("landingPage")),
        "feedback is off in acme"
    );
    let (status, body) = s
        .call(
            Some(&dee),
            Method::POST,
            "/api/invites",
            Some(json!({ "email": "gus@x.example", "role": "member", "landingPage": "contacts" })),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("pending")),
        "{body}"
    );
}

#[tokio::test]
async fn data_survives_a_restart_and_the_seed_is_imported_once() {
    let db = fresh_db();
    let s = start_on(db.clone(), "harmony").await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (status, created) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/projects",
            Some(json!({ "name": "Kept" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    s.set_products(&ada, json!({ "feedback": true })).await;
    s.handle.abort();
    let _ = s.handle.await;

    let s = start_on(db, "harmony").await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (_, projects) = s.get(&ada, "/api/projects").await;
    assert_eq!(
        ids(&projects["projects"]),
        ["p_1", "p_2", created["id"].as_str().unwrap()]
    );
    let (_, products) = s.get(&ada, "/api/workspace/products").await;
    let enabled: Vec<bool> = products["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["enabled"].as_bool().unwrap())
        .collect();
    assert_eq!(enabled, [true, true, true, false]);
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[tokio::test]
async fn the_app_gets_the_ruleset_its_fingerprint_and_its_own_context() {
    let s = start().await;
    let (status, body) = s.call(None, Method::GET, "/api/policy", None).await;
    assert_eq!(status, StatusCode::OK);
    let policy = harmony_policy::Policy::from_json(&body["ruleset"].to_string()).unwrap();
    assert_eq!(policy.fingerprint(), body["fingerprint"].as_str().unwrap());
    assert_eq!(
        policy.fingerprint(),
        harmony_policy::Policy::builtin("harmony")
            .unwrap()
            .fingerprint()
    );

    // The server's own endpoints answer bad input in the same shape.
    let response = s
        .client
        .post(format!("{}/api/session", s.base))
        .header("content-type", "text/plain")
        .body("u_bob")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["ok"].as_bool(), body["code"].as_str()),
        (Some(false), Some("invalid_json"))
    );
    assert_eq!(
        code(
            &s.call(
                None,
                Method::POST,
                "/api/session",
                Some(json!({ "userId": "u_bob" }))
            )
            .await
        ),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    let (status, body) = s.call(None, Method::GET, "/api/session", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "signedIn": false }))
    );
    let bob = s.sign_in("u_bob", "acme").await;
    let (_, session) = s.get(&bob, "/api/session").await;
    assert_eq!(session["signedIn"], true);
    let (_, me) = s.get(&bob, "/api/me").await;
    assert_eq!(me["user"]["name"], "Bob Marley");
    assert_eq!(me["context"]["member"]["landingPage"], "contacts");
    assert_eq!(me["context"]["memberships"], json!(["acme"]));
    // Bad input: clear errors, never a crash.
    let response = s
        .client
        .post(format!("{}/api/contacts", s.base))
        .bearer_auth(&bob)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_json");
    assert_eq!(
        code(
            &s.call(
                Some(&bob),
                Method::POST,
                "/api/contacts",
                Some(json!(["a"])),
            )
            .await
        ),
        (StatusCode::BAD_REQUEST, Some("invalid_body"))
    );
    assert_eq!(
        refusal(
            &s.call(
                Some(&bob),
                Method::POST,
                "/api/contacts",
                Some(json!({ "name": "A", "owner": "me" })),
            )
            .await
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("unknown_field"),
            Some("owner")
        )
    );
    let (status, body) = s.get(&bob, "/api/contacts").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = s.call(None, Method::GET, "/api/contacts", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn harmonia_runs_with_its_own_roles_and_modules() {
    let s = start_on(fresh_db(), "harmonia").await;
    let ada = s.sign_in("u_ada", "acme").await;
    let dee = s.sign_in("u_dee", "acme").await;
    let (status, body) = s
        .call(
            Some(&dee),
            Method::PATCH,
            "/api/members/u_ada",
            Some(json!({ "role": "member" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("permission_denied")),
        "only owners take the owner role"
    );
    assert_eq!(
        code(
            &s.call(
                Some(&ada),
                Method::PATCH,
                "/api/members/u_ada",
                Some(json!({ "role": "admin" })),
            )
            .await
        ),
        (StatusCode::CONFLICT, Some("last_owner"))
    );
    let (status, body) = s
        .call(
            Some(&dee),
            Method::PUT,
            "/api/workspace/products",
            Some(json!({ "accounts": false })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "admins manage modules: {body}");
    assert_eq!(
        code(&s.get(&ada, "/api/accounts").await),
        (StatusCode::FORBIDDEN, Some("product_disabled"))
    );
}
