//! The names a ruleset declares: ids unique and well formed in every list,
//! the permission vocabulary within its limits.

use super::*;

/// Checks every list's ids and names; the permission vocabulary.
pub(super) fn names(doc: &RulesetDoc) -> Result<Vocabulary, RulesetError> {
    check_ids(
        &ROOT.key("products"),
        doc.products.iter().map(|p| p.id.as_str()),
        "id",
        "product",
        MAX_NAMES,
    )?;
    check_names(&ROOT.key("plans"), &doc.plans, "plan")?;
    check_names(&ROOT.key("environments"), &doc.environments, "environment")?;
    check_names(&ROOT.key("flags"), &doc.flags, "flag")?;
    check_names(&ROOT.key("settings"), &doc.settings, "setting")?;
    check_names(&ROOT.key("preferences"), &doc.preferences, "preference")?;
    let vocab = Vocabulary {
        resources: doc.permissions.resources.clone(),
        actions: doc.permissions.actions.clone(),
    };
    let permissions = ROOT.key("permissions");
    for (key, names) in [("resources", &vocab.resources), ("actions", &vocab.actions)] {
        let list = permissions.key(key);
        for (i, name) in names.iter().enumerate() {
            if !is_valid_name(name) {
                return Err(invalid(
                    list.index(i).render(),
                    format!("`{}` is not a lowercase name", crate::error::clip(name)),
                ));
            }
        }
        check_ids(
            &list,
            names.iter().map(String::as_str),
            "",
            "permission name",
            MAX_CELLS,
        )?;
    }
    if vocab.resources.len() * vocab.actions.len() > MAX_CELLS {
        return Err(RulesetError::LimitExceeded {
            path: "/permissions".into(),
            what: "resource and action pairs",
            limit: MAX_CELLS,
        });
    }
    check_ids(
        &ROOT.key("roles"),
        doc.roles.iter().map(|r| r.id.as_str()),
        "id",
        "role",
        MAX_NAMES,
    )?;
    check_ids(
        &ROOT.key("conditions"),
        doc.conditions.iter().map(|c| c.id.as_str()),
        "id",
        "condition",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("routes"),
        doc.routes.iter().map(|r| r.id.as_str()),
        "id",
        "route",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("navigation"),
        doc.navigation.iter().map(|n| n.id.as_str()),
        "id",
        "navigation item",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("palette"),
        doc.palette.iter().map(|p| p.id.as_str()),
        "id",
        "palette entry",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("features"),
        doc.features.iter().map(|f| f.id.as_str()),
        "id",
        "feature",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("forms"),
        doc.forms.iter().map(|f| f.id.as_str()),
        "id",
        "form",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("api"),
        doc.api.iter().map(|e| e.id.as_str()),
        "id",
        "endpoint",
        MAX_ENTRIES,
    )?;
    check_ids(
        &ROOT.key("sync"),
        doc.sync.iter().map(|s| s.integration.as_str()),
        "integration",
        "integration",
        MAX_ENTRIES,
    )?;
    Ok(vocab)
}
