//! Errors: what the API answers when it refuses, and what stops the server
//! from starting.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use harmony_policy::{QueryError, RequestCheck};
use serde::Serialize;

/// A refused API request. Its JSON body has the shape of the policy's
/// `checkRequest` answer (`{ok: false, status, code, message, field?}`), so a
/// refusal decided by the ruleset reads exactly as the wasm module reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    ok: bool,
    /// HTTP status.
    pub status: u16,
    /// Stable snake_case code.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The body field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The workspaces concerned (`sole_admin`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workspaces: Vec<String>,
    /// Whether the policy decided this refusal (a check with the record the
    /// request addresses), rather than the handler (bad input, no such
    /// record).
    #[serde(skip)]
    pub by_policy: bool,
}

impl ApiError {
    /// A refusal with this status, code and message.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            ok: false,
            status,
            code: code.to_owned(),
            message: message.into(),
            field: None,
            workspaces: Vec::new(),
            by_policy: false,
        }
    }

    /// The same, naming the body field at fault.
    pub fn field(mut self, field: &str) -> ApiError {
        self.field = Some(field.to_owned());
        self
    }

    /// 400 with a code, for bad input the server itself checks.
    pub fn bad_request(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(400, code, message)
    }

    /// 404 for a record that is not in this workspace.
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            404,
            "not_found",
            format!("no {what} `{id}` in this workspace"),
        )
    }

    /// 401: no valid session.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            401,
            "unauthenticated",
            "sign in first: no valid session cookie or bearer token",
        )
    }

    /// 500 for a storage failure; the details go to the server's log only.
    pub fn storage(e: &crate::db::Error) -> ApiError {
        if e.is_unavailable() {
            tracing::error!("database unavailable: {e}");
            return ApiError::new(503, "storage_unavailable", "the database is unavailable");
        }
        tracing::error!("storage error: {e}");
        ApiError::new(500, "storage_error", "the database could not do this")
    }

    /// The refusal the policy decided.
    pub fn from_check(check: &RequestCheck<'_>) -> Option<ApiError> {
        match check {
            RequestCheck::Ok => None,
            RequestCheck::Denied {
                status,
                code,
                message,
                field,
            } => Some(ApiError {
                ok: false,
                status: *status,
                code: (*code).to_owned(),
                message: message.to_string(),
                field: field.map(str::to_owned),
                workspaces: Vec::new(),
                by_policy: true,
            }),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        let mut error = ApiError::bad_request(e.code(), e.to_string());
        if let Some(path) = e.path() {
            error.field = Some(path.to_owned());
        }
        error
    }
}

impl From<crate::db::Error> for ApiError {
    fn from(e: crate::db::Error) -> ApiError {
        ApiError::storage(&e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self)).into_response()
    }
}

impl From<crate::db::SeedError> for StartError {
    fn from(e: crate::db::SeedError) -> StartError {
        match e {
            crate::db::SeedError::Store(e) => StartError::Database(e),
            crate::db::SeedError::Invalid(message) => StartError::Seed(message),
        }
    }
}

/// What stops the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The ruleset does not load.
    #[error("ruleset: {0}")]
    Ruleset(#[from] harmony_policy::RulesetError),
    /// The database cannot be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] crate::db::Error),
    /// The seed data is not valid.
    #[error("seed data: {0}")]
    Seed(String),
    /// The configuration is not usable.
    #[error("{0}")]
    Config(String),
    /// A file could not be read.
    #[error("`{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}
