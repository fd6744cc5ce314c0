//! The router with guards: a route can only be registered together with
//! what guards it, and the registry lists every route with its guard
//! ([`crate::inventory`]), for the test that attacks each and for the API's
//! description.

use axum::Router;

/// What guards a route: every route the server registers names one, and
/// [`crate::inventory`] lists them (a test sends each an attacker's request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Open to anyone: it tells nothing about any workspace and changes
    /// nothing but the caller's own session (the ruleset, whether the caller
    /// is signed in, signing out, the app's files).
    Public,
    /// Signing in: an identity token from the configured issuer, or demo
    /// sign-in when the server runs with `--demo-sign-in`.
    SignIn,
    /// Exists only with `--demo-sign-in` (404 otherwise).
    DemoOnly,
    /// Needs a session; it concerns only the signed-in user, and what it
    /// changes is decided by the policy check named here.
    Session(&'static str),
    /// The ruleset's endpoint table: `View::check_request` decides each
    /// request, with the record where there is one.
    Ruleset,
    /// A page of the app: `View::resolve` decides before the app is sent.
    Page,
}

/// One registered route and its guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    /// The method (`ANY` for every method).
    pub method: &'static str,
    /// The path pattern, in axum's syntax.
    pub path: &'static str,
    /// What guards it.
    pub guard: Guard,
}

/// A router that can only be given routes together with their guards.
pub(crate) struct Routes<S> {
    router: Router<S>,
    table: Vec<RouteInfo>,
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub(crate) fn new() -> Routes<S> {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Adds `handler` for `method` at `path`, guarded by `guard`.
    pub(crate) fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        guard: Guard,
        handler: axum::routing::MethodRouter<S>,
    ) -> Routes<S> {
        self.router = self.router.route(path, handler);
        self.table.push(RouteInfo {
            method,
            path,
            guard,
        });
        self
    }

    /// Every other path, guarded by `guard`.
    pub(crate) fn fallback(
        mut self,
        guard: Guard,
        handler: axum::routing::MethodRouter<S>,
    ) -> Routes<S> {
        self.router = self.router.fallback(handler);
        self.table.push(RouteInfo {
            method: "GET",
            path: "/{*page}",
            guard,
        });
        self
    }

    pub(crate) fn merge(mut self, other: Routes<S>) -> Routes<S> {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub(crate) fn into_parts(self) -> (Router<S>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}
