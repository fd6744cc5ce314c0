//! The JavaScript API (SPEC section 9): the only module that knows
//! JavaScript. It converts values at the boundary and delegates to the core;
//! no rule is decided here.
//!
//! - Inputs arrive as `JsValue`s and are checked here (a number where a
//!   string belongs, `undefined`, cyclic objects, huge strings): every bad
//!   input becomes a thrown `Error`, never a trap.
//! - Outputs are plain JSON-compatible objects and arrays, the same JSON as
//!   the Rust API's `Serialize` output.
//! - Errors are real `Error` objects with a stable snake_case `code`, a
//!   `message`, and a `path` (JSON pointer) where one applies, all made by
//!   [`js_error`].

use crate::decode::{decode_json, DecodeError};
use crate::error::{Error, QueryError};
use crate::{AccountDeletion, Context, Invite, Policy, RoleChange, View};
use js_sys::{JsString, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("wasm.d.ts");

/// Builds the `Error` every failure throws.
fn js_error(code: &str, message: &str, path: Option<&str>) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    if let Some(path) = path {
        let _ = Reflect::set(&error, &JsValue::from_str("path"), &JsValue::from_str(path));
    }
    error.into()
}

fn throw(error: impl Into<Error>) -> JsValue {
    let error: Error = error.into();
    js_error(error.code(), &error.to_string(), error.path())
}

fn invalid(path: &str, message: &str) -> JsValue {
    throw(QueryError::InvalidValue {
        path: path.to_owned(),
        message: message.to_owned(),
    })
}

/// Serializes an answer to plain objects (no `Map`s, `null` for absent
/// values that are not simply left out).
fn output<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("internal", &e.to_string(), None))
}

/// Longest string argument taken across the boundary, in UTF-16 units. The
/// core has tighter limits per argument; this one keeps a huge string from
/// being copied into wasm memory at all.
const MAX_STRING_UNITS: u32 = 1024 * 1024;

/// A string argument, checked before it is copied.
fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    let Some(text) = value.dyn_ref::<JsString>() else {
        return Err(invalid(
            &format!("/{name}"),
            &format!("`{name}` must be a string"),
        ));
    };
    let units = text.length();
    if units > MAX_STRING_UNITS {
        return Err(throw(QueryError::TooLarge {
            what: "string argument",
            size: units as usize,
            limit: MAX_STRING_UNITS as usize,
        }));
    }
    Ok(String::from(text))
}

/// An optional string argument: `undefined` and `null` give `None`.
fn optional_string(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_arg(value, name).map(Some)
}

/// The JSON text of a structured argument. Going through `JSON.stringify`
/// gives wasm exactly the input a server would get, so both decode it with
/// the same code and report the same errors; it also turns cyclic objects,
/// BigInts and throwing getters into a clean error instead of a trap.
fn json_text(value: &JsValue, name: &str) -> Result<String, JsValue> {
    let text = js_sys::JSON::stringify(value).map_err(|_| {
        invalid(
            "",
            &format!("`{name}` cannot be read as JSON (cyclic, a BigInt, or a getter that throws)"),
        )
    })?;
    string_arg(&text.into(), name).map_err(|_| invalid("", &format!("`{name}` must be an object")))
}

/// A structured argument, read by serde with a JSON pointer for problems.
fn input<T: for<'de> serde::Deserialize<'de>>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    let text = json_text(value, name)?;
    decode_json(&text).map_err(|e| match e {
        DecodeError::Syntax(message) => invalid("", &message),
        DecodeError::UnknownKey { path, key } => throw(QueryError::UnknownKey { path, key }),
        DecodeError::Invalid { path, message } => invalid(&path, &message),
    })
}

fn context(value: &JsValue) -> Result<Context, JsValue> {
    Context::from_json(&json_text(value, "context")?).map_err(throw)
}

/// A compiled ruleset.
#[wasm_bindgen(js_name = Policy)]
pub struct JsPolicy {
    inner: Policy,
}

#[wasm_bindgen(js_class = Policy)]
impl JsPolicy {
    /// A bundled ruleset: `"harmony"` (the default) or `"harmonia"`.
    pub fn builtin(
        #[wasm_bindgen(unchecked_param_type = "\"harmony\" | \"harmonia\"")] name: Option<JsValue>,
    ) -> Result<JsPolicy, JsValue> {
        let name = optional_string(&name.unwrap_or(JsValue::UNDEFINED), "name")?
            .unwrap_or_else(|| "harmony".to_owned());
        Policy::builtin(&name)
            .map(|inner| JsPolicy { inner })
            .map_err(throw)
    }

    /// Loads and validates a ruleset from JSON text.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsPolicy, JsValue> {
        let text = string_arg(&text, "text")?;
        Policy::from_json(&text)
            .map(|inner| JsPolicy { inner })
            .map_err(throw)
    }

    /// `sha256:` and the hex digest of the canonical form.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint().to_owned()
    }

    /// The ruleset's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_owned()
    }

    /// The canonical JSON form.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json().to_owned()
    }

    /// The products, in ruleset order.
    #[wasm_bindgen(unchecked_return_type = "ProductInfo[]")]
    pub fn products(&self) -> Result<JsValue, JsValue> {
        output(&self.inner.products())
    }

    /// Compiles a context into a view.
    pub fn view(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
    ) -> Result<JsView, JsValue> {
        let ctx = self::context(&context)?;
        self.inner
            .view(&ctx)
            .map(|inner| JsView { inner })
            .map_err(throw)
    }

    /// What turning a product on or off would change for this member.
    #[wasm_bindgen(js_name = productImpact, unchecked_return_type = "ProductImpact")]
    pub fn product_impact(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Context")] context: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] product: JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] enabled: JsValue,
    ) -> Result<JsValue, JsValue> {
        let ctx = self::context(&context)?;
        let product = string_arg(&product, "product")?;
        let Some(enabled) = enabled.as_bool() else {
            return Err(invalid("/enabled", "`enabled` must be a boolean"));
        };
        output(
            &self
                .inner
                .product_impact(&ctx, &product, enabled)
                .map_err(throw)?,
        )
    }

    /// Whether a user may delete their account.
    #[wasm_bindgen(js_name = checkAccountDeletion, unchecked_return_type = "AccountDeletionCheck")]
    pub fn check_account_deletion(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountDeletionRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request: AccountDeletion = input(&request, "request")?;
        output(&self.inner.check_account_deletion(&request).map_err(throw)?)
    }

    /// Whether a role change may go ahead.
    #[wasm_bindgen(js_name = checkRoleChange, unchecked_return_type = "RoleChangeCheck")]
    pub fn check_role_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RoleChangeRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request: RoleChange = input(&request, "request")?;
        output(&self.inner.check_role_change(&request).map_err(throw)?)
    }

    /// An invite's state at `now` (milliseconds since the epoch).
    #[wasm_bindgen(js_name = inviteStatus, unchecked_return_type = "InviteStatus")]
    pub fn invite_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Invite")] invite: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let invite: Invite = input(&invite, "invite")?;
        let now = match now.as_f64() {
            Some(n) if n.is_finite() && n.fract() == 0.0 && n.abs() <= 9.007_199_254_740_991e15 => {
                n as i64
            }
            _ => {
                return Err(invalid(
                    "/now",
                    "`now` must be a whole number of milliseconds",
                ))
            }
        };
        output(&self.inner.invite_status(&invite, now).map_err(throw)?)
    }
}

/// A context compiled against a policy.
#[wasm_bindgen(js_name = View)]
pub struct JsView {
    inner: View,
}

/// The keys an API request object may have.
const REQUEST_KEYS: [&str; 3] = ["method", "path", "body"];

#[wasm_bindgen(js_class = View)]
impl JsView {
    /// The sidebar items the member may open.
    #[wasm_bindgen(unchecked_return_type = "SidebarItem[]")]
    pub fn sidebar(&self) -> Result<JsValue, JsValue> {
        output(&self.inner.sidebar())
    }

    /// Palette entries; all for an empty or missing query, else ranked matches.
    #[wasm_bindgen(unchecked_return_type = "PaletteEntry[]")]
    pub fn palette(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] query: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let query =
            optional_string(&query.unwrap_or(JsValue::UNDEFINED), "query")?.unwrap_or_default();
        output(&self.inner.palette(&query).map_err(throw)?)
    }

    /// What to do with a path.
    #[wasm_bindgen(unchecked_return_type = "Resolution")]
    pub fn resolve(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue,
    ) -> Result<JsValue, JsValue> {
        let path = string_arg(&path, "path")?;
        output(&self.inner.resolve(&path).map_err(throw)?)
    }

    /// Every field of a form with its visibility.
    #[wasm_bindgen(unchecked_return_type = "FormField[]")]
    pub fn form(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] form: JsValue,
    ) -> Result<JsValue, JsValue> {
        let form = string_arg(&form, "form")?;
        output(&self.inner.form(&form).map_err(throw)?)
    }

    /// Whether the member holds a permission.
    pub fn can(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] permission: JsValue,
    ) -> Result<bool, JsValue> {
        let permission = string_arg(&permission, "permission")?;
        self.inner.can(&permission).map_err(throw)
    }

    /// Whether a capability that is not a page is on.
    #[wasm_bindgen(unchecked_return_type = "Feature")]
    pub fn feature(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = string_arg(&id, "id")?;
        output(&self.inner.feature(&id).map_err(throw)?)
    }

    /// Checks an API request. Only the body's own top-level keys are read,
    /// so a body of any depth, or a cyclic one, costs nothing.
    #[wasm_bindgen(js_name = checkRequest, unchecked_return_type = "RequestCheck")]
    pub fn check_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ApiRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let Some(object) = request
            .dyn_ref::<Object>()
            .filter(|_| !request.is_function())
        else {
            return Err(invalid(
                "",
                "a request is an object with `method`, `path` and `body`",
            ));
        };
        for key in Object::keys(object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !REQUEST_KEYS.contains(&key.as_str()) {
                return Err(invalid(
                    &crate::decode::pointer("", &[&key]),
                    &format!("unknown key `{key}`"),
                ));
            }
        }
        let get = |key: &str| {
            Reflect::get(object, &JsValue::from_str(key))
                .map_err(|_| invalid(&format!("/{key}"), "unreadable"))
        };
        let method = string_arg(&get("method")?, "method")?;
        let path = string_arg(&get("path")?, "path")?;
        let body = get("body")?;
        let answer = if body.is_undefined() || body.is_null() {
            self.inner.check_request_with(&method, &path, |_| false)
        } else if body.is_object() && !js_sys::Array::is_array(&body) && !body.is_function() {
            let body = Object::from(body);
            crate::view::check_record_size("request body", Object::keys(&body).length() as usize)
                .map_err(throw)?;
            self.inner.check_request_with(&method, &path, |key| {
                Object::has_own(&body, &JsValue::from_str(key))
            })
        } else {
            self.inner.check_request_other_body(&method, &path)
        };
        output(&answer.map_err(throw)?)
    }

    /// A synced record as it may be stored: a shallow copy without the
    /// fields the ruleset drops (for HubSpot and Salesforce while Accounts is
    /// off: `accountId`).
    #[wasm_bindgen(js_name = syncRecord, unchecked_return_type = "SyncRecord")]
    pub fn sync_record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] integration: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SyncRecord")] record: JsValue,
    ) -> Result<JsValue, JsValue> {
        let integration = string_arg(&integration, "integration")?;
        if !record.is_object() || js_sys::Array::is_array(&record) || record.is_function() {
            return Err(invalid("/record", "a record is an object"));
        }
        let record = Object::from(record);
        crate::view::check_record_size("sync record", Object::keys(&record).length() as usize)
            .map_err(throw)?;
        let dropped = self
            .inner
            .sync_dropped_fields(&integration)
            .map_err(throw)?;
        let copy = Object::assign(&Object::new(), &record);
        for field in dropped {
            let _ = Reflect::delete_property(&copy, &JsValue::from_str(field));
        }
        Ok(copy.into())
    }

    /// Why a target is shown or allowed, or not.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    ) -> Result<JsValue, JsValue> {
        let target = string_arg(&target, "target")?;
        output(&self.inner.explain(&target).map_err(throw)?)
    }
}
