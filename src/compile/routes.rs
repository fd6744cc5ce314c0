//! Routes (patterns, collisions, links), the products that own them, the
//! home page and the navigation.

use super::*;

impl Compiler<'_> {
    /// Every route: its pattern (one per shape), its link slot, its condition.
    pub(super) fn routes(&mut self) -> Result<Routes, RulesetError> {
        let doc = self.doc;
        let mut router = Router::default();
        let mut routes = Vec::with_capacity(doc.routes.len());
        let mut href_fixed_total = 0usize;
        let mut href_count = 0usize;
        let routes_at = ROOT.key("routes");
        for (i, route) in doc.routes.iter().enumerate() {
            let item = routes_at.index(i);
            let at = item.key("pattern");
            let pattern =
                Pattern::parse(&route.pattern).map_err(|problem| RulesetError::InvalidPattern {
                    path: at.render(),
                    pattern: crate::error::clip(&route.pattern),
                    problem,
                })?;
            if pattern.slug_count() != 1 {
                return Err(RulesetError::InvalidPattern {
                    path: at.render(),
                    pattern: crate::error::clip(&route.pattern),
                    problem: "a route pattern has exactly one `{slug}`",
                });
            }
            if let Some(&other) = router.insert(&pattern, i).first() {
                return Err(RulesetError::RouteCollision {
                    path: at.render(),
                    pattern: route.pattern.clone(),
                    other: doc
                        .routes
                        .get(other)
                        .map(|r| r.id.clone())
                        .unwrap_or_default(),
                });
            }
            let href = pattern.only_slug().then(|| {
                let mut text = String::new();
                pattern.write_with_slug("\u{0}", &mut text);
                let (before, after) = text.split_once('\u{0}').unwrap_or((&text, ""));
                let slot = HrefSlot {
                    fixed_start: href_fixed_total,
                    fixed_len: before.len() + after.len(),
                    ordinal: href_count,
                    before: before.to_owned(),
                    after: after.to_owned(),
                };
                let text = format!("{before}{after}");
                href_fixed_total += text.len();
                href_count += 1;
                slot
            });
            let own = self.optional(route.requires.as_ref(), &item)?;
            routes.push(RouteC {
                pattern,
                gate: own,
                href,
            });
        }
        Ok(Routes {
            routes,
            router,
            href_fixed_total,
            href_count,
        })
    }

    /// Every product: the paths it owns (which gate the routes under them), its
    /// fallback, and no fallback that leads back into what it leaves.
    pub(super) fn products(
        &mut self,
        routes: &mut [RouteC],
    ) -> Result<(Vec<ProductC>, u64), RulesetError> {
        let doc = self.doc;
        let mut products = Vec::with_capacity(doc.products.len());
        let mut default_products = 0u64;
        let products_at = ROOT.key("products");
        for (i, product) in doc.products.iter().enumerate() {
            let at = products_at.index(i);
            let paths_at = at.key("paths");
            if product.default {
                default_products |= 1u64 << i;
            }
            let mut paths = Vec::new();
            for (j, text) in product.paths.iter().enumerate() {
                let here = paths_at.index(j);
                let pattern =
                    Pattern::parse(text).map_err(|problem| RulesetError::InvalidPattern {
                        path: here.render(),
                        pattern: crate::error::clip(text),
                        problem,
                    })?;
                if pattern.segs.is_empty() {
                    return Err(RulesetError::InvalidPattern {
                        path: here.render(),
                        pattern: text.clone(),
                        problem: "a product cannot own every path",
                    });
                }
                paths.push(pattern);
            }
            let fallback = product
                .fallback
                .as_ref()
                .map(|f| linkable(doc, routes, f, &at.key("fallback")))
                .transpose()?;
            products.push(ProductC { paths, fallback });
        }
        for route in routes.iter_mut() {
            let mut gates = Vec::new();
            for (p, product) in products.iter().enumerate() {
                if product
                    .paths
                    .iter()
                    .any(|prefix| prefix.is_prefix_of(&route.pattern))
                {
                    gates.push(self.push(Node::Product(p as u8)));
                }
            }
            if !gates.is_empty() {
                gates.extend(route.gate);
                route.gate = self.conjoin(gates);
            }
        }
        // A fallback must not lead to a page that the same chain of disabled
        // products hides again.
        for (p, product) in products.iter().enumerate() {
            let mut seen = 1u64 << p;
            let mut next = product.fallback;
            while let Some(r) = next {
                let Some(route) = routes.get(r) else { break };
                let needs = route
                    .gate
                    .map(|g| self.conditions.required_products(g))
                    .unwrap_or(0);
                if needs & seen != 0 {
                    return Err(RulesetError::RedirectCycle {
                        path: products_at.index(p).key("fallback").render(),
                        product: doc
                            .products
                            .get(p)
                            .map(|d| d.id.clone())
                            .unwrap_or_default(),
                    });
                }
                // Follow the first product the fallback itself depends on.
                let q = (0..products.len()).find(|&q| needs & (1u64 << q) != 0);
                next = q.and_then(|q| {
                    seen |= 1u64 << q;
                    products.get(q).and_then(|x| x.fallback)
                });
            }
        }
        Ok((products, default_products))
    }

    /// The home page and the navigation items' routes, each linkable.
    pub(super) fn navigation(
        &mut self,
        routes: &[RouteC],
    ) -> Result<(usize, Vec<usize>), RulesetError> {
        let doc = self.doc;
        let home = linkable(doc, routes, &doc.home, &ROOT.key("home"))?;

        // Navigation.
        let mut nav_routes = Vec::with_capacity(doc.navigation.len());
        let navigation = ROOT.key("navigation");
        for (i, item) in doc.navigation.iter().enumerate() {
            let at = navigation.index(i);
            nav_routes.push(linkable(doc, routes, &item.route, &at.key("route"))?);
        }
        Ok((home, nav_routes))
    }
}
