//! Form fields and features as a view shows them.

use super::*;

impl View {
    pub(super) fn form_index(&self, form: &str) -> Result<usize, QueryError> {
        self.policy
            .doc
            .forms
            .iter()
            .position(|f| f.id == form)
            .ok_or_else(|| QueryError::Unknown {
                what: "form",
                name: clip(form),
                path: None,
            })
    }

    /// Every field of a form, with its visibility. A form the member may not
    /// use lists all its fields as not visible.
    pub fn form(&self, form: &str) -> Result<Vec<FormField<'_>>, QueryError> {
        let i = self.form_index(form)?;
        Ok(self
            .form_fields(i)
            .map(|(field, visible)| FormField {
                field: &field.id,
                visible,
                required: visible && field.required,
                options: if visible {
                    field.options.as_ref().map(|o| self.options(o))
                } else {
                    None
                },
            })
            .collect())
    }

    /// The fields of form `i` (an index into the ruleset's `forms`), each
    /// with whether this member sees it: the form's gate and the field's.
    pub(crate) fn form_fields(&self, i: usize) -> impl Iterator<Item = (&FieldDoc, bool)> + '_ {
        let p = &self.policy;
        let (fields, gates, form_ok): (&[FieldDoc], &[Option<NodeId>], bool) =
            match (p.doc.forms.get(i), p.forms.get(i)) {
                (Some(doc), Some(compiled)) => {
                    (&doc.fields, &compiled.fields, self.holds(compiled.gate))
                }
                _ => (&[], &[], false),
            };
        fields
            .iter()
            .zip(gates)
            .map(move |(field, &gate)| (field, form_ok && self.holds(gate)))
    }

    pub(super) fn options<'a>(&'a self, source: &'a OptionsDoc) -> Vec<&'a str> {
        let p = &self.policy;
        match source {
            OptionsDoc::Values(values) => values.iter().map(String::as_str).collect(),
            OptionsDoc::Roles => p
                .doc
                .roles
                .iter()
                .zip(p.roles.iter())
                .filter(|(_, r)| self.holds(r.assign))
                .map(|(d, _)| d.id.as_str())
                .collect(),
            OptionsDoc::LandingPages => {
                let workspace = self.facts.workspace_level();
                p.doc
                    .navigation
                    .iter()
                    .zip(p.nav_routes.iter())
                    .filter(|(item, &r)| {
                        item.landing
                            && p.routes.get(r).is_some_and(|route| {
                                route.gate.is_none_or(|g| p.conditions.eval(g, &workspace))
                            })
                    })
                    .map(|(item, _)| item.id.as_str())
                    .collect()
            }
        }
    }

    pub(super) fn feature_index(&self, id: &str) -> Result<usize, QueryError> {
        self.policy
            .doc
            .features
            .iter()
            .position(|f| f.id == id)
            .ok_or_else(|| QueryError::Unknown {
                what: "feature",
                name: clip(id),
                path: None,
            })
    }

    /// Whether a capability that is not a page is on, e.g.
    /// `recording.autoJoin` (flag, environment, workspace availability and
    /// the member's opt-in).
    pub fn feature(&self, id: &str) -> Result<Feature<'_>, QueryError> {
        let i = self.feature_index(id)?;
        let gate = self.policy.features.get(i).copied();
        if !self.active {
            return Ok(Feature {
                enabled: false,
                reason: Some(Reason::InactiveMember),
            });
        }
        let failure = gate.and_then(|g| self.policy.conditions.first_failure(g, &self.facts));
        Ok(Feature {
            enabled: failure.is_none(),
            reason: failure.map(|f| self.failure_reason(f)),
        })
    }
}
