//! Permission queries: `can`, with a record, and the filters that select
//! the records a scope covers.

use super::*;

impl View {
    /// Whether the member holds `permission` (`resource:action:scope`, `*`
    /// allowed for resource and action). An inactive member holds nothing.
    pub fn can(&self, permission: &str) -> Result<bool, QueryError> {
        let held = match self.policy.permission_table.get(permission) {
            Some(p) => self.facts.grants.allows(p),
            None => self
                .facts
                .grants
                .allows(&parse_permission(&self.policy, permission)?),
        };
        Ok(self.active && held)
    }

    /// Whether the member may do `permission` (`resource:action`, without a
    /// scope) to `record`: the widest scope the member holds it at covers
    /// the record (SPEC section 11). `all` covers every record; `team`, the
    /// records of the member's teams and their own; `own`, their own. A
    /// permission written with a scope is an `invalid_permission` error,
    /// since the record decides the scope.
    pub fn can_record(&self, permission: &str, record: &Record) -> Result<bool, QueryError> {
        let p = parse_record_permission(&self.policy, permission)?;
        Ok(self.active
            && self.facts.grants.widest(&p).is_some_and(|scope| {
                crate::record::covers(scope, record, &self.user_id, &self.teams)
            }))
    }

    /// Exactly the records [`View::can_record`] allows for `permission`
    /// (`resource:action`), as data a server turns into a query. An inactive
    /// member's filter matches nothing.
    pub fn filter(&self, permission: &str) -> Result<Filter<'_>, QueryError> {
        let p = parse_record_permission(&self.policy, permission)?;
        let scope = if self.active {
            self.facts.grants.widest(&p)
        } else {
            None
        };
        Ok(crate::record::filter(scope, &self.user_id, &self.teams))
    }

    /// Exactly the records `endpoint` (from [`crate::Policy::endpoint`])
    /// accepts for this member ([`View::check_request_on`] with a record
    /// refuses every other for its permissions), as data a server turns
    /// into a query: a list endpoint lists only these. Every permission the
    /// endpoint requires must cover a record, and the records a scope
    /// covers grow from `own` to `team` to `all`, so this is the filter of
    /// the narrowest of the member's widest scopes; an endpoint that
    /// requires no permission accepts every record.
    pub fn endpoint_filter(&self, endpoint: &crate::Endpoint<'_>) -> Filter<'_> {
        let p = &self.policy;
        // An endpoint of another policy matches nothing here.
        let ours = p
            .doc
            .api
            .get(endpoint.index)
            .is_some_and(|doc| std::ptr::eq(doc.id.as_str(), endpoint.id));
        let (true, Some(compiled)) = (ours, p.endpoints.get(endpoint.index)) else {
            return Filter::nothing();
        };
        let mut scope = Some(crate::Scope::All);
        for &leaf in &compiled.record_permissions {
            let widest = p
                .conditions
                .permissions
                .get(usize::from(leaf))
                .and_then(|l| self.facts.grants.widest(&l.permission));
            scope = scope.min(widest);
        }
        if !self.active {
            scope = None;
        }
        crate::record::filter(scope, &self.user_id, &self.teams)
    }

    /// Whether the member holds a permission looked up once with
    /// [`crate::Policy::permission`]: a bit test, no text to read. An id of
    /// another policy is never held.
    pub fn can_id(&self, id: crate::PermissionId) -> bool {
        id.policy == self.policy.instance && self.can_index(id.index)
    }
}
