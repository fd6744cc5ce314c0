//! The command palette: navigate and action entries, shortcuts.

use super::*;

impl Compiler<'_> {
    /// Every palette entry: its route or action, its condition, its shortcut.
    pub(super) fn palette(&mut self, routes: &[RouteC]) -> Result<Vec<PaletteC>, RulesetError> {
        let doc = self.doc;
        let mut palette = Vec::with_capacity(doc.palette.len());
        let palette_at = ROOT.key("palette");
        for (i, entry) in doc.palette.iter().enumerate() {
            let at = palette_at.index(i);
            if entry.action.is_none() {
                if entry.route.is_none() {
                    return Err(invalid(
                        at.render(),
                        "a palette entry has a `route` (navigate), an `action`, or both",
                    ));
                }
                if entry.requires.is_some() {
                    return Err(invalid(
                        at.key("requires").render(),
                        "a navigate entry follows its route's rules; put conditions on the route",
                    ));
                }
            }
            if let Some(action) = &entry.action {
                if action.is_empty() || action.len() > 64 {
                    return Err(invalid(
                        at.key("action").render(),
                        "an action is 1 to 64 characters",
                    ));
                }
            }
            let route = entry
                .route
                .as_ref()
                .map(|r| linkable(doc, routes, r, &at.key("route")))
                .transpose()?;
            let gate = self.optional(entry.requires.as_ref(), &at)?;
            let shortcut = entry
                .shortcut
                .as_ref()
                .map(|s| {
                    Shortcut::parse(s).map_err(|problem| RulesetError::InvalidShortcut {
                        path: at.key("shortcut").render(),
                        shortcut: crate::error::clip(s),
                        problem,
                    })
                })
                .transpose()?;
            limit(&at.key("keywords"), entry.keywords.len(), 32, "keywords")?;
            palette.push(PaletteC {
                route,
                gate,
                shortcut,
            });
        }
        Ok(palette)
    }
}
