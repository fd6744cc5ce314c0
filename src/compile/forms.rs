//! Features and forms: their conditions and their fields'.

use super::*;

impl Compiler<'_> {
    /// Every feature's condition.
    pub(super) fn features(&mut self) -> Result<Vec<NodeId>, RulesetError> {
        let doc = self.doc;
        let mut features = Vec::with_capacity(doc.features.len());
        let features_at = ROOT.key("features");
        for (i, feature) in doc.features.iter().enumerate() {
            let at = features_at.index(i);
            features.push(self.condition(&feature.requires, &at.key("requires"), 0)?);
        }
        Ok(features)
    }

    /// Every form: its condition, its fields' conditions and options.
    pub(super) fn forms(&mut self) -> Result<Vec<FormC>, RulesetError> {
        let doc = self.doc;
        let mut forms = Vec::with_capacity(doc.forms.len());
        let forms_at = ROOT.key("forms");
        for (i, form) in doc.forms.iter().enumerate() {
            let at = forms_at.index(i);
            let fields_at = at.key("fields");
            check_ids(
                &fields_at,
                form.fields.iter().map(|f| f.id.as_str()),
                "id",
                "field",
                MAX_ENTRIES,
            )?;
            let gate = self.optional(form.requires.as_ref(), &at)?;
            let mut fields = Vec::with_capacity(form.fields.len());
            for (j, field) in form.fields.iter().enumerate() {
                let here = fields_at.index(j);
                if let Some(OptionsDoc::Values(values)) = &field.options {
                    limit(
                        &here.key("options").key("values"),
                        values.len(),
                        MAX_ENTRIES,
                        "options",
                    )?;
                }
                fields.push(self.optional(field.requires.as_ref(), &here)?);
            }
            forms.push(FormC { gate, fields });
        }
        Ok(forms)
    }
}
