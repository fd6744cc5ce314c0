//! Roles (their grants and who may assign them) and the membership rules.

use super::*;

impl Compiler<'_> {
    /// Every role: its grants, its last-holder code, who may assign it.
    pub(super) fn roles(&mut self) -> Result<Vec<RoleC>, RulesetError> {
        let doc = self.doc;
        let mut roles = Vec::with_capacity(doc.roles.len());
        let roles_at = ROOT.key("roles");
        for (i, role) in doc.roles.iter().enumerate() {
            let at = roles_at.index(i);
            let mut grants = Grants::default();
            let grants_at = at.key("grants");
            limit(&grants_at, role.grants.len(), MAX_ENTRIES, "grants")?;
            for (j, g) in role.grants.iter().enumerate() {
                grants.grant(&parse_permission(&self.vocab, g, &grants_at.index(j))?);
            }
            if let Some(code) = &role.last_holder {
                if !valid_code(code) {
                    return Err(invalid(
                        at.key("lastHolder").render(),
                        "an error code is snake_case",
                    ));
                }
            }
            let assign = role
                .assign_requires
                .as_ref()
                .map(|r| self.condition(r, &at.key("assignRequires"), 0))
                .transpose()?;
            roles.push(RoleC { grants, assign });
        }
        Ok(roles)
    }

    /// The membership rules: invite expiry, who may change roles.
    pub(super) fn membership(&mut self) -> Result<Option<NodeId>, RulesetError> {
        let doc = self.doc;
        if !(1..=365).contains(&doc.membership.invite_expiry_days) {
            return Err(invalid(
                "/membership/inviteExpiryDays".into(),
                "use a number of days from 1 to 365",
            ));
        }
        let role_change = doc
            .membership
            .role_change_requires
            .as_ref()
            .map(|r| {
                let membership = ROOT.key("membership");
                self.condition(r, &membership.key("roleChangeRequires"), 0)
            })
            .transpose()?;
        Ok(role_change)
    }
}
