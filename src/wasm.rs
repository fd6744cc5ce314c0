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
use crate::view::compact;
use crate::{
    AccountDeletion, Context, Invite, Member, Platform, Policy, PreferenceValue, RoleChange, View,
    Workspace,
};
use js_sys::{JsString, Object, Reflect};
use serde::Serialize;
use std::cell::RefCell;
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

/// A number's text (JSON's grammar, or JavaScript's `String(number)`) read
/// by the host, correctly rounded: the core's JSON reader leaves floats to
/// this in WebAssembly, so that the standard library's float parser and its
/// tables (18 KB) stay out of the module.
pub(crate) fn read_float(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
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

/// A structured argument, read from its JSON text by its `FromJson`, with a
/// JSON pointer for problems.
fn input<T: crate::decode::FromJson>(value: &JsValue, name: &str) -> Result<T, JsValue> {
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

    /// Tells this compiled policy apart from every other in the process.
    #[wasm_bindgen(js_name = __instance, skip_typescript)]
    pub fn instance(&self) -> u32 {
        self.inner.instance()
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
                    &crate::decode::Pointer::Root.key(&key).render(),
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

// ---------- Raw exports for the package's JavaScript layer ----------
//
// `pkg/index.js` (source: `src/js/index.js`) wraps the classes above with the
// same API, and answers the hot queries from records it builds once per
// policy, asking these exports only which records apply (see
// `crate::view::compact`). They are not part of the public types; each
// answer that is a list of numbers is written to one scratch buffer in wasm
// memory: the export returns its address, the first number is the count of
// those that follow. The buffer is valid until the next such call.

thread_local! {
    static SCRATCH: RefCell<Vec<u32>> = RefCell::new(Vec::with_capacity(256));
    /// Where the JavaScript layer writes a short ASCII argument (a path) for
    /// the exports that read it from there, so that it crosses without an
    /// allocation. Allocated once; it never moves.
    static INPUT: RefCell<Box<[u8]>> = RefCell::new(vec![0; INPUT_BYTES].into_boxed_slice());
}

/// Size of the input buffer: more than the longest path, so that a path
/// over the limit still reaches `resolve` and gets its error.
const INPUT_BYTES: usize = 2 * crate::path::MAX_PATH_BYTES;

/// Runs `write` on the cleared scratch buffer and returns its address.
fn fill_scratch(
    write: impl FnOnce(&mut Vec<u32>) -> Result<(), QueryError>,
) -> Result<u32, QueryError> {
    SCRATCH.with(|cell| {
        let mut buf = cell.borrow_mut();
        buf.clear();
        buf.push(0);
        write(&mut buf)?;
        let count = buf.len() as u32 - 1;
        if let Some(first) = buf.first_mut() {
            *first = count;
        }
        Ok(buf.as_ptr() as u32)
    })
}

/// [`fill_scratch`], with an error thrown.
fn scratch(write: impl FnOnce(&mut Vec<u32>) -> Result<(), QueryError>) -> Result<u32, JsValue> {
    fill_scratch(write).map_err(throw)
}

/// The first `len` bytes of the input buffer as text, if they are UTF-8.
fn with_input<T>(len: u32, read: impl FnOnce(&str) -> T) -> Option<T> {
    INPUT.with(|cell| {
        let buf = cell.borrow();
        let text = std::str::from_utf8(buf.get(..len as usize)?).ok()?;
        Some(read(text))
    })
}

/// The address of the input buffer and its size in bytes, in the scratch
/// buffer.
#[wasm_bindgen(js_name = __input, skip_typescript)]
pub fn input_buffer() -> u32 {
    let at = INPUT.with(|cell| cell.borrow().as_ptr() as u32);
    fill_scratch(|out| {
        out.extend([at, INPUT_BYTES as u32]);
        Ok(())
    })
    .unwrap_or(0)
}

/// Separators of the packed context (`src/js/index.js` writes it; a context
/// with any of these characters in a string takes the JSON path instead).
const FIELD: char = '\u{1}';
const ITEM: char = '\u{2}';
const PAIR: char = '\u{3}';

/// The items of a packed list field (none for an empty field).
fn items(field: &str) -> impl Iterator<Item = &str> {
    field.split(ITEM).filter(move |_| !field.is_empty())
}

/// The `key PAIR value` items of a packed map, each value read by `value`
/// (inserted one by one: collecting would bring a sort into the module).
fn map_of<V>(
    packed: &str,
    value: impl Fn(&str) -> Option<V>,
) -> Option<std::collections::BTreeMap<String, V>> {
    let mut out = std::collections::BTreeMap::new();
    for item in items(packed) {
        let (k, v) = item.split_once(PAIR)?;
        out.insert(k.to_owned(), value(v)?);
    }
    Some(out)
}

/// Reads a context packed by the JavaScript layer. It packs only contexts
/// whose every key and type the JSON decoder would accept, so the answer is
/// the same as decoding `JSON.stringify(context)`.
fn unpack_context(packed: &str) -> Option<Context> {
    let mut fields = packed.split(FIELD);
    let mut next = || fields.next();
    let list = |s: &str| -> Vec<String> { items(s).map(str::to_owned).collect() };
    let optional = |s: &str| -> Option<Option<String>> {
        match s.split_at_checked(1)? {
            ("-", "") => Some(None),
            ("+", rest) => Some(Some(rest.to_owned())),
            _ => None,
        }
    };
    let switches = |s: &str| map_of(s, |v| Some(v == "1"));
    let slug = next()?.to_owned();
    let products = switches(next()?)?;
    let plan = optional(next()?)?;
    let flags = list(next()?);
    let environment = optional(next()?)?;
    let settings = switches(next()?)?;
    let user_id = next()?.to_owned();
    let roles = list(next()?);
    let permissions = list(next()?);
    let active = next()? == "1";
    let landing_page = optional(next()?)?;
    let preferences = map_of(next()?, |v| {
        Some(match v.split_at_checked(1)? {
            ("b", b) => PreferenceValue::Bool(b == "1"),
            ("n", n) => {
                let number = read_float(n);
                PreferenceValue::Number(number.is_finite().then_some(number)?)
            }
            ("s", text) => PreferenceValue::String(text.to_owned()),
            ("z", "") => PreferenceValue::Null,
            _ => return None,
        })
    })?;
    let memberships = list(next()?);
    let platform = Platform::from_name(next()?)?;
    if next().is_some() {
        return None;
    }
    Some(Context {
        workspace: Workspace {
            slug,
            products,
            plan,
            flags,
            environment,
            settings,
        },
        member: Member {
            user_id,
            roles,
            permissions,
            active,
            landing_page,
            preferences,
        },
        memberships,
        platform,
    })
}

#[wasm_bindgen(js_class = Policy)]
impl JsPolicy {
    /// A view of a context packed by the JavaScript layer.
    #[wasm_bindgen(js_name = __viewPacked, skip_typescript)]
    pub fn view_packed(&self, packed: &str) -> Result<JsView, JsValue> {
        let ctx = unpack_context(packed)
            .ok_or_else(|| js_error("internal", "a packed context that does not unpack", None))?;
        self.inner
            .view(&ctx)
            .map(|inner| JsView { inner })
            .map_err(throw)
    }

    /// [`JsPolicy::view_packed`] of the packed context in the input buffer
    /// (`len` bytes).
    #[wasm_bindgen(js_name = __viewPackedInput, skip_typescript)]
    pub fn view_packed_input(&self, len: u32) -> Result<JsView, JsValue> {
        with_input(len, |packed| self.view_packed(packed))
            .unwrap_or_else(|| Err(js_error("internal", "the input buffer holds no text", None)))
    }
}

#[wasm_bindgen(js_class = View)]
impl JsView {
    /// The JSON of the reason with this key.
    #[wasm_bindgen(js_name = __reason, skip_typescript)]
    pub fn reason(&self, key: u32) -> Result<JsValue, JsValue> {
        match compact::reason_from_key(self.inner.compiled(), key) {
            Some(reason) => output(&reason),
            None => Err(js_error("internal", "no reason has this key", None)),
        }
    }

    /// The id of a permission written exactly this way, or -1.
    #[wasm_bindgen(js_name = __permissionId, skip_typescript)]
    pub fn permission_id(&self, text: &str) -> i32 {
        self.inner
            .compiled()
            .permission_table
            .id(text)
            .and_then(|id| i32::try_from(id).ok())
            .unwrap_or(-1)
    }

    /// Every link of this view, in route order, `\n`-separated.
    #[wasm_bindgen(js_name = __links, skip_typescript)]
    pub fn links(&self) -> String {
        self.inner.links()
    }

    /// The current slug, then the other memberships, `,`-separated.
    #[wasm_bindgen(js_name = __slugs, skip_typescript)]
    pub fn slugs(&self) -> String {
        self.inner.slugs().to_owned()
    }

    /// Navigation item `i` as this view's sidebar item (shown or not).
    #[wasm_bindgen(js_name = __sidebarItem, skip_typescript)]
    pub fn sidebar_item(&self, i: u32) -> Result<JsValue, JsValue> {
        output(&self.inner.sidebar_item(i as usize))
    }

    /// Palette entry `i` as this view shows it, with score 0.
    #[wasm_bindgen(js_name = __paletteEntry, skip_typescript)]
    pub fn palette_entry(&self, i: u32) -> Result<JsValue, JsValue> {
        output(&self.inner.palette_entry(i as usize, 0))
    }

    /// The sidebar: navigation indices.
    #[wasm_bindgen(js_name = __sidebar, skip_typescript)]
    pub fn sidebar_raw(&self) -> Result<u32, JsValue> {
        scratch(|out| {
            self.inner.sidebar_indices(out);
            Ok(())
        })
    }

    /// The palette: `(index, score)` pairs.
    #[wasm_bindgen(js_name = __palette, skip_typescript)]
    pub fn palette_raw(&self, query: &str) -> Result<u32, JsValue> {
        scratch(|out| self.inner.palette_indices(query, out))
    }

    /// A compact resolution.
    #[wasm_bindgen(js_name = __resolve, skip_typescript)]
    pub fn resolve_raw(&self, path: &str) -> Result<u32, JsValue> {
        scratch(|out| self.inner.resolve_compact(path, out))
    }

    /// A compact resolution of the path in the input buffer (`len` bytes),
    /// or 0 when the answer is an error (`__resolve` throws it).
    #[wasm_bindgen(js_name = __resolveInput, skip_typescript)]
    pub fn resolve_input(&self, len: u32) -> u32 {
        with_input(len, |path| {
            fill_scratch(|out| self.inner.resolve_compact(path, out)).unwrap_or(0)
        })
        .unwrap_or(0)
    }

    /// Route `route`'s decision, as three numbers (see
    /// `View::decision_compact`).
    #[wasm_bindgen(js_name = __decision, skip_typescript)]
    pub fn decision_raw(&self, route: u32) -> Result<u32, JsValue> {
        scratch(|out| {
            self.inner.decision_compact(route as usize, out);
            Ok(())
        })
    }

    /// `(field, flags)` pairs of form `form` (an index).
    #[wasm_bindgen(js_name = __form, skip_typescript)]
    pub fn form_raw(&self, form: u32) -> Result<u32, JsValue> {
        scratch(|out| {
            self.inner.form_flags(form as usize, out);
            Ok(())
        })
    }

    /// Whether the member holds the permission with this id.
    #[wasm_bindgen(js_name = __can, skip_typescript)]
    pub fn can_id(&self, id: u32) -> bool {
        self.inner.can_index(id)
    }
}
