//! `explain`: why a page, item, entry, field or endpoint is or is not
//! there, condition by condition.

use super::*;

impl View {
    pub(super) fn explain_gate<'a>(&'a self, gates: &[Option<NodeId>], out: &mut Vec<Reason<'a>>) {
        if !self.active {
            out.push(Reason::InactiveMember);
            return;
        }
        let mut failures = Vec::new();
        for g in gates.iter().flatten() {
            self.policy
                .conditions
                .failures(*g, &self.facts, &mut failures);
        }
        out.extend(failures.into_iter().map(|f| self.failure_reason(f)));
    }

    /// Why a target is shown or allowed, or not. Targets: `sidebar:ID`,
    /// `palette:ID`, `route:PATH`, `form:ID`, `field:FORM.FIELD`,
    /// `feature:ID`, `permission:PERMISSION`, `api:METHOD PATH`.
    pub fn explain<'a>(&'a self, target: &'a str) -> Result<Explanation<'a>, QueryError> {
        if target.len() > MAX_NAME_BYTES {
            return Err(QueryError::TooLarge {
                what: "target",
                size: target.len(),
                limit: MAX_NAME_BYTES,
            });
        }
        let Some((kind, name)) = target.split_once(':') else {
            return Err(QueryError::InvalidTarget {
                target: clip(target),
            });
        };
        let p = &self.policy;
        let unknown = || QueryError::Unknown {
            what: "target",
            name: clip(target),
            path: None,
        };
        let mut reasons = Vec::new();
        let allowed = match kind {
            "sidebar" => {
                let n = p
                    .doc
                    .navigation
                    .iter()
                    .position(|x| x.id == name)
                    .ok_or_else(unknown)?;
                let r = p.nav_routes.get(n).copied().ok_or_else(unknown)?;
                self.explain_route(r, &mut reasons)
            }
            "palette" => {
                let i = p
                    .doc
                    .palette
                    .iter()
                    .position(|x| x.id == name)
                    .ok_or_else(unknown)?;
                let entry = p.palette.get(i).ok_or_else(unknown)?;
                let mut gates = vec![entry.gate];
                gates.extend(entry.route.map(|r| p.routes.get(r).and_then(|x| x.gate)));
                self.explain_gate(&gates, &mut reasons);
                self.palette_visible(i)
            }
            "route" => match self.resolve(name)? {
                Resolution::Allow { .. } => true,
                Resolution::NotFound => {
                    reasons.push(Reason::NotFound);
                    false
                }
                Resolution::Forbidden {
                    reason: reason @ Reason::OtherWorkspace { .. },
                } => {
                    reasons.push(reason);
                    false
                }
                _ => {
                    let norm = Normalized::new(name).ok();
                    let r = norm
                        .as_ref()
                        .and_then(|n| p.router.find(n).first().copied());
                    match r {
                        Some(r) => self.explain_route(r, &mut reasons),
                        None => {
                            // A product-owned path without a route.
                            if let Resolution::Redirect { reason, .. }
                            | Resolution::Forbidden { reason } = self.resolve(name)?
                            {
                                reasons.push(reason);
                            }
                            false
                        }
                    }
                }
            },
            "form" => {
                let i = self.form_index(name)?;
                let gate = p.forms.get(i).and_then(|f| f.gate);
                self.explain_gate(&[gate], &mut reasons);
                self.holds(gate)
            }
            "field" => {
                let (form, field) = name.split_once('.').ok_or_else(unknown)?;
                let i = self.form_index(form)?;
                let (doc, compiled) = p.doc.forms.get(i).zip(p.forms.get(i)).ok_or_else(unknown)?;
                let j = doc
                    .fields
                    .iter()
                    .position(|f| f.id == field)
                    .ok_or_else(unknown)?;
                let gate = compiled.fields.get(j).copied().flatten();
                self.explain_gate(&[compiled.gate, gate], &mut reasons);
                self.holds(compiled.gate) && self.holds(gate)
            }
            "feature" => {
                let i = self.feature_index(name)?;
                let gate = p.features.get(i).copied();
                self.explain_gate(&[gate], &mut reasons);
                self.holds(gate)
            }
            "permission" => {
                let allowed = self.can(name)?;
                if !self.active {
                    reasons.push(Reason::InactiveMember);
                } else if !allowed {
                    reasons.push(Reason::PermissionDenied { permission: name });
                }
                allowed
            }
            "api" => {
                let (method, path) = name.split_once(' ').ok_or_else(unknown)?;
                match self.check_request_with(method, path, |_| false)? {
                    RequestCheck::Ok => true,
                    RequestCheck::Denied { .. } => {
                        let norm = Normalized::new(path).ok();
                        let e = norm.as_ref().and_then(|n| {
                            p.api_router.find(n).iter().copied().find(|&e| {
                                p.doc
                                    .api
                                    .get(e)
                                    .is_some_and(|d| d.method.eq_ignore_ascii_case(method))
                            })
                        });
                        match e {
                            Some(e) => self.explain_gate(
                                &[p.endpoints.get(e).and_then(|x| x.gate)],
                                &mut reasons,
                            ),
                            None => reasons.push(Reason::NotFound),
                        }
                        false
                    }
                }
            }
            _ => {
                return Err(QueryError::InvalidTarget {
                    target: clip(target),
                })
            }
        };
        if allowed {
            reasons.clear();
        }
        Ok(Explanation { allowed, reasons })
    }

    pub(super) fn explain_route<'a>(&'a self, r: usize, reasons: &mut Vec<Reason<'a>>) -> bool {
        let p = &self.policy;
        match self.decision(r) {
            Decision::Allow => true,
            Decision::Redirect {
                why: Why::Landing, ..
            } => {
                reasons.push(Reason::LandingPage);
                false
            }
            Decision::Forbidden(Why::NoPages) => {
                reasons.push(Reason::NoPages);
                false
            }
            _ => {
                self.explain_gate(&[p.routes.get(r).and_then(|x| x.gate)], reasons);
                false
            }
        }
    }

    // Accessors for impact previews.
}
