//! Building a view: a context turned into facts, grants and roles once,
//! every link written and every route decided.

use super::*;

impl View {
    /// Compiles `ctx`; `product_override` sets one product's toggle (for
    /// impact previews).
    pub(crate) fn build(
        policy: &Arc<Compiled>,
        ctx: &Context,
        product_override: Option<(usize, bool)>,
    ) -> Result<View, ContextError> {
        let doc = &policy.doc;
        let ws = &ctx.workspace;
        let member = &ctx.member;

        if !valid_slug(&ws.slug) {
            return Err(ContextError::InvalidSlug {
                path: "/workspace/slug".into(),
                slug: clip(&ws.slug),
            });
        }
        if member.user_id.is_empty() || member.user_id.len() > 256 {
            return Err(ContextError::InvalidValue {
                path: "/member/userId".into(),
                message: "a user id is 1 to 256 bytes".into(),
            });
        }

        // Products.
        too_many("/workspace/products", ws.products.len(), "products")?;
        let mut products = policy.default_products;
        for (key, &on) in &ws.products {
            let i = doc
                .products
                .iter()
                .position(|p| p.id == *key)
                .ok_or_else(|| ContextError::UnknownReference {
                    path: ctx_pointer(&["workspace", "products", key]),
                    kind: RefKind::Product,
                    name: clip(key),
                })?;
            if on {
                products |= mask_bit(i);
            } else {
                products &= !mask_bit(i);
            }
        }
        if let Some((i, on)) = product_override {
            if on {
                products |= mask_bit(i);
            } else {
                products &= !mask_bit(i);
            }
        }

        // Plan and environment.
        let plan = match &ws.plan {
            None => 0,
            Some(p) => name_index(&doc.plans, p).ok_or_else(|| ContextError::UnknownReference {
                path: "/workspace/plan".into(),
                kind: RefKind::Plan,
                name: clip(p),
            })?,
        };
        let environment = match &ws.environment {
            None => doc.environments.len().saturating_sub(1) as u8,
            Some(e) => {
                name_index(&doc.environments, e).ok_or_else(|| ContextError::UnknownReference {
                    path: "/workspace/environment".into(),
                    kind: RefKind::Environment,
                    name: clip(e),
                })?
            }
        };

        // Flags, settings, preferences: names the ruleset does not use are
        // ignored.
        too_many("/workspace/flags", ws.flags.len(), "flags")?;
        too_many("/workspace/settings", ws.settings.len(), "settings")?;
        too_many(
            "/member/preferences",
            member.preferences.len(),
            "preferences",
        )?;
        let mut flags = 0u64;
        for f in &ws.flags {
            if let Some(i) = name_index(&doc.flags, f) {
                flags |= mask_bit(usize::from(i));
            }
        }
        let mut settings = 0u64;
        for (s, &on) in &ws.settings {
            if let (Some(i), true) = (name_index(&doc.settings, s), on) {
                settings |= mask_bit(usize::from(i));
            }
        }
        let mut preferences = 0u64;
        for (p, value) in &member.preferences {
            if let (Some(i), true) = (name_index(&doc.preferences, p), value.is_on()) {
                preferences |= mask_bit(usize::from(i));
            }
        }

        // Roles and grants: the ruleset's roles and the workspace's own.
        let custom = crate::roles::compile(policy, &ws.roles, &["workspace", "roles"])?;
        too_many("/member/roles", member.roles.len(), "roles")?;
        too_many(
            "/member/permissions",
            member.permissions.len(),
            "permissions",
        )?;
        let mut grants = Grants::default();
        for (i, role) in member.roles.iter().enumerate() {
            let builtin = doc
                .roles
                .iter()
                .position(|x| x.id == *role)
                .and_then(|r| policy.roles.get(r))
                .map(|r| &r.grants);
            let own = || custom.iter().find(|r| r.id == role).map(|r| &r.grants);
            let role_grants =
                builtin
                    .or_else(own)
                    .ok_or_else(|| ContextError::UnknownReference {
                        path: ctx_pointer(&["member", "roles", &i.to_string()]),
                        kind: RefKind::Role,
                        name: clip(role),
                    })?;
            grants.merge(role_grants);
        }
        for (i, text) in member.permissions.iter().enumerate() {
            let permission = crate::roles::parse_grant(policy, text, || {
                ctx_pointer(&["member", "permissions", &i.to_string()])
            })?;
            grants.grant(&permission);
        }

        // Teams.
        too_many("/member/teams", member.teams.len(), "teams")?;
        for (i, team) in member.teams.iter().enumerate() {
            if team.is_empty() || team.len() > crate::record::MAX_ID_BYTES {
                return Err(ContextError::InvalidValue {
                    path: ctx_pointer(&["member", "teams", &i.to_string()]),
                    message: format!("a team id is 1 to {} bytes", crate::record::MAX_ID_BYTES),
                });
            }
        }

        // Memberships.
        too_many("/memberships", ctx.memberships.len(), "memberships")?;
        let mut slugs = String::with_capacity(
            ws.slug.len() + ctx.memberships.iter().map(|m| m.len() + 1).sum::<usize>(),
        );
        slugs.push_str(&ws.slug);
        let mut workspaces = 1u32;
        for (i, m) in ctx.memberships.iter().enumerate() {
            if !valid_slug(m) {
                return Err(ContextError::InvalidSlug {
                    path: ctx_pointer(&["memberships", &i.to_string()]),
                    slug: clip(m),
                });
            }
            if !slugs.split(',').any(|s| s == m) {
                slugs.push(',');
                slugs.push_str(m);
                workspaces += 1;
            }
        }

        // Landing page.
        let landing =
            match &member.landing_page {
                None => None,
                Some(id) => Some(doc.navigation.iter().position(|n| n.id == *id).ok_or_else(
                    || ContextError::UnknownReference {
                        path: "/member/landingPage".into(),
                        kind: RefKind::Navigation,
                        name: clip(id),
                    },
                )?),
            };

        // Links.
        let slug_len = ws.slug.len();

        let facts = Facts {
            products,
            grants,
            plan,
            flags,
            environment,
            settings,
            preferences,
            workspaces,
        };
        let mut view = View {
            policy: Arc::clone(policy),
            facts,
            active: member.active,
            apple: ctx.platform.is_apple(),
            slug_len,
            hrefs: std::sync::OnceLock::new(),
            slugs,
            decisions: Vec::new(),
            user_id: member.user_id.clone(),
            teams: member.teams.clone(),
        };
        view.decisions = view.decide(landing);
        Ok(view)
    }

    /// Decides every route. Pages first, then product fallbacks (which point
    /// at pages), then the home (which points at the landing page).
    pub(super) fn decide(&self, landing: Option<usize>) -> Vec<Decision> {
        let p = &self.policy;
        let home = p.home;
        if !self.active {
            return vec![Decision::Forbidden(Why::Inactive); p.routes.len()];
        }
        let mut out: Vec<Decision> = p
            .routes
            .iter()
            .map(|route| {
                match route
                    .gate
                    .and_then(|g| p.conditions.first_failure(g, &self.facts))
                {
                    None => Decision::Allow,
                    Some(Failure::Product(product)) => Decision::Redirect {
                        to: usize::from(product),
                        why: Why::Fail(Failure::Product(product)),
                    },
                    Some(f) => Decision::Forbidden(Why::Fail(f)),
                }
            })
            .collect();
        // Product redirects were stored with the product index; turn them
        // into the route to go to (the fallback if it is allowed, else home).
        // Only `Allow` entries are read here, and rewriting a redirect never
        // makes or removes one, so rewriting in place is order-independent.
        for i in 0..out.len() {
            if let Some(&Decision::Redirect { to, why }) = out.get(i) {
                let fallback = p.products.get(to).and_then(|x| x.fallback);
                let to = match fallback {
                    Some(f) if out.get(f) == Some(&Decision::Allow) => f,
                    _ => home,
                };
                if let Some(slot) = out.get_mut(i) {
                    *slot = Decision::Redirect { to, why };
                }
            }
        }
        let nav_allowed = |n: usize| {
            p.nav_routes
                .get(n)
                .is_some_and(|&r| out.get(r) == Some(&Decision::Allow))
        };
        let target = landing
            .filter(|&n| nav_allowed(n))
            .or_else(|| (0..p.nav_routes.len()).find(|&n| nav_allowed(n)))
            .and_then(|n| p.nav_routes.get(n).copied());
        if let Some(slot) = out.get_mut(home) {
            *slot = match target {
                Some(to) => Decision::Redirect {
                    to,
                    why: Why::Landing,
                },
                None => Decision::Forbidden(Why::NoPages),
            };
        }
        out
    }
}
