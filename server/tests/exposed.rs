//! The server exposed: what it trusts (identity tokens from a configured
//! issuer, or nobody but demo users when asked to), and what it refuses
//! (demo sign-in when off, short secrets, expired and signed-out sessions,
//! state changes from other sites, slow clients, sign-in floods). Each test
//! starts its own server on a fresh SQLite file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use harmony_server::AppState;
use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const JWT_SECRET: &str = "the identity provider's shared secret, 32+ bytes";

use common::fresh_db;

/// The test configuration with the bundled `harmony` ruleset.
fn config(db: &common::TestDb, extra: &[&str]) -> harmony_server::Config {
    common::config(db, "harmony", extra)
}

struct Server {
    base: String,
    client: reqwest::Client,
}

async fn start(db: &common::TestDb, extra: &[&str]) -> Server {
    let (base, _) = common::serve(&config(db, extra)).await;
    Server {
        base,
        client: reqwest::Client::new(),
    }
}

impl Server {
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
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn demo_sign_in(&self, user: &str, workspace: &str) -> (StatusCode, Value) {
        let body = json!({ "userId": user, "workspace": workspace });
        self.call(None, Method::POST, "/api/session", Some(body))
            .await
    }
}

fn code(answer: &(StatusCode, Value)) -> (StatusCode, Option<&str>) {
    (answer.0, answer.1["code"].as_str())
}

fn identity_token(claims: Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap()
}

fn in_an_hour() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600
}

#[tokio::test]
async fn demo_sign_in_and_the_user_list_exist_only_when_asked_for() {
    let s = start(&fresh_db(), &[]).await;
    assert_eq!(
        code(&s.demo_sign_in("u_ada", "acme").await),
        (StatusCode::FORBIDDEN, Some("demo_sign_in_disabled"))
    );
    let (status, _) = s.call(None, Method::GET, "/api/session/users", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let demo = start(&fresh_db(), &["--demo-sign-in"]).await;
    assert_eq!(demo.demo_sign_in("u_ada", "acme").await.0, StatusCode::OK);
    let (status, body) = demo
        .call(None, Method::GET, "/api/session/users", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_short_secret_is_refused_at_start() {
    let db = fresh_db();
    for short in ["", "thirty-one bytes are not enough"] {
        let mut c = config(&db, &[]);
        c.session_secret = Some(short.to_owned());
        let error = AppState::open(&c).err().expect("refused");
        assert!(error.to_string().contains("at least 32"), "{error}");
    }
}

#[tokio::test]
async fn an_identity_token_from_the_configured_issuer_signs_in() {
    let flags = [
        "--jwt-secret",
        JWT_SECRET,
        "--jwt-issuer",
        "https://id.example",
        "--jwt-audience",
        "harmony",
    ];
    let s = start(&fresh_db(), &flags).await;
    let sign_in = |token: String, workspace: Option<&str>| {
        let s = &s;
        let body = workspace.map_or(json!({}), |w| json!({ "workspace": w }));
        async move {
            s.call(Some(&token), Method::POST, "/api/session", Some(body))
                .await
        }
    };
    let good = json!({ "email": "ada@acme.example", "iss": "https://id.example", "aud": "harmony", "exp": in_an_hour() });
    let (status, body) = sign_in(identity_token(good.clone()), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["context"]["member"]["userId"], "u_ada");
    let session = body["token"].as_str().unwrap();
    assert_eq!(
        s.call(Some(session), Method::GET, "/api/me", None).await.0,
        StatusCode::OK
    );
    // Beta, where she is a member too; not Cy's only workspace's sibling.
    assert_eq!(
        sign_in(identity_token(good.clone()), Some("beta")).await.0,
        StatusCode::OK
    );
    // Refused: another audience, another issuer, expired, another key, an
    // address with no account, a workspace she is not in, demo sign-in.
    let mut wrong_audience = good.clone();
    wrong_audience["aud"] = json!("another-service");
    let mut wrong_issuer = good.clone();
    wrong_issuer["iss"] = json!("https://evil.example");
    let mut expired = good.clone();
    expired["exp"] = json!(1_000_000);
    for claims in [wrong_audience, wrong_issuer, expired] {
        assert_eq!(
            code(&sign_in(identity_token(claims), None).await),
            (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
        );
    }
    let forged = encode(
        &Header::default(),
        &good,
        &EncodingKey::from_secret(b"not the provider's secret, but 32+ bytes long"),
    )
    .unwrap();
    assert_eq!(sign_in(forged, None).await.0, StatusCode::UNAUTHORIZED);
    let mut stranger = good.clone();
    stranger["email"] = json!("mallory@evil.example");
    assert_eq!(
        code(&sign_in(identity_token(stranger), None).await),
        (StatusCode::FORBIDDEN, Some("not_a_member"))
    );
    let mut cy = good.clone();
    cy["email"] = json!("cy@beta.example");
    assert_eq!(
        code(&sign_in(identity_token(cy), Some("acme")).await),
        (StatusCode::FORBIDDEN, Some("not_a_member"))
    );
    assert_eq!(
        code(&s.demo_sign_in("u_ada", "acme").await),
        (StatusCode::FORBIDDEN, Some("demo_sign_in_disabled"))
    );
}

#[tokio::test]
async fn sessions_expire_and_signing_out_revokes_across_restarts() {
    let db = fresh_db();
    let s = start(&db, &["--demo-sign-in"]).await;
    let token = s.demo_sign_in("u_ada", "acme").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        s.call(Some(&token), Method::GET, "/api/me", None).await.0,
        StatusCode::OK
    );
    let (status, _) = s
        .call(Some(&token), Method::DELETE, "/api/session", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.call(Some(&token), Method::GET, "/api/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Another process on the same database knows it was signed out.
    let again = start(&db, &["--demo-sign-in"]).await;
    assert_eq!(
        again
            .call(Some(&token), Method::GET, "/api/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // A session of zero hours has expired when it is first used.
    let brief = start(&fresh_db(), &["--demo-sign-in", "--session-hours", "0"]).await;
    let (_, body) = brief.demo_sign_in("u_ada", "acme").await;
    let token = body["token"].as_str().unwrap();
    assert_eq!(
        brief
            .call(Some(token), Method::GET, "/api/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn switching_workspaces_needs_an_active_membership_there() {
    let s = start(&fresh_db(), &["--demo-sign-in"]).await;
    let token = s.demo_sign_in("u_ada", "acme").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let switch = |w: &'static str| {
        let s = &s;
        let token = token.clone();
        async move {
            s.call(
                Some(&token),
                Method::PUT,
                "/api/session",
                Some(json!({ "workspace": w })),
            )
            .await
        }
    };
    let (status, body) = switch("beta").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["context"]["workspace"]["slug"], "beta");
    let beta = body["token"].as_str().unwrap().to_owned();
    // The old session ended with the switch.
    assert_eq!(
        s.call(Some(&token), Method::GET, "/api/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = s
        .call(
            Some(&beta),
            Method::PUT,
            "/api/session",
            Some(json!({ "workspace": "gamma" })),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_a_member"))
    );
}

#[tokio::test]
async fn changes_from_another_site_are_refused_and_pages_carry_the_security_headers() {
    let s = start(&fresh_db(), &["--demo-sign-in"]).await;
    let token = s.demo_sign_in("u_ada", "acme").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = |origin: &str| {
        let request = s
            .client
            .put(format!("{}/api/workspace/products", s.base))
            .header("cookie", format!("harmony_session={token}"))
            .header("origin", origin)
            .json(&json!({ "feedback": true }));
        request.send()
    };
    let evil = put("http://evil.example").await.unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let body: Value = evil.json().await.unwrap();
    assert_eq!(body["code"], "cross_origin");
    let own = put(&s.base).await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);

    let page = s.client.get(format!("{}/", s.base)).send().await.unwrap();
    let header = |name: &str| {
        page.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert!(header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"));
    let (status, _) = s.call(None, Method::GET, "/api/policy", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed() {
    let s = start(&fresh_db(), &["--header-timeout", "1"]).await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    // One sends half a request and stalls; one sends nothing at all.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    for stream in [&mut slow, &mut idle] {
        let mut buffer = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buffer)).await;
        assert!(
            read.is_ok(),
            "the server held the connection past its header timeout"
        );
    }
    // The server still answers.
    let (status, _) = s.call(None, Method::GET, "/api/policy", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address() {
    let s = start(
        &fresh_db(),
        &["--demo-sign-in", "--sign-in-per-minute", "3"],
    )
    .await;
    for _ in 0..3 {
        assert_eq!(s.demo_sign_in("u_ada", "acme").await.0, StatusCode::OK);
    }
    assert_eq!(
        code(&s.demo_sign_in("u_ada", "acme").await),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests"))
    );
}

#[tokio::test]
async fn an_identity_token_signed_with_a_provider_key_pair_signs_in() {
    // A key pair made for these tests only (tests/fixtures); the server is
    // given the public half.
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let public = fixtures.join("identity-es256.pub.pem");
    let public = public.display().to_string();
    let s = start(
        &fresh_db(),
        &["--jwt-public-key", &public, "--jwt-audience", "harmony"],
    )
    .await;
    let private = std::fs::read(fixtures.join("identity-es256.key.pem")).unwrap();
    let claims = json!({ "email": "bob@acme.example", "aud": "harmony", "exp": in_an_hour() });
    let token = encode(
        &Header::new(jsonwebtoken::Algorithm::ES256),
        &claims,
        &EncodingKey::from_ec_pem(&private).unwrap(),
    )
    .unwrap();
    let (status, body) = s
        .call(Some(&token), Method::POST, "/api/session", Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["context"]["member"]["userId"], "u_bob");
    // HS256 with the public key's bytes as the secret (the algorithm
    // confusion attack) is refused.
    let confused = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(&std::fs::read(fixtures.join("identity-es256.pub.pem")).unwrap()),
    )
    .unwrap();
    let (status, _) = s
        .call(
            Some(&confused),
            Method::POST,
            "/api/session",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A key file that holds no public key stops the server at start.
    let bad = fresh_db();
    let not_a_key = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let not_a_key = not_a_key.display().to_string();
    let c = config(
        &bad,
        &["--jwt-public-key", &not_a_key, "--jwt-audience", "harmony"],
    );
    assert!(AppState::open(&c).is_err());
}
