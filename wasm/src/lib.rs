//! The WebAssembly module of `harmony-policy`: the only crate that knows
//! it is called from JavaScript. It re-exports the core's boundary
//! functions (`harmony_policy::ffi`), which take and give only numbers and
//! strings, under the names the package's JavaScript layer
//! (`wasm/js/index.js`) calls; nothing is converted or decided here.
//!
//! Built twice by `scripts/build-wasm.sh`: without features, the runtime
//! module every page loads (it reads bundles); with `authoring`, the module
//! `Policy.fromJson` loads on first use (it also reads and validates JSON
//! rulesets).

use harmony_policy::ffi;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// Each line: the JavaScript name, then the core function and its
/// signature.
macro_rules! exports {
    ($($(#[$attr:meta])* $js:ident => $f:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)?;)*) => {$(
        $(#[$attr])*
        #[wasm_bindgen(js_name = $js)]
        #[allow(missing_docs)]
        pub fn $f($($arg: $ty),*) $(-> $ret)? {
            ffi::$f($($arg),*)
        }
    )*};
}

exports! {
    takeError => take_error() -> String;
    wrongArgument => wrong_argument(name: &str);
    unreadableArgument => unreadable_argument(name: &str);
    policyBuiltin => policy_builtin(name: &str) -> u32;
    #[cfg(feature = "authoring")]
    policyFromJson => policy_from_json(text: &str) -> u32;
    policyFromBundle => policy_from_bundle(bytes: &[u8]) -> u32;
    policyToBundle => policy_to_bundle(policy: u32) -> Vec<u8>;
    policyFree => policy_free(policy: u32);
    policyShare => policy_share(policy: u32) -> u32;
    policyInstance => policy_instance(policy: u32) -> u32;
    policyFingerprint => policy_fingerprint(policy: u32) -> String;
    policyName => policy_name(policy: u32) -> String;
    policyToJson => policy_to_json(policy: u32) -> String;
    policyCatalog => policy_catalog(policy: u32) -> String;
    policyProducts => policy_products(policy: u32) -> String;
    policyView => policy_view(policy: u32, context: &str) -> u32;
    policyProductImpact => policy_product_impact(policy: u32, context: &str, product: &str, enabled: bool) -> String;
    policyCheckAccountDeletion => policy_check_account_deletion(policy: u32, request: &str) -> String;
    policyCheckRoleChange => policy_check_role_change(policy: u32, request: &str) -> String;
    policyCheckRoleDeletion => policy_check_role_deletion(policy: u32, request: &str) -> String;
    policyCheckInviteAcceptance => policy_check_invite_acceptance(policy: u32, request: &str) -> String;
    policyCheckCustomRoles => policy_check_custom_roles(policy: u32, roles: &str) -> String;
    policyInviteStatus => policy_invite_status(policy: u32, invite: &str, now: f64) -> String;
    viewFree => view_free(view: u32);
    viewSidebar => view_sidebar(view: u32) -> String;
    viewPalette => view_palette(view: u32, query: &str) -> String;
    viewResolve => view_resolve(view: u32, path: &str) -> String;
    viewForm => view_form(view: u32, form: &str) -> String;
    viewCan => view_can(view: u32, permission: &str) -> i32;
    viewFeature => view_feature(view: u32, id: &str) -> String;
    viewCheckRequest => view_check_request(view: u32, request: &str) -> String;
    viewCanRecord => view_can_record(view: u32, permission: &str, record: &str) -> i32;
    viewFilter => view_filter(view: u32, permission: &str) -> String;
    viewSyncDropped => view_sync_dropped(view: u32, integration: &str, keys: u32) -> String;
    viewExplain => view_explain(view: u32, target: &str) -> String;
    inputBuffer => input_buffer() -> u32;
    policyViewPacked => policy_view_packed(policy: u32, packed: &str) -> u32;
    policyViewPackedInput => policy_view_packed_input(policy: u32, len: u32) -> u32;
    viewReason => view_reason(view: u32, key: u32) -> String;
    viewPermissionId => view_permission_id(view: u32, text: &str) -> i32;
    viewLinks => view_links(view: u32) -> String;
    viewSlugs => view_slugs(view: u32) -> String;
    viewSidebarItem => view_sidebar_item(view: u32, i: u32) -> String;
    viewPaletteEntry => view_palette_entry(view: u32, i: u32) -> String;
    viewSidebarIndices => view_sidebar_indices(view: u32) -> u32;
    viewPaletteIndices => view_palette_indices(view: u32, query: &str) -> u32;
    viewResolveCompact => view_resolve_compact(view: u32, path: &str) -> u32;
    viewResolveInput => view_resolve_input(view: u32, len: u32) -> u32;
    viewDecision => view_decision(view: u32, route: u32) -> u32;
    viewFormFlags => view_form_flags(view: u32, form: u32) -> u32;
    viewCanId => view_can_id(view: u32, id: u32) -> bool;
}

/// The authoring tools (`harmony_policy_authoring::ffi`), in the authoring
/// module only.
#[cfg(feature = "authoring")]
mod authoring {
    use harmony_policy_authoring::ffi;
    use wasm_bindgen::prelude::*;

    /// Every problem of a ruleset's text, with positions (JSON).
    #[wasm_bindgen(js_name = authoringValidate)]
    pub fn validate(text: &str) -> String {
        ffi::validate(text)
    }

    /// What changes from one ruleset to another, for whom (JSON).
    #[wasm_bindgen(js_name = authoringDiff)]
    pub fn diff(old: &str, new: &str) -> String {
        ffi::diff(old, new)
    }
}
