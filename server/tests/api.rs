//! The server over HTTP on 127.0.0.1: each test starts its own server on a
//! fresh SQLite file (seeded with the demo data) and talks to it with a
//! plain HTTP client.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Server {
    base: String,
    db: common::TestDb,
    client: reqwest::Client,
    handle: tokio::task::JoinHandle<()>,
}

async fn start_on(db: common::TestDb, ruleset: &str) -> Server {
    start_with(db, ruleset, &["--demo-sign-in"]).await
}

async fn start_with(db: common::TestDb, ruleset: &str, extra: &[&str]) -> Server {
    let (base, handle) = common::serve(&common::config(&db, ruleset, extra)).await;
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
    start_on(common::fresh_db(), "harmony").await
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
        json!({ "kind": "forbidden", "reason": {
            "code": "other_workspace",
            "message": "this belongs to another workspace"
        } })
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
    // A role neither the ruleset nor the workspace defines: the policy
    // refuses it, for an active member and for a deactivated one.
    for change in [
        json!({ "role": "superuser" }),
        json!({ "role": "superuser", "active": false }),
    ] {
        let (status, body) = s
            .call(
                Some(&ada),
                Method::PATCH,
                "/api/members/u_bob",
                Some(change),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str(), body["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unknown_role"), Some("role")),
            "{body}"
        );
    }

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
    let db = common::fresh_db();
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
    // Every migration is applied, once.
    let latest = match s.db {
        common::TestDb::Sqlite(_) => 5,
        common::TestDb::Postgres(_) => 1,
    };
    assert_eq!(s.db.schema_version(), latest);
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
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["ok"].as_bool(), body["code"].as_str()),
        (Some(false), Some("unsupported_media_type"))
    );
    let response = s
        .client
        .post(format!("{}/api/session", s.base))
        .header("content-type", "application/json")
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
                Some(json!({ "userId": 5 }))
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
    let s = start_on(common::fresh_db(), "harmonia").await;
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

// ---------- records, owners and scopes (SPEC 11) ----------

/// Eve is a sales rep with own-scoped grants on contacts and team-scoped
/// reading of conversations, in team Sales (with Bob).
#[tokio::test]
async fn an_own_scoped_member_sees_and_changes_only_their_own_records() {
    let s = start().await;
    let eve = s.sign_in("u_eve", "acme").await;
    let (status, list) = s.get(&eve, "/api/contacts").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(ids(&list["contacts"]), ["c_2"]);
    assert_eq!(list["contacts"][0]["ownerId"], "u_eve");
    // Another's contact: not found, whatever the method.
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let answer = s
            .call(
                Some(&eve),
                method.clone(),
                "/api/contacts/c_1",
                Some(json!({ "name": "X" })),
            )
            .await;
        assert_eq!(
            code(&answer),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{method}"
        );
    }
    let (status, _) = s.get(&eve, "/api/contacts/c_2").await;
    assert_eq!(status, StatusCode::OK);
    let answer = s
        .call(
            Some(&eve),
            Method::PATCH,
            "/api/contacts/c_2",
            Some(json!({ "phone": "+1 555 0199" })),
        )
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    // Giving her contact away, or filing it under a team: her scope would
    // no longer cover it.
    for change in [
        json!({ "ownerId": "u_bob" }),
        json!({ "teamId": "t_sales" }),
    ] {
        let answer = s
            .call(
                Some(&eve),
                Method::PATCH,
                "/api/contacts/c_2",
                Some(change.clone()),
            )
            .await;
        assert_eq!(
            code(&answer),
            (StatusCode::FORBIDDEN, Some("permission_denied")),
            "{change}"
        );
    }
    // A created record is owned by its creator, and listed for her.
    let (status, created) = s
        .call(
            Some(&eve),
            Method::POST,
            "/api/contacts",
            Some(json!({ "name": "Nina Simone" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["ownerId"], "u_eve");
    assert_eq!(created["teamId"], Value::Null);
    let (_, list) = s.get(&eve, "/api/contacts").await;
    assert_eq!(
        ids(&list["contacts"]),
        ["c_2", created["id"].as_str().unwrap()]
    );
    for body in [
        json!({ "name": "A", "ownerId": "u_bob" }),
        json!({ "name": "A", "teamId": "t_sales" }),
    ] {
        let answer = s
            .call(
                Some(&eve),
                Method::POST,
                "/api/contacts",
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            code(&answer),
            (StatusCode::FORBIDDEN, Some("permission_denied")),
            "{body}"
        );
    }
    let (status, _) = s
        .call(Some(&eve), Method::DELETE, "/api/contacts/c_2", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    // The admin reads everything, and sees the records Eve cannot.
    let ada = s.sign_in("u_ada", "acme").await;
    let (_, list) = s.get(&ada, "/api/contacts").await;
    assert_eq!(
        ids(&list["contacts"]),
        ["c_1", "c_3", "c_4", created["id"].as_str().unwrap()]
    );
}

#[tokio::test]
async fn team_scope_follows_team_membership_on_the_next_request() {
    let s = start().await;
    let eve = s.sign_in("u_eve", "acme").await;
    let (_, list) = s.get(&eve, "/api/conversations").await;
    assert_eq!(
        ids(&list["conversations"]),
        ["m_1", "m_2"],
        "her own and Bob's, both in Sales"
    );
    let (status, _) = s.get(&eve, "/api/conversations/m_3").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Customer Success's");
    let (status, _) = s.get(&eve, "/api/conversations/m_2").await;
    assert_eq!(status, StatusCode::OK);

    // Taken out of Sales: Bob's conversation is gone on her next request,
    // her own stays.
    let ada = s.sign_in("u_ada", "acme").await;
    let answer = s
        .call(
            Some(&ada),
            Method::DELETE,
            "/api/teams/t_sales/members/u_eve",
            None,
        )
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    let (_, list) = s.get(&eve, "/api/conversations").await;
    assert_eq!(ids(&list["conversations"]), ["m_1"]);
    let (status, _) = s.get(&eve, "/api/conversations/m_2").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Put in Customer Success: its conversation appears.
    let answer = s
        .call(
            Some(&ada),
            Method::PUT,
            "/api/teams/t_success/members/u_eve",
            None,
        )
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    let (_, list) = s.get(&eve, "/api/conversations").await;
    assert_eq!(ids(&list["conversations"]), ["m_1", "m_3"]);
}

#[tokio::test]
async fn members_without_team_permissions_cannot_manage_teams_or_assignments() {
    let s = start().await;
    for user in ["u_eve", "u_bob"] {
        let t = s.sign_in(user, "acme").await;
        for (method, path, body) in [
            (Method::GET, "/api/teams", None),
            (Method::POST, "/api/teams", Some(json!({ "name": "Mine" }))),
            (
                Method::PATCH,
                "/api/teams/t_sales",
                Some(json!({ "name": "Ours" })),
            ),
            (Method::DELETE, "/api/teams/t_sales", None),
            (Method::PUT, "/api/teams/t_success/members/u_eve", None),
            (Method::DELETE, "/api/teams/t_sales/members/u_bob", None),
            (
                Method::POST,
                "/api/members/u_dee/reassign",
                Some(json!({ "to": user })),
            ),
            (Method::DELETE, "/api/members/u_dee", None),
        ] {
            let answer = s.call(Some(&t), method.clone(), path, body).await;
            assert_eq!(
                code(&answer),
                (StatusCode::FORBIDDEN, Some("permission_denied")),
                "{user} {method} {path}"
            );
        }
    }
}

#[tokio::test]
async fn reassigning_and_removing_a_member_keeps_their_records() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (_, members) = s.get(&ada, "/api/members").await;
    let eve = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == "u_eve")
        .unwrap()
        .clone();
    assert_eq!(
        eve["assignments"],
        json!({ "contacts": 1, "conversations": 1 })
    );
    assert_eq!(eve["teams"], json!(["t_sales"]));

    // Remove from org: access lost at once, records and ownership stay.
    let eve_token = s.sign_in("u_eve", "acme").await;
    let answer = s
        .call(Some(&ada), Method::DELETE, "/api/members/u_eve", None)
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    let (status, _) = s.get(&eve_token, "/api/contacts").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, c2) = s.get(&ada, "/api/contacts/c_2").await;
    assert_eq!(c2["ownerId"], "u_eve");

    // Reassigning moves what she owned to Bob.
    let (status, moved) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/members/u_eve/reassign",
            Some(json!({ "to": "u_bob" })),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "she is no longer a member: {moved}"
    );
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (status, moved) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/members/u_eve/reassign",
            Some(json!({ "to": "u_bob" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["moved"], json!({ "contacts": 1, "conversations": 1 }));
    let (_, c2) = s.get(&ada, "/api/contacts/c_2").await;
    assert_eq!(c2["ownerId"], "u_bob");
    let answer = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/members/u_eve/reassign",
            Some(json!({ "to": "u_nobody" })),
        )
        .await;
    assert_eq!(
        refusal(&answer),
        (StatusCode::BAD_REQUEST, Some("unknown_member"), Some("to"))
    );
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let answer = s
        .call(Some(&ada), Method::DELETE, "/api/members/u_ada", None)
        .await;
    assert_eq!(code(&answer), (StatusCode::CONFLICT, Some("last_admin")));
    let (_, members) = s.get(&ada, "/api/members").await;
    assert!(members["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["userId"] == "u_ada"));
}

#[tokio::test]
async fn teams_are_created_renamed_and_deleted_without_losing_records() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (status, team) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/teams",
            Some(json!({ "name": "Partners" })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let id = team["id"].as_str().unwrap().to_owned();
    let answer = s
        .call(
            Some(&ada),
            Method::PATCH,
            &format!("/api/teams/{id}"),
            Some(json!({ "name": "Partner success" })),
        )
        .await;
    assert_eq!(answer.0, StatusCode::OK);
    let answer = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/teams",
            Some(json!({ "name": " " })),
        )
        .await;
    assert_eq!(
        refusal(&answer),
        (StatusCode::BAD_REQUEST, Some("invalid_value"), Some("name"))
    );
    // Deleting Sales keeps its records and their team id (reachable at
    // `all`, and by their owners); its members leave it.
    let answer = s
        .call(Some(&ada), Method::DELETE, "/api/teams/t_sales", None)
        .await;
    assert_eq!(answer.0, StatusCode::OK);
    let (_, c1) = s.get(&ada, "/api/contacts/c_1").await;
    assert_eq!(c1["teamId"], "t_sales");
    let (_, teams) = s.get(&ada, "/api/teams").await;
    let names: Vec<&str> = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Customer Success", "Partner success"]);
    let eve = s.sign_in("u_eve", "acme").await;
    let (_, list) = s.get(&eve, "/api/conversations").await;
    assert_eq!(ids(&list["conversations"]), ["m_1"]);
}

#[tokio::test]
async fn a_database_of_the_first_schema_migrates_with_every_row_unowned() {
    let db = common::fresh_sqlite();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        // The first schema version, as a server of that version wrote it.
        conn.execute_batch(
            r#"
CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, preferences TEXT NOT NULL DEFAULT '{}');
CREATE TABLE workspaces (slug TEXT PRIMARY KEY, name TEXT NOT NULL, plan TEXT, environment TEXT, flags TEXT NOT NULL DEFAULT '[]', settings TEXT NOT NULL DEFAULT '{}', products TEXT NOT NULL DEFAULT '{}');
CREATE TABLE members (seq INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL REFERENCES workspaces(slug), user_id TEXT NOT NULL REFERENCES users(id), roles TEXT NOT NULL DEFAULT '[]', permissions TEXT NOT NULL DEFAULT '[]', active INTEGER NOT NULL DEFAULT 1, landing_page TEXT, UNIQUE (workspace, user_id));
CREATE TABLE invites (id TEXT PRIMARY KEY, workspace TEXT NOT NULL REFERENCES workspaces(slug), email TEXT NOT NULL, role TEXT NOT NULL, landing_page TEXT, sent_at INTEGER NOT NULL, accepted_at INTEGER, revoked_at INTEGER);
CREATE TABLE records (seq INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL REFERENCES workspaces(slug), kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (workspace, kind, id));
INSERT INTO users (id, name, email) VALUES ('u_ada', 'Ada', 'ada@x.example'), ('u_rep', 'Rep', 'rep@x.example');
INSERT INTO workspaces (slug, name) VALUES ('acme', 'Acme');
INSERT INTO members (workspace, user_id, roles, permissions) VALUES ('acme', 'u_ada', '["admin"]', '[]'),
  ('acme', 'u_rep', '[]', '["contacts:read:own","contacts:update:team"]');
INSERT INTO records (workspace, kind, id, data) VALUES ('acme', 'contacts', 'c_1', '{"id":"c_1","name":"One","accountId":"a_1"}'),
  ('acme', 'contacts', 'c_2', '{"id":"c_2","name":"Two"}'), ('acme', 'accounts', 'a_1', '{"id":"a_1","name":"A"}');
PRAGMA user_version = 1;
"#,
        )
        .unwrap();
    }
    let s = start_on(common::TestDb::Sqlite(db), "harmony").await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (_, list) = s.get(&ada, "/api/contacts").await;
    assert_eq!(ids(&list["contacts"]), ["c_1", "c_2"]);
    assert_eq!(list["contacts"][0]["name"], "One");
    assert_eq!(list["contacts"][0]["accountId"], "a_1");
    assert_eq!(list["contacts"][0]["ownerId"], Value::Null);
    // Unowned: only an `all` grant reaches them.
    let rep = s.sign_in("u_rep", "acme").await;
    let (_, list) = s.get(&rep, "/api/contacts").await;
    assert_eq!(ids(&list["contacts"]), Vec::<&str>::new());
    let (status, _) = s.get(&rep, "/api/contacts/c_1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn resyncing_while_accounts_is_off_keeps_the_stored_account_link() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let sync = |records: Value| {
        let s = &s;
        let ada = ada.clone();
        async move {
            s.call(
                Some(&ada),
                Method::POST,
                "/api/sync/hubspot",
                Some(json!({ "records": records })),
            )
            .await
        }
    };
    let answer = sync(json!([{ "id": "h1", "name": "Hal", "accountId": "a_1" }])).await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    s.set_products(&ada, json!({ "accounts": false })).await;
    let answer = sync(json!([{ "id": "h1", "name": "Hal 9000", "accountId": "a_2" }])).await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    s.set_products(&ada, json!({ "accounts": true })).await;
    let (_, contact) = s.get(&ada, "/api/contacts/hubspot_h1").await;
    assert_eq!(contact["name"], "Hal 9000");
    assert_eq!(
        contact["accountId"], "a_1",
        "the link stored before Accounts went off"
    );
    assert_eq!(contact["ownerId"], "u_ada");
    // Fields are checked as a create checks them.
    for (record, code_) in [
        (json!({ "id": "h2", "name": 5 }), "invalid_value"),
        (
            json!({ "id": "h2", "name": "Ok", "accountId": "a_9" }),
            "unknown_account",
        ),
    ] {
        let answer = sync(json!([record])).await;
        assert_eq!(
            code(&answer),
            (StatusCode::BAD_REQUEST, Some(code_)),
            "{record}"
        );
    }
}

#[tokio::test]
async fn workspace_roles_are_created_assigned_and_decide_the_next_request() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (status, role) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(json!({ "label": "Sales rep", "grants": ["contacts:read:own", "contacts:update:own"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let id = role["id"].as_str().unwrap().to_owned();
    // Bob, a member, becomes a sales rep: on his next request he reads only
    // his own contacts.
    let bob = s.sign_in("u_bob", "acme").await;
    assert_eq!(
        ids(&s.get(&bob, "/api/contacts").await.1["contacts"]).len(),
        4
    );
    let (status, body) = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/members/u_bob",
            Some(json!({ "role": id })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ids(&s.get(&bob, "/api/contacts").await.1["contacts"]),
        ["c_1"]
    );
    assert_eq!(
        s.get(&bob, "/api/me").await.1["context"]["member"]["roles"],
        json!([id])
    );
    let (_, list) = s.get(&ada, "/api/roles").await;
    let held = list["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(id));
    assert_eq!(held.unwrap()["holders"], json!(["u_bob"]), "{list}");
    // Widening the role takes effect on his next request too.
    let (status, _) = s
        .call(
            Some(&ada),
            Method::PATCH,
            &format!("/api/roles/{id}"),
            Some(json!({ "grants": ["contacts:read:all"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ids(&s.get(&bob, "/api/contacts").await.1["contacts"]).len(),
        4
    );
    // Still held: not deletable; once nobody holds it, it is.
    let path = format!("/api/roles/{id}");
    let held = s.call(Some(&ada), Method::DELETE, &path, None).await;
    assert_eq!(code(&held), (StatusCode::CONFLICT, Some("role_in_use")));
    assert!(
        held.1["message"].as_str().unwrap().contains("`u_bob`"),
        "{}",
        held.1
    );
    s.call(
        Some(&ada),
        Method::PATCH,
        "/api/members/u_bob",
        Some(json!({ "role": "member" })),
    )
    .await;
    let gone = s.call(Some(&ada), Method::DELETE, &path, None).await;
    assert_eq!(gone.0, StatusCode::OK, "{}", gone.1);
    assert_eq!(
        ids(&s.get(&ada, "/api/roles").await.1["roles"]),
        ["r_success"]
    );
}

#[tokio::test]
async fn bad_or_hostile_role_changes_are_refused() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    // A member (no roles:* grants) may not create, change or delete roles.
    let bob = s.sign_in("u_bob", "acme").await;
    for (method, path) in [
        (Method::GET, "/api/roles"),
        (Method::POST, "/api/roles"),
        (Method::PATCH, "/api/roles/r_x"),
        (Method::DELETE, "/api/roles/r_x"),
    ] {
        let answer = s
            .call(
                Some(&bob),
                method.clone(),
                path,
                Some(json!({ "label": "Mine", "grants": ["*:*:all"] })),
            )
            .await;
        assert_eq!(
            code(&answer),
            (StatusCode::FORBIDDEN, Some("permission_denied")),
            "{method} {path}"
        );
    }
    // Grants the ruleset does not know, at their place in the body.
    let unknown = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(
                json!({ "label": "Pilot", "grants": ["contacts:read:all", "rockets:launch:all"] }),
            ),
        )
        .await;
    assert_eq!(
        refusal(&unknown),
        (
            StatusCode::BAD_REQUEST,
            Some("unknown_permission"),
            Some("/grants/1")
        )
    );
    let unscoped = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(json!({ "label": "Pilot", "grants": ["contacts:read"] })),
        )
        .await;
    assert_eq!(
        code(&unscoped),
        (StatusCode::BAD_REQUEST, Some("invalid_permission"))
    );
    let unlabelled = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(json!({ "grants": [] })),
        )
        .await;
    assert_eq!(
        refusal(&unlabelled),
        (
            StatusCode::BAD_REQUEST,
            Some("invalid_value"),
            Some("/label")
        )
    );
    assert_eq!(
        ids(&s.get(&ada, "/api/roles").await.1["roles"]),
        ["r_success"],
        "nothing was stored beside the seeded role"
    );
    // Ruleset roles are not deletable; unknown ones are not found.
    let builtin = s
        .call(Some(&ada), Method::DELETE, "/api/roles/admin", None)
        .await;
    assert_eq!(code(&builtin), (StatusCode::CONFLICT, Some("builtin_role")));
    let missing = s
        .call(Some(&ada), Method::DELETE, "/api/roles/r_nope", None)
        .await;
    assert_eq!(code(&missing), (StatusCode::NOT_FOUND, Some("not_found")));
    // The last admin cannot be moved to a workspace role.
    let (_, role) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(json!({ "label": "Viewer", "grants": ["contacts:read:all"] })),
        )
        .await;
    let demote = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/members/u_ada",
            Some(json!({ "role": role["id"] })),
        )
        .await;
    assert_eq!(code(&demote), (StatusCode::CONFLICT, Some("last_admin")));
}

#[tokio::test]
async fn harmonia_has_no_workspace_roles() {
    let s = start_on(common::fresh_db(), "harmonia").await;
    let ada = s.sign_in("u_ada", "acme").await;
    let answer = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(json!({ "label": "Mine", "grants": [] })),
        )
        .await;
    assert_eq!(answer.0, StatusCode::NOT_FOUND, "{}", answer.1);
}

/// Sends an invite for `email` as `token` and accepts it as the same member.
async fn invite_and_accept(
    s: &Server,
    token: &str,
    email: &str,
    role: &str,
) -> (StatusCode, Value) {
    let (status, invite) = s
        .call(
            Some(token),
            Method::POST,
            "/api/invites",
            Some(json!({ "email": email, "role": role })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let path = format!("/api/invites/{}/accept", invite["id"].as_str().unwrap());
    s.call(Some(token), Method::POST, &path, None).await
}

#[tokio::test]
async fn an_invite_never_rewrites_a_membership_nor_pulls_in_an_account() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    // Acme's only admin cannot demote herself through an invite.
    let answer = invite_and_accept(&s, &ada, "ada@acme.example", "member").await;
    assert_eq!(
        code(&answer),
        (StatusCode::CONFLICT, Some("already_member"))
    );
    let roles = &s.get(&ada, "/api/me").await.1["context"]["member"]["roles"];
    assert_eq!(roles, &json!(["admin"]));
    // Someone who may only invite cannot demote an admin that way either.
    let (status, role) = s
        .call(
            Some(&ada),
            Method::POST,
            "/api/roles",
            Some(json!({ "label": "Recruiter", "grants": ["users:create:all", "users:read:all"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let (status, _) = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/members/u_bob",
            Some(json!({ "role": role["id"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let bob = s.sign_in("u_bob", "acme").await;
    let answer = invite_and_accept(&s, &bob, "ada@acme.example", "member").await;
    assert_eq!(
        code(&answer),
        (StatusCode::CONFLICT, Some("already_member"))
    );
    let roles = &s.get(&ada, "/api/me").await.1["context"]["member"]["roles"];
    assert_eq!(roles, &json!(["admin"]), "still an admin");
    // An admin cannot pull another workspace's user into hers.
    let answer = invite_and_accept(&s, &ada, "cy@beta.example", "member").await;
    assert_eq!(
        code(&answer),
        (StatusCode::CONFLICT, Some("invitee_consent"))
    );
    let (_, members) = s.get(&ada, "/api/members").await;
    assert!(!ids_of(&members["members"]).contains(&"u_cy"));
    // An invite to a new address still makes a member.
    let answer = invite_and_accept(&s, &ada, "gil@acme.example", "member").await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
}

fn ids_of(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["userId"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn reactivating_a_member_grants_their_role_again() {
    let s = start_on(common::fresh_db(), "harmonia").await;
    let dee = s.sign_in("u_dee", "acme").await;
    let deactivate = s
        .call(
            Some(&dee),
            Method::PATCH,
            "/api/members/u_bob",
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(deactivate.0, StatusCode::OK, "{}", deactivate.1);
    // An admin may not grant `owner`, so not on the way back either.
    let back_as_owner = s
        .call(
            Some(&dee),
            Method::PATCH,
            "/api/members/u_bob",
            Some(json!({ "role": "owner", "active": true })),
        )
        .await;
    assert_eq!(
        code(&back_as_owner),
        (StatusCode::FORBIDDEN, Some("permission_denied"))
    );
    let made_owner_while_away = s
        .call(
            Some(&dee),
            Method::PATCH,
            "/api/members/u_bob",
            Some(json!({ "role": "owner" })),
        )
        .await;
    assert_eq!(
        code(&made_owner_while_away),
        (StatusCode::FORBIDDEN, Some("permission_denied"))
    );
    let (_, members) = s.get(&dee, "/api/members").await;
    let bob = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["userId"] == "u_bob")
        .unwrap();
    assert_eq!(
        (&bob["roles"], &bob["active"]),
        (&json!(["member"]), &json!(false))
    );
    // Reactivating him as a member is an admin's to do.
    let back = s
        .call(
            Some(&dee),
            Method::PATCH,
            "/api/members/u_bob",
            Some(json!({ "active": true })),
        )
        .await;
    assert_eq!(back.0, StatusCode::OK, "{}", back.1);
    // A member who holds no role (extra grants only) comes back with none.
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    for active in [false, true] {
        let answer = s
            .call(
                Some(&ada),
                Method::PATCH,
                "/api/members/u_eve",
                Some(json!({ "active": active })),
            )
            .await;
        assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    }
}

#[tokio::test]
async fn sync_merges_into_the_stored_contact_and_checks_fields_as_create_does() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let sync = |records: Value| {
        let s = &s;
        let ada = &ada;
        async move {
            s.call(
                Some(ada),
                Method::POST,
                "/api/sync/hubspot",
                Some(json!({ "records": records })),
            )
            .await
        }
    };
    let first = sync(json!([{ "id": "88", "name": "Ula", "accountId": "a_2" }])).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    // Re-synced while Accounts is off: the stored link stays.
    s.set_products(&ada, json!({ "accounts": false })).await;
    let again = sync(json!([{ "id": "88", "name": "Ula Renamed", "accountId": "a_1" }])).await;
    assert_eq!(again.1["dropped"], json!(["accountId"]));
    s.set_products(&ada, json!({ "accounts": true })).await;
    let (_, contact) = s.get(&ada, "/api/contacts/hubspot_88").await;
    assert_eq!(
        (&contact["name"], &contact["accountId"]),
        (&json!("Ula Renamed"), &json!("a_2"))
    );
    // Fields are checked as create checks them.
    let not_a_string = sync(json!([{ "id": "89", "name": { "first": "Ola" } }])).await;
    assert_eq!(
        refusal(&not_a_string),
        (StatusCode::BAD_REQUEST, Some("invalid_value"), Some("name"))
    );
    let elsewhere = sync(json!([{ "id": "90", "name": "Vic", "accountId": "a_9" }])).await;
    assert_eq!(
        refusal(&elsewhere),
        (
            StatusCode::BAD_REQUEST,
            Some("unknown_account"),
            Some("accountId")
        )
    );
    let (status, _) = s.get(&ada, "/api/contacts/hubspot_90").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nothing of a refused record is stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_demotions_leave_an_admin() {
    for _ in 0..5 {
        let s = start().await;
        let ada = s.sign_in("u_ada", "acme").await;
        let promote = s
            .call(
                Some(&ada),
                Method::PATCH,
                "/api/members/u_dee",
                Some(json!({ "role": "admin" })),
            )
            .await;
        assert_eq!(promote.0, StatusCode::OK);
        let dee = s.sign_in("u_dee", "acme").await;
        let body = || Some(json!({ "role": "member" }));
        let (a, b) = tokio::join!(
            s.call(Some(&ada), Method::PATCH, "/api/members/u_dee", body()),
            s.call(Some(&dee), Method::PATCH, "/api/members/u_ada", body())
        );
        let passed = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(passed, 1, "{a:?} {b:?}");
        // Whoever demoted the other is the admin left, and may list members.
        let admin = if a.0 == StatusCode::OK { &ada } else { &dee };
        let (_, members) = s.get(admin, "/api/members").await;
        let admins = members["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["roles"] == json!(["admin"]))
            .count();
        assert_eq!(admins, 1);
    }
}

#[tokio::test]
async fn lists_come_a_page_at_a_time() {
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    let (_, first) = s.get(&ada, "/api/contacts?limit=3").await;
    assert_eq!(ids(&first["contacts"]), ["c_1", "c_2", "c_3"]);
    let next = first["next"].as_str().unwrap();
    let (_, second) = s
        .get(&ada, &format!("/api/contacts?limit=3&after={next}"))
        .await;
    assert_eq!(ids(&second["contacts"]), ["c_4"]);
    assert_eq!(second["next"], Value::Null);
    // The whole list by default, when it fits in a page.
    let (_, all) = s.get(&ada, "/api/contacts").await;
    assert_eq!(all["contacts"].as_array().unwrap().len(), 4);
    for bad in ["limit=0", "limit=501", "limit=x", "after=-1"] {
        let answer = s.get(&ada, &format!("/api/contacts?{bad}")).await;
        assert_eq!(
            code(&answer),
            (StatusCode::BAD_REQUEST, Some("invalid_value")),
            "{bad}"
        );
    }
    // A page holds only what the member may read.
    let eve = s.sign_in("u_eve", "acme").await;
    let (_, hers) = s.get(&eve, "/api/contacts?limit=1").await;
    assert_eq!(ids(&hers["contacts"]), ["c_2"]);
    assert_eq!(hers["next"], Value::Null);
}

/// What a record's body may and must carry is the policy's answer (the form
/// the endpoint names, as the member's view answers it), not a list of the
/// server's: with a ruleset whose contact form requires `email` and has a
/// `title`, a contact without an email is refused, an update or a sync may
/// not empty it, and a title is stored; with the bundled ruleset only
/// `name` is required and a title is an unknown field.
#[tokio::test]
async fn a_body_must_carry_what_the_policy_requires() {
    async fn post(s: &Server, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        s.call(Some(token), Method::POST, path, Some(body)).await
    }
    let s = start().await;
    let ada = s.sign_in("u_ada", "acme").await;
    assert_eq!(
        refusal(&post(&s, &ada, "/api/contacts", json!({ "email": "n@x.io" })).await),
        (
            StatusCode::BAD_REQUEST,
            Some("required_field"),
            Some("name")
        )
    );
    assert_eq!(
        refusal(&post(&s, &ada, "/api/accounts", json!({ "domain": "x.io" })).await),
        (
            StatusCode::BAD_REQUEST,
            Some("required_field"),
            Some("name")
        )
    );
    let (status, body) = post(&s, &ada, "/api/contacts", json!({ "name": "Nia" })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let titled = json!({ "name": "Nia", "title": "CTO" });
    assert_eq!(
        refusal(&post(&s, &ada, "/api/contacts", titled.clone()).await),
        (
            StatusCode::BAD_REQUEST,
            Some("unknown_field"),
            Some("title")
        )
    );

    let mut ruleset: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("src/rulesets/harmony.json")).unwrap(),
    )
    .unwrap();
    let contact = ruleset["forms"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["id"] == "contact")
        .unwrap();
    let fields = contact["fields"].as_array_mut().unwrap();
    for field in fields.iter_mut() {
        if field["id"] == "email" {
            field["required"] = json!(true);
        }
    }
    fields.push(json!({ "id": "title", "label": "Title" }));
    let file = std::env::temp_dir().join(format!(
        "harmony-required-email-{}.json",
        std::process::id()
    ));
    std::fs::write(&file, ruleset.to_string()).unwrap();
    let s = start_on(common::fresh_db(), file.to_str().unwrap()).await;
    let ada = s.sign_in("u_ada", "acme").await;
    assert_eq!(
        refusal(&post(&s, &ada, "/api/contacts", json!({ "name": "Nia" })).await),
        (
            StatusCode::BAD_REQUEST,
            Some("required_field"),
            Some("email")
        )
    );
    let (status, body) = post(
        &s,
        &ada,
        "/api/contacts",
        json!({ "name": "Nia", "email": "n@x.io", "title": "CTO" }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["title"], "CTO");
    let emptied = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/contacts/c_1",
            Some(json!({ "email": " " })),
        )
        .await;
    assert_eq!(
        refusal(&emptied),
        (
            StatusCode::BAD_REQUEST,
            Some("required_field"),
            Some("email")
        )
    );
    let (status, body) = s
        .call(
            Some(&ada),
            Method::PATCH,
            "/api/contacts/c_1",
            Some(json!({ "phone": "555" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let synced = post(
        &s,
        &ada,
        "/api/sync/hubspot",
        json!({ "records": [{ "id": "h9", "name": "Sam", "email": null }] }),
    )
    .await;
    assert_eq!(
        refusal(&synced).1,
        Some("invalid_value"),
        "a required field may not be synced empty: {synced:?}"
    );
    std::fs::remove_file(&file).unwrap();
}
