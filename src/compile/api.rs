//! The API: endpoints (methods, patterns, the products that own them,
//! body fields) and the sync integrations' fields.

use super::*;

impl Compiler<'_> {
    /// Every endpoint, and the body fields checked on all of them.
    pub(super) fn endpoints(&mut self, products: &[ProductC]) -> Result<Endpoints, RulesetError> {
        let doc = self.doc;
        let mut api_router = Router::default();
        let mut endpoints = Vec::with_capacity(doc.api.len());
        let api_at = ROOT.key("api");
        for (i, endpoint) in doc.api.iter().enumerate() {
            let at = api_at.index(i);
            if !matches!(
                endpoint.method.as_str(),
                "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
            ) {
                return Err(invalid(
                    at.key("method").render(),
                    "use GET, POST, PUT, PATCH or DELETE",
                ));
            }
            let pattern =
                Pattern::parse(&endpoint.path).map_err(|problem| RulesetError::InvalidPattern {
                    path: at.key("path").render(),
                    pattern: crate::error::clip(&endpoint.path),
                    problem,
                })?;
            let same_shape = api_router.insert(&pattern, i);
            if let Some(other) = same_shape
                .iter()
                .find(|&&o| doc.api.get(o).is_some_and(|e| e.method == endpoint.method))
            {
                return Err(RulesetError::RouteCollision {
                    path: at.key("path").render(),
                    pattern: endpoint.path.clone(),
                    other: doc
                        .api
                        .get(*other)
                        .map(|e| e.id.clone())
                        .unwrap_or_default(),
                });
            }
            let mut gates = Vec::new();
            for (p, product) in products.iter().enumerate() {
                if product
                    .paths
                    .iter()
                    .any(|prefix| prefix.is_prefix_of(&pattern))
                {
                    gates.push(self.push(Node::Product(p as u8)));
                }
            }
            gates.extend(self.optional(endpoint.requires.as_ref(), &at)?);
            let gate = self.conjoin(gates);
            let fields = api_fields(self, &endpoint.fields, &at.key("fields"))?;
            let mut record_permissions = Vec::new();
            if let Some(g) = gate {
                self.conditions
                    .required_permissions(g, &mut record_permissions);
            }
            let form = match &endpoint.form {
                None => None,
                Some(id) => Some(
                    doc.forms
                        .iter()
                        .position(|f| f.id == *id)
                        .ok_or_else(|| unknown(at.key("form").render(), RefKind::Form, id))?,
                ),
            };
            endpoints.push(EndpointC {
                pattern,
                gate,
                fields,
                record_permissions,
                form,
            });
        }

        let global_fields = api_fields(self, &doc.api_fields, &ROOT.key("apiFields"))?;
        Ok(Endpoints {
            endpoints,
            router: api_router,
            fields: global_fields,
        })
    }

    /// Every integration's fields and their conditions.
    pub(super) fn sync(&mut self) -> Result<Vec<Vec<NodeId>>, RulesetError> {
        let doc = self.doc;
        let mut sync = Vec::with_capacity(doc.sync.len());
        let sync_at = ROOT.key("sync");
        for (i, integration) in doc.sync.iter().enumerate() {
            let fields_at = sync_at.index(i);
            let fields_at = fields_at.key("fields");
            let mut fields = Vec::with_capacity(integration.fields.len());
            for (j, field) in integration.fields.iter().enumerate() {
                let here = fields_at.index(j);
                if field.name.is_empty() {
                    return Err(invalid(
                        here.key("name").render(),
                        "a field name is not empty",
                    ));
                }
                fields.push(self.condition(&field.requires, &here.key("requires"), 0)?);
            }
            sync.push(fields);
        }
        Ok(sync)
    }
}
