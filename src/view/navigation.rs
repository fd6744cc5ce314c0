//! The sidebar, the command palette and route resolution.

use super::*;

impl View {
    /// The sidebar items the member may open, in ruleset order.
    pub fn sidebar(&self) -> Vec<SidebarItem<'_>> {
        let mut out = Vec::with_capacity(self.policy.nav_routes.len());
        out.extend(self.sidebar_shown().filter_map(|i| self.sidebar_item(i)));
        out
    }

    /// Indices (into the ruleset's `navigation`) of the items whose page
    /// this member may open, in ruleset order.
    pub(crate) fn sidebar_shown(&self) -> impl Iterator<Item = usize> + '_ {
        self.policy
            .nav_routes
            .iter()
            .enumerate()
            .filter(|&(_, &r)| self.decision(r) == Decision::Allow)
            .map(|(i, _)| i)
    }

    /// Navigation item `i` as a sidebar item of this view, shown or not.
    pub(crate) fn sidebar_item(&self, i: usize) -> Option<SidebarItem<'_>> {
        let p = &self.policy;
        let (item, &r) = (p.doc.navigation.get(i)?, p.nav_routes.get(i)?);
        Some(SidebarItem {
            id: &item.id,
            label: &item.label,
            href: self.href(r),
            section: &item.section,
            icon: &item.icon,
        })
    }

    /// Palette entry `i` as this view shows it (its link, the platform's
    /// shortcut label), with `score`, whether it is visible or not.
    pub(crate) fn palette_entry(&self, i: usize, score: u32) -> Option<PaletteEntry<'_>> {
        let p = &self.policy;
        let (doc, compiled) = (p.doc.palette.get(i)?, p.palette.get(i)?);
        Some(PaletteEntry {
            id: &doc.id,
            label: &doc.label,
            kind: if doc.action.is_some() {
                PaletteKind::Action
            } else {
                PaletteKind::Navigate
            },
            href: compiled.route.map(|r| self.href(r)),
            action: doc.action.as_deref(),
            keywords: &doc.keywords,
            shortcut: compiled.shortcut.as_ref().map(|s| {
                if self.apple {
                    s.mac.as_str()
                } else {
                    s.other.as_str()
                }
            }),
            score,
        })
    }

    pub(super) fn palette_visible(&self, i: usize) -> bool {
        let p = &self.policy;
        let Some(entry) = p.palette.get(i) else {
            return false;
        };
        self.holds(entry.gate)
            && entry
                .route
                .is_none_or(|r| self.decision(r) == Decision::Allow)
    }

    /// Palette entries the member may use. An empty query lists all in
    /// ruleset order; otherwise entries whose label or keywords match every
    /// word of the query, best first (ties in ruleset order).
    pub fn palette(&self, query: &str) -> Result<Vec<PaletteEntry<'_>>, QueryError> {
        let mut out = Vec::with_capacity(self.policy.doc.palette.len());
        self.palette_ranked(
            query,
            &mut out,
            |i, score| self.palette_entry(i, score),
            |e| e.score,
        )?;
        Ok(out)
    }

    /// Appends to `out` what `make` builds of each visible entry matching
    /// `query` (from its index and score): in ruleset order for an empty
    /// query, else best first with ties in ruleset order.
    pub(crate) fn palette_ranked<T>(
        &self,
        query: &str,
        out: &mut Vec<T>,
        make: impl Fn(usize, u32) -> Option<T>,
        score_of: impl Fn(&T) -> u32,
    ) -> Result<(), QueryError> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(QueryError::TooLarge {
                what: "palette query",
                size: query.len(),
                limit: MAX_QUERY_BYTES,
            });
        }
        let start = out.len();
        for (i, doc) in self.policy.doc.palette.iter().enumerate() {
            if !self.palette_visible(i) {
                continue;
            }
            let Some(score) = crate::palette::score(query, &doc.label, &doc.keywords) else {
                continue;
            };
            out.extend(make(i, score));
        }
        if !query.trim().is_empty() {
            // Best first, ties in ruleset order.
            let ranked = out.get_mut(start..).unwrap_or_default();
            crate::sort::sort_by_key_stable(ranked, |e| std::cmp::Reverse(score_of(e)));
        }
        Ok(())
    }

    /// Decides what to do with a path (SPEC section 6). The path is
    /// normalized first (see [`crate::path`]).
    pub fn resolve<'a>(&'a self, path: &'a str) -> Result<Resolution<'a>, QueryError> {
        let p = &self.policy;
        Ok(match self.answer(path)? {
            Answer::Allow { route, params } => Resolution::Allow {
                route: p.doc.routes.get(route).map_or("", |d| d.id.as_str()),
                params,
            },
            Answer::Redirect { to, why, .. } => Resolution::Redirect {
                to: self.href(to),
                reason: self.why_reason(why),
            },
            Answer::Forbidden { why, .. } => Resolution::Forbidden {
                reason: self.why_reason(why),
            },
            Answer::OtherWorkspace(switch_to) => Resolution::Forbidden {
                reason: Reason::OtherWorkspace { switch_to },
            },
            Answer::NotFound { .. } => Resolution::NotFound,
        })
    }

    /// What `resolve` answers, by route index and cause. Inlined into both
    /// callers so that the parameters are not copied on the way out.
    #[inline(always)]
    pub(super) fn answer<'a>(&'a self, path: &'a str) -> Result<Answer<'a>, QueryError> {
        let mut norm = Normalized::empty();
        match norm.read(path) {
            Ok(()) => {}
            Err(NormError::TooLong(size)) => {
                return Err(QueryError::TooLarge {
                    what: "path",
                    size,
                    limit: MAX_PATH_BYTES,
                })
            }
            Err(_) => return Ok(Answer::NotFound { general: true }),
        };
        let p = &self.policy;
        if let Some(&r) = p.router.find(&norm).first() {
            let Some(route) = p.routes.get(r) else {
                return Ok(Answer::NotFound { general: false });
            };
            let mut params = Params::default();
            for (i, seg) in route.pattern.segs.iter().enumerate() {
                let Seg::Param(name) = seg else { continue };
                if name == SLUG {
                    let value = norm.segment(i).unwrap_or_default();
                    if !value.eq_ignore_ascii_case(self.slug()) {
                        return Ok(self.other_workspace(value));
                    }
                    params.push(name.as_str(), Cow::Borrowed(self.slug()));
                } else if let Some(value) = norm.segment_owned(i) {
                    params.push(name.as_str(), value);
                }
            }
            return Ok(match self.decision(r) {
                Decision::Allow => Answer::Allow { route: r, params },
                Decision::Redirect { to, why } => Answer::Redirect {
                    to,
                    why,
                    route: Some(r),
                },
                Decision::Forbidden(why) => Answer::Forbidden {
                    why,
                    route: Some(r),
                },
            });
        }
        // No route: a path under a product's paths still follows the product.
        let mut general = true;
        for (i, product) in p.products.iter().enumerate() {
            for prefix in &product.paths {
                let Some(Some(slug)) = prefix.match_prefix(&norm) else {
                    continue;
                };
                if !slug.eq_ignore_ascii_case(self.slug()) {
                    return Ok(self.other_workspace(slug));
                }
                // Another member's view (inactive, or with the product off)
                // may answer otherwise.
                general = false;
                if !self.active {
                    return Ok(Answer::Forbidden {
                        why: Why::Inactive,
                        route: None,
                    });
                }
                if self.facts.products & mask_bit(i) == 0 {
                    let to = product
                        .fallback
                        .filter(|&f| self.decision(f) == Decision::Allow)
                        .unwrap_or(p.home);
                    return Ok(Answer::Redirect {
                        to,
                        why: Why::Fail(Failure::Product(i as u8)),
                        route: None,
                    });
                }
            }
        }
        Ok(Answer::NotFound { general })
    }

    /// Forbidden as another workspace's page, with the membership to switch
    /// to when the member belongs to it.
    pub(super) fn other_workspace(&self, slug: &str) -> Answer<'_> {
        Answer::OtherWorkspace(
            self.slugs
                .split(',')
                .skip(1)
                .find(|m| m.eq_ignore_ascii_case(slug)),
        )
    }
}
