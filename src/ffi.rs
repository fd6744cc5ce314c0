//! The boundary's functions: what the WebAssembly module (the `wasm/`
//! crate, which only re-exports them under their JavaScript names) offers
//! the package's JavaScript layer. They convert values and delegate to the
//! core; no rule is decided here. Not a Rust API: use [`crate::Policy`].
//!
//! Only numbers and strings cross. Policies and views live here, in two
//! tables, and JavaScript holds their handles (numbers from 1). Structured
//! inputs arrive as JSON text (the package's layer, `wasm/js/index.js`, calls
//! `JSON.stringify`), answers leave as JSON text (the layer calls
//! `JSON.parse`) or, for the hot queries, as numbers in a scratch buffer
//! (`crate::view::compact`). A call that fails returns its "nothing" (0, or
//! an empty string) and leaves the error, as JSON, for [`take_error`]; the
//! layer throws it as an `Error` with `code`, `message` and `path`.
//!
//! Why so plain: the module then imports nothing from JavaScript. V8
//! compiles a wrapper for every imported function's signature when it
//! compiles a module (the first one also starts its optimizing compiler),
//! and those wrappers were more than half of the module's instantiation
//! (README, Performance). The generated classes of wasm-bindgen would bring
//! imports back (a borrow check that throws), so there are none.

use crate::decode::{decode_json, FromJson};
use crate::error::{Error, QueryError};
use crate::json::{self, Json};
use crate::view::compact;
use crate::{
    AccountDeletion, Context, Invite, Member, Platform, Policy, PreferenceValue, RoleChange,
    RoleDeletion, View, Workspace,
};
use serde::Serialize;
use std::cell::RefCell;

/// Objects that JavaScript holds by handle: `handle - 1` indexes `slots`.
struct Table<T> {
    slots: Vec<Option<T>>,
    free: Vec<usize>,
}

impl<T> Table<T> {
    const fn new() -> Self {
        Table {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Keeps `value` and returns its handle.
    fn insert(&mut self, value: T) -> u32 {
        let index = match self.free.pop() {
            Some(i) => {
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = Some(value);
                }
                i
            }
            None => {
                self.slots.push(Some(value));
                self.slots.len() - 1
            }
        };
        index as u32 + 1
    }

    fn get(&self, handle: u32) -> Option<&T> {
        let index = (handle as usize).checked_sub(1)?;
        self.slots.get(index)?.as_ref()
    }

    fn remove(&mut self, handle: u32) {
        let Some(index) = (handle as usize).checked_sub(1) else {
            return;
        };
        if let Some(slot) = self.slots.get_mut(index) {
            if slot.take().is_some() {
                self.free.push(index);
            }
        }
    }
}

thread_local! {
    static POLICIES: RefCell<Table<Policy>> = const { RefCell::new(Table::new()) };
    static VIEWS: RefCell<Table<View>> = const { RefCell::new(Table::new()) };
    /// The last failure, as JSON, until [`take_error`] takes it.
    static ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    /// See [`scratch`].
    static SCRATCH: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// Where the JavaScript layer writes a short ASCII argument (a path, a
    /// packed context) for the calls that read it from there, so that it
    /// crosses without an allocation. Allocated once; it never moves.
    static INPUT: RefCell<Box<[u8]>> = RefCell::new(vec![0; INPUT_BYTES].into_boxed_slice());
}

/// An error as the layer throws it.
#[derive(Serialize)]
struct ErrorJson<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
}

/// Leaves an error for [`take_error`].
fn fail(code: &str, message: &str, path: Option<&str>) {
    let json = ErrorJson {
        code,
        message,
        path,
    };
    // Three strings always serialize.
    let text = crate::write::to_string(&json).unwrap_or_default();
    ERROR.with(|cell| *cell.borrow_mut() = text);
}

/// Leaves `error` for [`take_error`] (for boundary functions outside this
/// module, such as the authoring tools').
pub fn leave_error(error: impl Into<Error>) {
    fail_with(error);
}

fn fail_with(error: impl Into<Error>) {
    let error: Error = error.into();
    fail(error.code(), &error.to_string(), error.path());
}

fn invalid(path: &str, message: &str) -> QueryError {
    QueryError::InvalidValue {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// The JSON text of an answer.
fn json<T: Serialize>(value: &T) -> String {
    crate::write::to_string(value).unwrap_or_else(|e| {
        fail("internal", &e.to_string(), None);
        String::new()
    })
}

/// The JSON text of an answer, or an empty string with the error left.
fn answer<T: Serialize, E: Into<Error>>(result: Result<T, E>) -> String {
    match result {
        Ok(value) => json(&value),
        Err(error) => {
            fail_with(error);
            String::new()
        }
    }
}

/// A handle for a new object, or 0 with the error left.
fn handle<T, E: Into<Error>>(
    table: &'static std::thread::LocalKey<RefCell<Table<T>>>,
    result: Result<T, E>,
) -> u32 {
    match result {
        Ok(value) => table.with(|cell| cell.borrow_mut().insert(value)),
        Err(error) => {
            fail_with(error);
            0
        }
    }
}

/// The last failure as JSON (`{code, message, path?}`), taken: the layer
/// calls this right after a call returned its "nothing".
pub fn take_error() -> String {
    ERROR.with(|cell| std::mem::take(&mut *cell.borrow_mut()))
}

/// Leaves the error for an argument of the wrong JavaScript type, found by
/// the layer before the call (`name` is the parameter's name).
pub fn wrong_argument(name: &str) {
    let error = match name {
        "request" => malformed_request(),
        "record" => invalid("/record", "a record is an object"),
        "enabled" => invalid("/enabled", "`enabled` must be a boolean"),
        _ => not_a_string(name),
    };
    fail_with(error);
}

/// Leaves the error for an argument that `JSON.stringify` could not write.
pub fn unreadable_argument(name: &str) {
    fail_with(invalid(
        "",
        &format!("`{name}` cannot be read as JSON (cyclic, a BigInt, or a getter that throws)"),
    ));
}

/// The error for argument `name`, which must be a string.
fn not_a_string(name: &str) -> QueryError {
    invalid(&format!("/{name}"), &format!("`{name}` must be a string"))
}

fn malformed_request() -> QueryError {
    invalid(
        "",
        "a request is an object with `method`, `path` and `body`",
    )
}

/// Longest JSON text of a structured argument that has no limit of its own
/// in the core (contexts and rulesets do), in bytes: it bounds the parse.
const MAX_ARGUMENT_BYTES: usize = 4 * 1024 * 1024;

/// Refuses the JSON text of argument `what` over [`MAX_ARGUMENT_BYTES`].
fn check_size(text: &str, what: &'static str) -> Result<(), QueryError> {
    if text.len() > MAX_ARGUMENT_BYTES {
        return Err(QueryError::TooLarge {
            what,
            size: text.len(),
            limit: MAX_ARGUMENT_BYTES,
        });
    }
    Ok(())
}

/// A structured argument from its JSON text, with JSON pointers for
/// problems (relative to the argument).
fn input<T: FromJson>(text: &str, what: &'static str) -> Result<T, QueryError> {
    check_size(text, what)?;
    Ok(decode_json(text)?)
}

/// A context from its JSON text (the core limits its size).
fn context(text: &str) -> Result<Context, Error> {
    Ok(Context::from_json(text)?)
}

/// What a call returns when it fails (its error left for [`take_error`]).
trait Nothing {
    fn nothing() -> Self;
}

impl Nothing for String {
    fn nothing() -> Self {
        String::new()
    }
}

impl Nothing for u32 {
    fn nothing() -> Self {
        0
    }
}

impl Nothing for Vec<u8> {
    fn nothing() -> Self {
        Vec::new()
    }
}

impl Nothing for i32 {
    fn nothing() -> Self {
        -1
    }
}

impl<T> Nothing for Option<T> {
    fn nothing() -> Self {
        None
    }
}

impl Nothing for bool {
    fn nothing() -> Self {
        false
    }
}

/// Runs `read` on policy `handle`; a handle that is not (or no longer) a
/// policy is an internal error of the layer.
fn with_policy<T: Nothing>(handle: u32, read: impl FnOnce(&Policy) -> T) -> T {
    POLICIES.with(|cell| match cell.borrow().get(handle) {
        Some(policy) => read(policy),
        None => {
            fail("internal", "no policy has this handle", None);
            T::nothing()
        }
    })
}

/// [`with_policy`] for views.
fn with_view<T: Nothing>(handle: u32, read: impl FnOnce(&View) -> T) -> T {
    VIEWS.with(|cell| match cell.borrow().get(handle) {
        Some(view) => read(view),
        None => {
            fail("internal", "no view has this handle", None);
            T::nothing()
        }
    })
}

// ---------- Policies ----------

/// A bundled ruleset by name (`harmony` or `harmonia`): its handle.
pub fn policy_builtin(name: &str) -> u32 {
    handle(&POLICIES, Policy::builtin(name))
}

/// Loads and validates a ruleset from JSON text: its handle. Only the
/// authoring module has it.
#[cfg(feature = "authoring")]
pub fn policy_from_json(text: &str) -> u32 {
    handle(&POLICIES, Policy::from_json(text))
}

/// Reads a bundle (`Policy.fromBundle`): a handle, or 0 with the error
/// left (`invalid_bundle`).
pub fn policy_from_bundle(bytes: &[u8]) -> u32 {
    handle(&POLICIES, Policy::from_bundle(bytes))
}

/// The policy as a bundle's bytes (empty with the error left when the
/// handle is gone).
pub fn policy_to_bundle(policy: u32) -> Vec<u8> {
    with_policy(policy, Policy::to_bundle)
}

/// Lets go of a policy (its views stay valid).
pub fn policy_free(policy: u32) {
    POLICIES.with(|cell| cell.borrow_mut().remove(policy));
}

/// A second handle to the same compiled policy, or 0 (the layer's record
/// catalog keeps one, so that its views can compile again after every
/// policy object over it was freed).
pub fn policy_share(policy: u32) -> u32 {
    // Cloned first: the table cannot be read and written at once.
    with_policy(policy, |p| Some(p.clone())).map_or(0, |shared| {
        POLICIES.with(|cell| cell.borrow_mut().insert(shared))
    })
}

/// Tells this compiled policy apart from every other in the process (0 for
/// no policy).
pub fn policy_instance(policy: u32) -> u32 {
    with_policy(policy, Policy::instance)
}

/// `sha256:` and the hex digest of the canonical form.
pub fn policy_fingerprint(policy: u32) -> String {
    with_policy(policy, |p| p.fingerprint().to_owned())
}

/// The ruleset's name.
pub fn policy_name(policy: u32) -> String {
    with_policy(policy, |p| p.name().to_owned())
}

/// The canonical JSON form.
pub fn policy_to_json(policy: u32) -> String {
    with_policy(policy, |p| p.to_json().to_owned())
}

/// What the JavaScript layer keeps per policy (JSON): each route's id and
/// parameter names, and each form's id and field ids, in ruleset order; the
/// reason for a path of another workspace.
pub fn policy_catalog(policy: u32) -> String {
    #[derive(Serialize)]
    struct Route<'a> {
        id: &'a str,
        params: Vec<&'a str>,
    }
    #[derive(Serialize)]
    struct Form<'a> {
        id: &'a str,
        fields: Vec<&'a str>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Catalog<'a> {
        routes: Vec<Route<'a>>,
        forms: Vec<Form<'a>>,
        /// The reason for a path of another workspace (the layer adds the
        /// workspace to switch to).
        other_workspace: crate::Reason<'a>,
    }
    with_policy(policy, |p| {
        let compiled = p.compiled();
        let routes = compiled
            .doc
            .routes
            .iter()
            .zip(&compiled.routes)
            .map(|(doc, route)| Route {
                id: &doc.id,
                params: route
                    .pattern
                    .segs
                    .iter()
                    .filter_map(|s| match s {
                        crate::path::Seg::Param(name) => Some(name.as_str()),
                        crate::path::Seg::Lit(_) => None,
                    })
                    .collect(),
            })
            .collect();
        let forms = compiled
            .doc
            .forms
            .iter()
            .map(|f| Form {
                id: &f.id,
                fields: f.fields.iter().map(|x| x.id.as_str()).collect(),
            })
            .collect();
        json(&Catalog {
            routes,
            forms,
            other_workspace: crate::Reason::OtherWorkspace { switch_to: None },
        })
    })
}

/// The products, in ruleset order (JSON).
pub fn policy_products(policy: u32) -> String {
    with_policy(policy, |p| json(&p.products()))
}

/// Compiles a context (JSON) into a view: its handle.
pub fn policy_view(policy: u32, context: &str) -> u32 {
    with_policy(policy, |p| {
        handle(&VIEWS, self::context(context).and_then(|c| Ok(p.view(&c)?)))
    })
}

/// What turning a product on or off would change for this member (JSON).
pub fn policy_product_impact(policy: u32, context: &str, product: &str, enabled: bool) -> String {
    with_policy(policy, |p| {
        answer(self::context(context).and_then(|c| p.product_impact(&c, product, enabled)))
    })
}

/// Whether a user may delete their account (request and answer in JSON).
pub fn policy_check_account_deletion(policy: u32, request: &str) -> String {
    with_policy(policy, |p| {
        match input::<AccountDeletion>(request, "request") {
            Ok(r) => answer(p.check_account_deletion(&r)),
            Err(e) => answer(Err::<(), _>(e)),
        }
    })
}

/// Whether a role change may go ahead (request and answer in JSON).
pub fn policy_check_role_change(policy: u32, request: &str) -> String {
    with_policy(policy, |p| {
        answer(input::<RoleChange>(request, "request").and_then(|r| p.check_role_change(&r)))
    })
}

/// Whether a workspace role may be deleted (request and answer in JSON).
pub fn policy_check_role_deletion(policy: u32, request: &str) -> String {
    with_policy(policy, |p| {
        answer(input::<RoleDeletion>(request, "request").and_then(|r| p.check_role_deletion(&r)))
    })
}

/// Whether accepting an invite may go ahead (request and answer in JSON).
pub fn policy_check_invite_acceptance(policy: u32, request: &str) -> String {
    with_policy(policy, |p| {
        answer(
            input::<crate::InviteAcceptance>(request, "request")
                .and_then(|r| p.check_invite_acceptance(&r)),
        )
    })
}

/// Checks a workspace's roles (a JSON list) as a context's
/// `workspace.roles` would be checked; `null` when they are valid, an error
/// at the problem's pointer (`/1/grants/0`) otherwise.
pub fn policy_check_custom_roles(policy: u32, roles: &str) -> String {
    with_policy(policy, |p| {
        answer(
            input::<Vec<crate::CustomRole>>(roles, "roles").and_then(|r| p.check_custom_roles(&r)),
        )
    })
}

/// An invite's state at `now` (milliseconds since the epoch), in JSON.
pub fn policy_invite_status(policy: u32, invite: &str, now: f64) -> String {
    let whole = now.is_finite() && now.fract() == 0.0 && now.abs() <= 9.007_199_254_740_991e15;
    with_policy(policy, |p| {
        answer(input::<Invite>(invite, "invite").and_then(|i| {
            if !whole {
                return Err(invalid(
                    "/now",
                    "`now` must be a whole number of milliseconds",
                ));
            }
            p.invite_status(&i, now as i64)
        }))
    })
}

// ---------- Views ----------

/// Lets go of a view.
pub fn view_free(view: u32) {
    VIEWS.with(|cell| cell.borrow_mut().remove(view));
}

/// The sidebar items the member may open (JSON).
pub fn view_sidebar(view: u32) -> String {
    with_view(view, |v| json(&v.sidebar()))
}

/// Palette entries; all for an empty query, else ranked matches (JSON).
pub fn view_palette(view: u32, query: &str) -> String {
    with_view(view, |v| answer(v.palette(query)))
}

/// What to do with a path (JSON).
pub fn view_resolve(view: u32, path: &str) -> String {
    with_view(view, |v| answer(v.resolve(path)))
}

/// Every field of a form with its visibility (JSON).
pub fn view_form(view: u32, form: &str) -> String {
    with_view(view, |v| answer(v.form(form)))
}

/// Whether the member holds a permission: 1 or 0, or -1 with the error left.
pub fn view_can(view: u32, permission: &str) -> i32 {
    with_view(view, |v| match v.can(permission) {
        Ok(can) => i32::from(can),
        Err(error) => {
            fail_with(error);
            -1
        }
    })
}

/// Whether a capability that is not a page is on (JSON).
pub fn view_feature(view: u32, id: &str) -> String {
    with_view(view, |v| answer(v.feature(id)))
}

/// The keys an API request object may have.
const REQUEST_KEYS: [&str; 4] = ["method", "path", "body", "record"];

/// Checks an API request, described by the layer as JSON:
/// `{"keys": [the request's own keys], "method": .., "path": .., "body":
/// null | {"keys": [the body's own keys]} | "other", "record"?: the
/// request's record}`. Only the body's own keys are read, so a body of any
/// depth, or a cyclic one, costs nothing.
pub fn view_check_request(view: u32, request: &str) -> String {
    with_view(view, |v| answer(check_request(v, request)))
}

/// The value of key `name` in an object's entries.
fn get<'j>(
    entries: &'j [(std::borrow::Cow<'j, str>, Json<'j>)],
    name: &str,
) -> Option<&'j Json<'j>> {
    entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn check_request<'v>(view: &'v View, request: &str) -> Result<crate::RequestCheck<'v>, QueryError> {
    let text = |json: Option<&Json<'_>>, key: &str| match json {
        Some(Json::String(s)) => Ok(s.to_string()),
        _ => Err(not_a_string(key)),
    };
    let keys = |json: Option<&Json<'_>>| -> Option<Vec<String>> {
        let Some(Json::Array(items)) = json else {
            return None;
        };
        items
            .iter()
            .map(|k| match k {
                Json::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect()
    };
    check_size(request, "request")?;
    let tree = json::parse(request).map_err(|_| malformed_request())?;
    let Json::Object(entries) = &tree else {
        return Err(malformed_request());
    };
    let field = |name: &str| get(entries, name);
    for key in keys(field("keys")).ok_or_else(malformed_request)? {
        if !REQUEST_KEYS.contains(&key.as_str()) {
            return Err(invalid(
                &crate::decode::Pointer::Root.key(&key).render(),
                &format!("unknown key `{key}`"),
            ));
        }
    }
    let method = text(field("method"), "method")?;
    let path = text(field("path"), "path")?;
    let record = match field("record") {
        None | Some(Json::Null) => None,
        Some(tree) => Some(record_at(tree, "record")?),
    };
    let record = record.as_ref();
    match field("body") {
        None | Some(Json::Null) => view.check_request_on(&method, &path, |_| false, record),
        Some(Json::Object(body)) => {
            let body_keys = keys(get(body, "keys")).ok_or_else(malformed_request)?;
            crate::view::check_record_size("request body", body_keys.len())?;
            view.check_request_on(
                &method,
                &path,
                |key| body_keys.iter().any(|k| k == key),
                record,
            )
        }
        Some(_) => view.check_request_other_body(&method, &path, record),
    }
}

/// A record read from its tree, with pointers under `/key`.
fn record_at(tree: &Json<'_>, key: &str) -> Result<crate::Record, QueryError> {
    let root = crate::decode::Pointer::Root;
    Ok(crate::decode::decode_tree_at(tree, root.key(key))?)
}

/// Whether the member may do `permission` (`resource:action`) to the record
/// given as JSON: 1 or 0, or -1 with the error left. The layer answers
/// plain records itself from [`view_filter`]; this reads any other value,
/// with the core's errors (pointers into the record).
pub fn view_can_record(view: u32, permission: &str, record: &str) -> i32 {
    with_view(view, |v| {
        let result =
            crate::Record::from_json(record).and_then(|record| v.can_record(permission, &record));
        match result {
            Ok(can) => i32::from(can),
            Err(error) => {
                fail_with(error);
                -1
            }
        }
    })
}

/// The records a permission (`resource:action`) covers (JSON
/// `{all, ownerIds, teamIds}`).
pub fn view_filter(view: u32, permission: &str) -> String {
    with_view(view, |v| answer(v.filter(permission)))
}

/// The fields a synced record loses (JSON list; for HubSpot and Salesforce
/// while Accounts is off: `accountId`). `keys` is the record's count of own
/// keys; the layer copies the record without them.
pub fn view_sync_dropped(view: u32, integration: &str, keys: u32) -> String {
    with_view(view, |v| {
        answer(
            crate::view::check_record_size("sync record", keys as usize)
                .and_then(|()| v.sync_dropped_fields(integration)),
        )
    })
}

/// Why a target is shown or allowed, or not (JSON).
pub fn view_explain(view: u32, target: &str) -> String {
    with_view(view, |v| answer(v.explain(target)))
}

// ---------- Compact answers for the layer's hot queries ----------
//
// The layer answers the hot queries from records it builds once per policy,
// asking these calls only which records apply (see `crate::view::compact`).
// Each answer that is a list of numbers is written to one scratch buffer in
// wasm memory: the call returns its address, the first number is the count
// of those that follow. The buffer is valid until the next such call. 0 is
// an error: the layer then asks the call with the full answer, which leaves
// it.

/// Size of the input buffer: more than the longest path, so that a path
/// over the limit still reaches `resolve` and gets its error.
const INPUT_BYTES: usize = 2 * crate::path::MAX_PATH_BYTES;

/// Runs `write` on the cleared scratch buffer and returns its address, or 0.
fn scratch(write: impl FnOnce(&mut Vec<u32>) -> Result<(), QueryError>) -> u32 {
    SCRATCH.with(|cell| {
        let mut buf = cell.borrow_mut();
        buf.clear();
        buf.push(0);
        if write(&mut buf).is_err() {
            return 0;
        }
        let count = buf.len() as u32 - 1;
        if let Some(first) = buf.first_mut() {
            *first = count;
        }
        buf.as_ptr() as u32
    })
}

/// [`scratch`] for a `write` that cannot fail.
fn scratch_all(write: impl FnOnce(&mut Vec<u32>)) -> u32 {
    scratch(|out| {
        write(out);
        Ok(())
    })
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
pub fn input_buffer() -> u32 {
    let at = INPUT.with(|cell| cell.borrow().as_ptr() as u32);
    scratch_all(|out| out.extend([at, INPUT_BYTES as u32]))
}

use protocol::{Field, FIELD, ITEM, PAIR};

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

/// Reads a context packed by the JavaScript layer, field by field in the
/// order of [`protocol::PACKED_CONTEXT`] (which the layer packs by). It
/// packs only contexts whose every key and type the JSON decoder would
/// accept, so the answer is the same as decoding `JSON.stringify(context)`.
fn unpack_context(packed: &str) -> Option<Context> {
    let list = |s: &str| -> Vec<String> { items(s).map(str::to_owned).collect() };
    let optional = |s: &str| -> Option<Option<String>> {
        match s.split_at_checked(1)? {
            ("-", "") => Some(None),
            ("+", rest) => Some(Some(rest.to_owned())),
            _ => None,
        }
    };
    let switches = |s: &str| map_of(s, |v| Some(v == "1"));
    let preferences = |s: &str| {
        map_of(s, |v| {
            Some(match v.split_at_checked(1)? {
                ("b", b) => PreferenceValue::Bool(b == "1"),
                ("n", n) => {
                    let number = crate::decimal::parse(n)?;
                    PreferenceValue::Number(number.is_finite().then_some(number)?)
                }
                ("s", text) => PreferenceValue::String(text.to_owned()),
                ("z", "") => PreferenceValue::Null,
                _ => return None,
            })
        })
    };
    let mut context = Context {
        workspace: Workspace {
            slug: String::new(),
            products: Default::default(),
            plan: None,
            flags: Vec::new(),
            environment: None,
            settings: Default::default(),
            roles: Vec::new(),
        },
        member: Member {
            user_id: String::new(),
            roles: Vec::new(),
            permissions: Vec::new(),
            teams: Vec::new(),
            active: true,
            landing_page: None,
            preferences: Default::default(),
        },
        memberships: Vec::new(),
        platform: Platform::Other,
    };
    let mut fields = packed.split(FIELD);
    for (_, _, field) in protocol::PACKED_CONTEXT {
        let text = fields.next()?;
        let (w, m) = (&mut context.workspace, &mut context.member);
        match field {
            Field::Slug => w.slug = text.to_owned(),
            Field::Products => w.products = switches(text)?,
            Field::Plan => w.plan = optional(text)?,
            Field::Flags => w.flags = list(text),
            Field::Environment => w.environment = optional(text)?,
            Field::Settings => w.settings = switches(text)?,
            Field::UserId => m.user_id = text.to_owned(),
            Field::Roles => m.roles = list(text),
            Field::Permissions => m.permissions = list(text),
            Field::Teams => m.teams = list(text),
            Field::Active => m.active = text == "1",
            Field::LandingPage => m.landing_page = optional(text)?,
            Field::Preferences => m.preferences = preferences(text)?,
            Field::Memberships => context.memberships = list(text),
            Field::Platform => context.platform = Platform::from_name(text)?,
        }
    }
    if fields.next().is_some() {
        return None;
    }
    Some(context)
}

/// The protocol between this module and the JavaScript layer, written once:
/// `examples/protocol.rs` writes it as the layer's `protocol.js` when the
/// package is built (`scripts/build-wasm.sh`), so the layer's constants are
/// these.
pub mod protocol {
    use crate::view::compact::tag;

    /// Separates the fields of a packed context.
    pub const FIELD: char = '\u{1}';
    /// Separates the items of a packed list or map.
    pub const ITEM: char = '\u{2}';
    /// Separates a packed map item's key from its value.
    pub const PAIR: char = '\u{3}';
    /// "None" in a compact answer: no route matched; the view's own slug
    /// as a parameter value.
    pub const NONE: u32 = u32::MAX;

    /// A field of a packed context, and how it is written.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Field {
        /// Text.
        Slug,
        /// Switches: `key PAIR 1|0` items.
        Products,
        /// Optional text: `-`, or `+` and the text.
        Plan,
        /// A list: items.
        Flags,
        /// Optional text.
        Environment,
        /// Switches.
        Settings,
        /// Text.
        UserId,
        /// A list.
        Roles,
        /// A list.
        Permissions,
        /// A list.
        Teams,
        /// `1` or `0`.
        Active,
        /// Optional text.
        LandingPage,
        /// `key PAIR` and `b1`/`b0`, `n` and a number, `s` and text, or `z`.
        Preferences,
        /// A list.
        Memberships,
        /// A platform's name.
        Platform,
    }

    /// The packed context's fields in order: the object they belong to
    /// (`""` for the context itself), their key, and how they are written.
    pub const PACKED_CONTEXT: [(&str, &str, Field); 15] = [
        ("workspace", "slug", Field::Slug),
        ("workspace", "products", Field::Products),
        ("workspace", "plan", Field::Plan),
        ("workspace", "flags", Field::Flags),
        ("workspace", "environment", Field::Environment),
        ("workspace", "settings", Field::Settings),
        ("member", "userId", Field::UserId),
        ("member", "roles", Field::Roles),
        ("member", "permissions", Field::Permissions),
        ("member", "teams", Field::Teams),
        ("member", "active", Field::Active),
        ("member", "landingPage", Field::LandingPage),
        ("member", "preferences", Field::Preferences),
        ("", "memberships", Field::Memberships),
        ("", "platform", Field::Platform),
    ];

    /// How each kind of field is written, as the layer names it.
    fn kind(field: Field) -> &'static str {
        match field {
            Field::Slug | Field::UserId => "text",
            Field::Products | Field::Settings => "switches",
            Field::Plan | Field::Environment | Field::LandingPage => "optional",
            Field::Flags
            | Field::Roles
            | Field::Permissions
            | Field::Teams
            | Field::Memberships => "list",
            Field::Active => "active",
            Field::Preferences => "preferences",
            Field::Platform => "platform",
        }
    }

    /// The tags of a compact resolution.
    pub const TAGS: [(&str, u32); 6] = [
        ("ALLOW", tag::ALLOW),
        ("REDIRECT", tag::REDIRECT),
        ("FORBIDDEN", tag::FORBIDDEN),
        ("NOT_FOUND", tag::NOT_FOUND),
        ("OTHER_WORKSPACE", tag::OTHER_WORKSPACE),
        ("FULL", tag::FULL),
    ];

    /// The protocol as the JavaScript module the layer imports.
    pub fn javascript() -> String {
        let escape = |c: char| format!("\"\\u{:04x}\"", u32::from(c));
        let mut out = String::from(
            "// Generated from src/ffi.rs (`protocol`) by examples/protocol.rs when the\n\
             // package is built: the constants the JavaScript layer shares with the\n\
             // WebAssembly module. Do not edit.\n",
        );
        for (name, c) in [("FIELD", FIELD), ("ITEM", ITEM), ("PAIR", PAIR)] {
            out.push_str(&format!("export const {name} = {};\n", escape(c)));
        }
        out.push_str(&format!("export const NONE = {NONE};\n"));
        let tags: Vec<String> = TAGS.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        out.push_str(&format!(
            "export const TAG = Object.freeze({{ {} }});\n",
            tags.join(", ")
        ));
        let fields: Vec<String> = PACKED_CONTEXT
            .iter()
            .map(|(object, key, field)| format!("[\"{object}\", \"{key}\", \"{}\"]", kind(*field)))
            .collect();
        out.push_str(&format!(
            "export const PACKED_CONTEXT = Object.freeze([\n  {},\n]);\n",
            fields.join(",\n  ")
        ));
        let platforms: Vec<String> = crate::Platform::NAMES
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        out.push_str(&format!(
            "export const PLATFORMS = Object.freeze([{}]);\n",
            platforms.join(", ")
        ));
        let apple: Vec<String> = crate::Platform::NAMES
            .iter()
            .filter(|(_, p)| p.is_apple())
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        out.push_str(&format!(
            "export const APPLE = Object.freeze([{}]);\n",
            apple.join(", ")
        ));
        out
    }
}

/// A view of a context packed by the JavaScript layer, or 0 when it has an
/// error (the layer then calls `policyView`, which leaves it).
pub fn policy_view_packed(policy: u32, packed: &str) -> u32 {
    let view = POLICIES.with(|cell| {
        let table = cell.borrow();
        table.get(policy)?.view(&unpack_context(packed)?).ok()
    });
    view.map_or(0, |v| VIEWS.with(|cell| cell.borrow_mut().insert(v)))
}

/// [`policy_view_packed`] of the packed context in the input buffer (`len`
/// bytes).
pub fn policy_view_packed_input(policy: u32, len: u32) -> u32 {
    with_input(len, |packed| policy_view_packed(policy, packed)).unwrap_or(0)
}

/// The JSON of the reason with this key.
pub fn view_reason(view: u32, key: u32) -> String {
    with_view(view, |v| {
        answer(
            compact::reason_from_key(v.compiled(), key)
                .ok_or_else(|| invalid("", "no reason has this key")),
        )
    })
}

/// The id of a permission written exactly this way, or -1.
pub fn view_permission_id(view: u32, text: &str) -> i32 {
    with_view(view, |v| {
        v.compiled()
            .permission_table
            .id(text)
            .and_then(|id| i32::try_from(id).ok())
            .unwrap_or(-1)
    })
}

/// Every link of this view, in route order, `\n`-separated.
pub fn view_links(view: u32) -> String {
    with_view(view, View::links)
}

/// The current slug, then the other memberships, `,`-separated.
pub fn view_slugs(view: u32) -> String {
    with_view(view, |v| v.slugs().to_owned())
}

/// Navigation item `i` as this view's sidebar item, shown or not (JSON).
pub fn view_sidebar_item(view: u32, i: u32) -> String {
    with_view(view, |v| json(&v.sidebar_item(i as usize)))
}

/// Palette entry `i` as this view shows it, with score 0 (JSON).
pub fn view_palette_entry(view: u32, i: u32) -> String {
    with_view(view, |v| json(&v.palette_entry(i as usize, 0)))
}

/// The sidebar: navigation indices.
pub fn view_sidebar_indices(view: u32) -> u32 {
    with_view(view, |v| scratch_all(|out| v.sidebar_indices(out)))
}

/// The palette: `(index, score)` pairs.
pub fn view_palette_indices(view: u32, query: &str) -> u32 {
    with_view(view, |v| scratch(|out| v.palette_indices(query, out)))
}

/// A compact resolution.
pub fn view_resolve_compact(view: u32, path: &str) -> u32 {
    with_view(view, |v| scratch(|out| v.resolve_compact(path, out)))
}

/// A compact resolution of the path in the input buffer (`len` bytes).
pub fn view_resolve_input(view: u32, len: u32) -> u32 {
    with_view(view, |v| {
        with_input(len, |path| scratch(|out| v.resolve_compact(path, out))).unwrap_or(0)
    })
}

/// Route `route`'s decision, as three numbers (see
/// `View::decision_compact`).
pub fn view_decision(view: u32, route: u32) -> u32 {
    with_view(view, |v| {
        scratch_all(|out| v.decision_compact(route as usize, out))
    })
}

/// `(field, flags)` pairs of form `form` (an index).
pub fn view_form_flags(view: u32, form: u32) -> u32 {
    with_view(view, |v| {
        scratch_all(|out| v.form_flags(form as usize, out))
    })
}

/// Whether the member holds the permission with this id.
pub fn view_can_id(view: u32, id: u32) -> bool {
    with_view(view, |v| v.can_index(id))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// A context packed field by field in the protocol's order reads back
    /// as its JSON does; a field more or less is no context.
    #[test]
    fn a_packed_context_reads_as_its_json() {
        let json = r#"{"workspace": {"slug": "acme", "products": {"accounts": false},
            "plan": "agency", "flags": ["a", "b"], "settings": {"s": true}},
            "member": {"userId": "u_1", "roles": ["member"], "teams": ["t"], "active": false,
            "preferences": {"p": 2.5, "q": "x", "r": null, "s": true}},
            "memberships": ["acme", "beta"], "platform": "mac"}"#;
        let packed: Vec<String> = protocol::PACKED_CONTEXT
            .iter()
            .map(|(_, _, field)| {
                match field {
                    Field::Slug => "acme",
                    Field::Products => "accounts\u{3}0",
                    Field::Plan => "+agency",
                    Field::Flags => "a\u{2}b",
                    Field::Environment | Field::LandingPage => "-",
                    Field::Settings => "s\u{3}1",
                    Field::UserId => "u_1",
                    Field::Roles => "member",
                    Field::Permissions => "",
                    Field::Teams => "t",
                    Field::Active => "0",
                    Field::Preferences => "p\u{3}n2.5\u{2}q\u{3}sx\u{2}r\u{3}z\u{2}s\u{3}b1",
                    Field::Memberships => "acme\u{2}beta",
                    Field::Platform => "mac",
                }
                .to_owned()
            })
            .collect();
        let packed = packed.join(&FIELD.to_string());
        assert_eq!(
            unpack_context(&packed),
            Some(Context::from_json(json).unwrap_or_else(|e| panic!("{e}")))
        );
        assert_eq!(unpack_context(&format!("{packed}{FIELD}")), None);
        assert_eq!(
            unpack_context(packed.rsplit_once(FIELD).map_or("", |p| p.0)),
            None
        );
    }
}
