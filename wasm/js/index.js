// harmony-policy's JavaScript API (SPEC section 9): the package's entry.
//
// `Policy` and `View` over the wasm module's plain functions (src/ffi.rs, exported by wasm/),
// which take and give only numbers and strings: policies and views are
// handles, structured inputs cross as `JSON.stringify` text and answers as
// JSON text, and a failed call leaves its error for `takeError`, thrown here
// as an `Error` with `code`, `message` and `path`. Every message and code is
// the wasm module's; this file only checks JavaScript types, which it hands
// to `wrongArgument` / `unreadableArgument` to describe.
//
// The hot queries (sidebar, palette, resolve, form, can) do not build their
// answers inside wasm on every call: that costs as much as a JavaScript
// policy library (docs/performance.md).
// Instead, each record (a sidebar item, a palette entry, a reason, a
// redirect) is built once per policy (and workspace slug, and platform) by
// the wasm module itself, frozen and kept here; a query asks wasm only which
// records apply, as numbers in a scratch buffer (src/view/compact.rs), and
// hands out the shared records. Nothing is decided here: every number comes
// from the compiled policy, and whatever has no compact form (an error, a
// form with options, a path that needed decoding) is answered by the wasm
// module's own method.
//
// Shared records are frozen (deeply), so a caller that mutates one gets a
// TypeError in strict mode; copies (`{...item}`, `structuredClone`) are free
// to change.
//
// Views are immutable, so the layer also keeps the last few compiled views
// by their (packed) context, and each view's answers by query: an app that
// builds the view of the same member again (every navigation, every render)
// gets it, and every answer it already asked for, without compiling again.
// The cache owns those compiled views and frees them as they leave it; a
// view object only names its context, and one whose compiled view has left
// the cache compiles it again on its next query (through its catalog's own
// handle to the policy), with the same answers. So a view object holds no
// wasm memory, asks nothing of the garbage collector (registering every
// view for finalization cost 3 µs of a 12 µs navigation model), and
// `free()` only retires it. A view whose context could not be packed owns
// its compiled view: `free()` or, failing that, the garbage collector
// releases it. Policies are released likewise.
import initWasm, * as raw from "./harmony_policy.js";
import { leftError } from "./errors.js";
import { FIELD, ITEM, PAIR, NONE, TAG, PACKED_CONTEXT, PLATFORMS as PLATFORM_NAMES, APPLE as APPLE_NAMES } from "./protocol.js";

let wasm = null;
let words = new Uint32Array(0);

/** The wasm memory as 32-bit words (a new view after the memory grew: growing
 * detaches the old buffer, which leaves the old view empty). */
function memory() {
  if (words.length === 0) words = new Uint32Array(wasm.memory.buffer);
  return words;
}

/** The wasm module's input buffer as bytes (src/ffi.rs `INPUT`). */
let input = null;

/**
 * Writes a string of up to the input buffer's size of ASCII characters into
 * the input buffer, for the exports that read it from there (no allocation
 * in wasm); returns its length, or -1 for any other string.
 */
function writeInput(text) {
  if (input === null || input.length === 0) {
    const at = raw.inputBuffer() >>> 2;
    const m = memory();
    input = new Uint8Array(wasm.memory.buffer, m[at + 1], m[at + 2]);
  }
  const n = text.length;
  if (n > input.length) return -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return -1;
    input[i] = c;
  }
  return n;
}

/** Takes the loaded module's exports; views of its memory are made anew. */
function attach(exports) {
  wasm = exports;
  words = new Uint32Array(0);
  input = null;
  return wasm;
}

/** Loads the module (see the wasm-bindgen `init`); resolves to its exports. */
export default async function init(source) {
  return attach(await initWasm(source));
}

/** Loads the module synchronously from bytes or a `WebAssembly.Module`. */
export function initSync(source) {
  return attach(raw.initSync(source));
}

/** The error thrown by anything used before the module is loaded. */
function notInitialized() {
  const error = new Error("harmony-policy is not initialized: call `await init()` (browsers and bundlers) or `initSync(bytes)` (the module's bytes) first");
  error.code = "not_initialized";
  return error;
}

/** Whether `e` is an error this package threw (it has a stable `code`). */
export function isPolicyError(e) {
  return e instanceof Error && typeof e.code === "string";
}

/** The error the last failed call left, as the `Error` to throw. */
function failure() {
  return leftError(raw.takeError());
}

/** A text answer; "" is a failure. */
function textAnswer(text) {
  if (text === "") throw failure();
  return text;
}

/** An answer's JSON text, parsed; "" is a failure. */
function answer(text) {
  return JSON.parse(textAnswer(text));
}

/** A new handle; 0 is a failure. */
function made(handle) {
  if (handle === 0) throw failure();
  return handle;
}

/** The wasm module's error for parameter `name` of the wrong type. */
function wrong(name) {
  raw.wrongArgument(name);
  return failure();
}

/** The wasm module's error for argument `name` that cannot be read. */
function unreadable(name) {
  raw.unreadableArgument(name);
  return failure();
}

/** A string argument, or the error for parameter `name`. */
function string(value, name) {
  if (typeof value === "string") return value;
  throw wrong(name);
}

/** A structured argument as JSON text (`null` for what JSON cannot hold). */
function json(value, name) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    throw unreadable(name);
  }
  return text ?? "null";
}

/** Releases what the garbage collector found unreachable and no one freed. */
const policyRegistry = new FinalizationRegistry((handle) => raw.policyFree(handle));
const viewRegistry = new FinalizationRegistry((entry) => drop(entry));
const catalogRegistry = new FinalizationRegistry((owned) => {
  for (const entry of owned.views.values()) drop(entry);
  raw.policyFree(owned.policy);
});

/** Frees a compiled view; its entry then answers nothing (handle 0). */
function drop(entry) {
  raw.viewFree(entry.handle);
  entry.handle = 0;
}

/** Only the layer makes `Policy` and `View` objects. */
const TOKEN = Symbol("harmony-policy");

/** A handle, or the TypeError for an object used after `free()`. */
function live(handle) {
  if (handle === 0) throw new TypeError("this object was freed");
  return handle;
}

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const NOT_FOUND = deepFreeze({ kind: "not_found" });
const PLATFORMS = new Set(PLATFORM_NAMES);
const APPLE = new Set(APPLE_NAMES);
/** How many compiled views a policy keeps, and answers a view keeps. */
const MAX_VIEWS = 16;
const MAX_ANSWERS = 256;
/** How many permission texts a policy remembers the id of. */
const MAX_PERMISSIONS = 4096;
/** How many paths a policy and slug remember the route of. */
const MAX_ROUTED = 1024;
/** A compact answer's "no route", and its range start for "the slug". */
const NO_ROUTE = NONE;
const SLUG_VALUE = NONE;

/** A compiled view (its handle, 0 once freed) and the answers it gave. */
function newEntry(handle) {
  return { handle, resolved: null, sidebar: null, palette: null, forms: null, filters: null };
}

/** What a policy's records need of its ruleset, shared by every `Policy`
 * object over the same compiled policy. */
class Catalog {
  /** `policy`: the catalog's own handle to the compiled policy. */
  constructor(catalog, policy) {
    this.policy = policy;
    this.routes = catalog.routes.map((r) => ({ id: r.id, params: r.params, allow: null }));
    /** The answer for a path of a workspace the member does not switch to. */
    this.otherWorkspace = deepFreeze({ kind: "forbidden", reason: catalog.otherWorkspace });
    this.forms = new Map(catalog.forms.map((f, index) => [f.id, { index, fields: f.fields, records: new Map() }]));
    this.reasons = new Map();
    this.forbidden = new Map();
    /** Forbidden answers that name the membership to switch to, by slug. */
    this.switchTo = new Map();
    this.permissions = new Map();
    this.slugs = new Map();
    /** Compiled views by packed context, least recently used first: the
     * cache owns them. */
    this.views = new Map();
    // What to free once the catalog is unreachable (not the catalog itself,
    // which the registry must not keep alive).
    catalogRegistry.register(this, { policy, views: this.views });
  }

  /** The compiled view for a packed context, from the cache or compiled
   * now, or null when the module finds an error in the context (and leaves
   * it). */
  view(packed) {
    let entry = this.views.get(packed);
    if (entry) {
      this.views.delete(packed);
    } else {
      const n = writeInput(packed);
      const handle = n < 0 ? raw.policyViewPacked(this.policy, packed) : raw.policyViewPackedInput(this.policy, n);
      if (handle === 0) return null;
      entry = newEntry(handle);
    }
    this.views.set(packed, entry);
    if (this.views.size > MAX_VIEWS) {
      const [key, old] = this.views.entries().next().value;
      this.views.delete(key);
      drop(old);
    }
    return entry;
  }

  /** Frees the cached compiled views (their view objects compile them again
   * if asked). */
  release() {
    for (const entry of this.views.values()) drop(entry);
    this.views.clear();
  }

  /** Records that depend on the workspace slug (links). */
  slug(slug, view) {
    let s = this.slugs.get(slug);
    if (!s) {
      // `routed`: the route each path seen matched, with its allow answer
      // once known; any view with this slug answers such a path with that
      // route's decision (src/view/compact.rs `decision_compact`). A path
      // that no view of this slug finds anything at has no route (NO_ROUTE).
      s = { links: textAnswer(raw.viewLinks(view)).split("\n"), sidebar: [], palette: { apple: [], other: [] }, redirects: new Map(), allow: [], routed: new Map() };
      this.slugs.set(slug, s);
    }
    return s;
  }
}

/** Catalogs by compiled policy (`__instance`: the bundled rulesets are
 * compiled once per process), least recently loaded first. Keyed so rather
 * than by fingerprint, which would hash every ruleset as it loads. */
const catalogs = new Map();
const MAX_CATALOGS = 8;

function catalogFor(policy) {
  const instance = made(raw.policyInstance(policy));
  let catalog = catalogs.get(instance);
  if (!catalog) {
    catalog = new Catalog(answer(raw.policyCatalog(policy)), made(raw.policyShare(policy)));
    catalogs.set(instance, catalog);
    if (catalogs.size > MAX_CATALOGS) {
      const [key, old] = catalogs.entries().next().value;
      catalogs.delete(key);
      old.release();
    }
  }
  return catalog;
}

/** A record's owner id (null for none) when `record` is a plain object
 * holding only short string ids (or null) under `ownerId` and `teamId`, so
 * that it needs no checking by wasm; else undefined. */
function plainRecord(record) {
  if (!plainObject(record)) return undefined;
  for (const k in record) {
    if (k !== "ownerId" && k !== "teamId") return undefined;
    const v = record[k];
    // 1 to 64 UTF-16 units: at most 192 bytes, within the 256-byte limit.
    if (v !== null && v !== undefined && (typeof v !== "string" || v.length === 0 || v.length > 64)) return undefined;
  }
  return record.ownerId ?? null;
}

const plainObject = (v) => v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const SEPARATORS = new RegExp(`[${FIELD}${ITEM}${PAIR}]`);
const text = (v) => typeof v === "string" && !SEPARATORS.test(v);
/** The keys a packable context, workspace and member may have: exactly the
 * packed fields. */
const KEYS = { "": new Set(["workspace", "member"]), workspace: new Set(), member: new Set() };
for (const [object, key] of PACKED_CONTEXT) KEYS[object].add(key);

function onlyKeys(object, allowed) {
  for (const k in object) if (!allowed.has(k)) return false;
  return true;
}
function list(v) {
  if (v === undefined) return "";
  // An empty string would pack as no item at all: such lists take the JSON way.
  if (!Array.isArray(v) || !v.every((x) => text(x) && x !== "")) return null;
  return v.join(ITEM);
}
function switches(v) {
  if (v === undefined) return "";
  if (!plainObject(v)) return null;
  const out = [];
  for (const k in v) {
    const on = v[k];
    if (!text(k) || typeof on !== "boolean") return null;
    out.push(k + PAIR + (on ? "1" : "0"));
  }
  return out.join(ITEM);
}
function optional(v) {
  if (v === undefined) return "-";
  return text(v) ? "+" + v : null;
}
function preferences(v) {
  if (v === undefined) return "";
  if (!plainObject(v)) return null;
  const out = [];
  for (const k in v) {
    const x = v[k];
    if (!text(k)) return null;
    if (typeof x === "boolean") out.push(k + PAIR + "b" + (x ? "1" : "0"));
    else if (typeof x === "number" && Number.isFinite(x)) out.push(k + PAIR + "n" + String(x));
    else if (text(x)) out.push(k + PAIR + "s" + x);
    else if (x === null) out.push(k + PAIR + "z");
    else return null;
  }
  return out.join(ITEM);
}

/** The longest packed context, in UTF-16 units. A packed unit is at most
 * six bytes of the context's JSON (a control character written `\u0004`;
 * a separator becomes quotes, a comma or a colon), and the keys add about
 * 250, so a packed context this long is within the decoder's 64 KiB limit
 * (`MAX_CONTEXT_BYTES`) as JSON; a longer one takes the JSON way, which
 * applies the limit exactly. */
const MAX_PACKED = 10_000;

/**
 * The context packed for wasm (src/ffi.rs `unpack_context`), or null when
 * it is anything but a plain, well-typed context, or long: those go through
 * `JSON.stringify` and the decoder, which report every problem precisely.
 */
/** How each kind of packed field is written (protocol.js names the kinds). */
const PACK = {
  text: (v) => (text(v) ? v : null),
  switches,
  optional,
  list,
  active: (v) => (v === undefined || v === true ? "1" : v === false ? "0" : null),
  preferences,
  platform: (v) => (v === undefined ? "other" : PLATFORMS.has(v) ? v : null),
};

/** The packed fields in order: which object (0 the context, 1 its
 * workspace, 2 its member), the key, and how it is written. */
const PACKED = PACKED_CONTEXT.map(([object, key, kind]) => [object === "" ? 0 : object === "workspace" ? 1 : 2, key, PACK[kind]]);

function pack(ctx) {
  if (!plainObject(ctx) || !onlyKeys(ctx, KEYS[""])) return null;
  const w = ctx.workspace;
  const m = ctx.member;
  if (!plainObject(w) || !onlyKeys(w, KEYS.workspace) || !plainObject(m) || !onlyKeys(m, KEYS.member)) return null;
  const fields = new Array(PACKED.length);
  for (let i = 0; i < PACKED.length; i++) {
    const [object, key, write] = PACKED[i];
    const field = write((object === 0 ? ctx : object === 1 ? w : m)[key]);
    if (field === null) return null;
    fields[i] = field;
  }
  const packed = fields.join(FIELD);
  return packed.length > MAX_PACKED ? null : packed;
}

/** A compiled ruleset (see the TypeScript types for every method). */
export class Policy {
  #handle;
  #catalog = null;

  constructor(token, handle) {
    if (token !== TOKEN) throw new TypeError("use Policy.builtin(), Policy.fromBundle() or Policy.fromJson()");
    this.#handle = handle;
    policyRegistry.register(this, handle, this);
  }

  static builtin(name) {
    if (wasm === null) throw notInitialized();
    const n = name === undefined || name === null ? "harmony" : string(name, "name");
    return new Policy(TOKEN, made(raw.policyBuiltin(n)));
  }

  static fromBundle(bytes) {
    if (wasm === null) throw notInitialized();
    if (!(bytes instanceof Uint8Array)) throw wrong("bytes");
    return new Policy(TOKEN, made(raw.policyFromBundle(bytes)));
  }

  /** Loads and validates a ruleset from JSON text: the authoring module
   * (`harmony-policy/authoring`) is loaded on first use. */
  static async fromJson(text) {
    if (wasm === null) throw notInitialized();
    const { compile } = await import("./authoring-module.js");
    return Policy.fromBundle(await compile(text));
  }

  toBundle() {
    const bytes = raw.policyToBundle(live(this.#handle));
    if (bytes.length === 0) throw failure();
    return bytes;
  }

  get fingerprint() {
    return textAnswer(raw.policyFingerprint(live(this.#handle)));
  }

  get name() {
    return textAnswer(raw.policyName(live(this.#handle)));
  }

  toJson() {
    return textAnswer(raw.policyToJson(live(this.#handle)));
  }

  products() {
    return answer(raw.policyProducts(live(this.#handle)));
  }

  view(context) {
    const policy = live(this.#handle);
    this.#catalog ??= catalogFor(policy);
    const packed = pack(context);
    let entry = packed === null ? null : this.#catalog.view(packed);
    // Not packed, or a packed context with an error (which `policyView`
    // leaves): a compiled view of its own.
    const owned = entry === null;
    if (owned) entry = newEntry(made(raw.policyView(policy, json(context, "context"))));
    return new View(TOKEN, entry, owned ? null : packed, this.#catalog, context.workspace.slug, APPLE.has(context.platform));
  }

  productImpact(context, product, enabled) {
    live(this.#handle);
    const text = json(context, "context");
    string(product, "product");
    if (typeof enabled !== "boolean") {
      throw wrong("enabled");
    }
    return answer(raw.policyProductImpact(this.#handle, text, product, enabled));
  }

  checkAccountDeletion(request) {
    return answer(raw.policyCheckAccountDeletion(live(this.#handle), json(request, "request")));
  }

  checkRoleChange(request) {
    return answer(raw.policyCheckRoleChange(live(this.#handle), json(request, "request")));
  }

  checkRoleDeletion(request) {
    return answer(raw.policyCheckRoleDeletion(live(this.#handle), json(request, "request")));
  }

  checkInviteAcceptance(request) {
    return answer(raw.policyCheckInviteAcceptance(live(this.#handle), json(request, "request")));
  }

  checkCustomRoles(roles) {
    answer(raw.policyCheckCustomRoles(live(this.#handle), json(roles, "roles")));
  }

  inviteStatus(invite, now) {
    // Not a number: NaN, which the module refuses as it refuses 1.5.
    return answer(raw.policyInviteStatus(live(this.#handle), json(invite, "invite"), typeof now === "number" ? now : NaN));
  }

  free() {
    if (this.#handle === 0) return;
    policyRegistry.unregister(this);
    raw.policyFree(this.#handle);
    this.#handle = 0;
  }

  [Symbol.dispose]() {
    this.free();
  }
}

/** A context compiled against a policy. */
export class View {
  #entry;
  /** The compiled view's handle (0 once freed). */
  #h;
  /** The packed context the cache knows the compiled view by; null when
   * this view owns its compiled view. */
  #packed;
  #catalog;
  #slug;
  #records;
  #apple;
  #memberships = null;

  constructor(token, entry, packed, catalog, slug, apple) {
    if (token !== TOKEN) throw new TypeError("use policy.view(context)");
    this.#entry = entry;
    this.#h = entry.handle;
    this.#packed = packed;
    this.#catalog = catalog;
    this.#slug = slug;
    this.#records = catalog.slug(slug, entry.handle);
    this.#apple = apple;
    if (packed === null) viewRegistry.register(this, entry, this);
  }

  /** The compiled view's handle, compiled again if it left the cache; the
   * TypeError once this view was freed. */
  #live() {
    const entry = this.#entry;
    if (entry === null) throw new TypeError("this object was freed");
    if (entry.handle === 0) {
      // The same context compiled before, so it compiles again.
      const again = this.#catalog.view(this.#packed);
      if (again === null) throw failure();
      this.#entry = again;
      this.#h = again.handle;
    }
    return this.#h;
  }

  sidebar() {
    this.#live();
    this.#entry.sidebar ??= this.#sidebar();
    return this.#entry.sidebar.slice();
  }

  #sidebar() {
    const at = raw.viewSidebarIndices(this.#h) >>> 2;
    if (at === 0) return answer(raw.viewSidebar(this.#h));
    let m = memory();
    const n = m[at];
    const out = new Array(n);
    const cache = this.#records.sidebar;
    for (let i = 0; i < n; i++) {
      const index = m[at + 1 + i];
      let item = cache[index];
      if (item === undefined) {
        item = cache[index] = deepFreeze(answer(raw.viewSidebarItem(this.#h, index)));
        m = memory();
      }
      out[i] = item;
    }
    return out;
  }

  palette(query) {
    this.#live();
    if (query === undefined || query === null || query === "") {
      this.#entry.palette ??= this.#palette("");
      return this.#entry.palette.slice();
    }
    string(query, "query");
    return this.#palette(query);
  }

  #palette(query) {
    const at = raw.viewPaletteIndices(this.#h, query) >>> 2;
    // An error (a query over the limit): the full answer leaves it.
    if (at === 0) return answer(raw.viewPalette(this.#h, query));
    let m = memory();
    const n = m[at] >>> 1;
    const out = new Array(n);
    const cache = this.#apple ? this.#records.palette.apple : this.#records.palette.other;
    for (let i = 0; i < n; i++) {
      const index = m[at + 1 + 2 * i];
      const score = m[at + 2 + 2 * i];
      let entry = cache[index];
      if (entry === undefined) {
        entry = cache[index] = deepFreeze(answer(raw.viewPaletteEntry(this.#h, index)));
        m = memory();
      }
      out[i] = score === 0 ? entry : { ...entry, score };
    }
    return out;
  }

  resolve(path) {
    this.#live();
    string(path, "path");
    const resolved = (this.#entry.resolved ??= new Map());
    let answer = resolved.get(path);
    if (answer === undefined) {
      answer = this.#resolve(path);
      if (resolved.size < MAX_ANSWERS) resolved.set(path, answer);
    }
    return answer;
  }

  #resolve(path) {
    const seen = this.#records.routed.get(path);
    if (seen !== undefined) {
      // A path every view of this policy and slug finds nothing at.
      if (seen.route === NO_ROUTE) return NOT_FOUND;
      const answer = this.#decided(seen);
      if (answer !== undefined) return answer;
    }
    const n = writeInput(path);
    let at = (n < 0 ? 0 : raw.viewResolveInput(this.#h, n)) >>> 2;
    // Not ASCII or too long: the path crosses as a string.
    if (at === 0) at = raw.viewResolveCompact(this.#h, path) >>> 2;
    // An error: the full answer leaves it.
    if (at === 0) return answer(raw.viewResolve(this.#h, path));
    const m = memory();
    switch (m[at + 1]) {
      case TAG.ALLOW: {
        const index = m[at + 2];
        const answer = this.#allow(path, m, at);
        this.#remember(path, index, answer);
        return answer;
      }
      case TAG.REDIRECT: {
        const route = m[at + 4];
        const answer = this.#redirect(m[at + 2], m[at + 3]);
        if (route !== NO_ROUTE) this.#remember(path, route, null);
        return answer;
      }
      case TAG.FORBIDDEN: {
        const route = m[at + 3];
        const answer = this.#forbidden(m[at + 2]);
        if (route !== NO_ROUTE) this.#remember(path, route, null);
        return answer;
      }
      case TAG.NOT_FOUND:
        if (m[at + 2] === 1) this.#remember(path, NO_ROUTE, null);
        return NOT_FOUND;
      case TAG.OTHER_WORKSPACE: {
        const k = m[at + 2];
        if (k === 0) return this.#catalog.otherWorkspace;
        this.#memberships ??= textAnswer(raw.viewSlugs(this.#h)).split(",");
        const to = this.#memberships[k - 1];
        const switches = this.#catalog.switchTo;
        let answer = switches.get(to);
        if (!answer) {
          answer = deepFreeze({ kind: "forbidden", reason: { ...this.#catalog.otherWorkspace.reason, switchTo: to } });
          if (switches.size < MAX_ANSWERS) switches.set(to, answer);
        }
        return answer;
      }
      default:
        return deepFreeze(answer(raw.viewResolve(this.#h, path)));
    }
  }

  /** The answer to a path whose route is known, from this view's decision
   * for that route; undefined when wasm must answer (an allow whose
   * parameters are not known yet, or a reason with no compact form). */
  #decided(seen) {
    const at = raw.viewDecision(this.#h, seen.route) >>> 2;
    if (at === 0) return undefined;
    const m = memory();
    switch (m[at + 1]) {
      case TAG.ALLOW:
        return seen.allow ?? undefined;
      case TAG.REDIRECT:
        return this.#redirect(m[at + 2], m[at + 3]);
      case TAG.FORBIDDEN:
        return this.#forbidden(m[at + 2]);
      default:
        return undefined;
    }
  }

  #remember(path, route, allow) {
    const routed = this.#records.routed;
    const seen = routed.get(path);
    if (seen !== undefined) seen.allow ??= allow;
    else if (routed.size < MAX_ROUTED) routed.set(path, { route, allow });
  }

  /** An allow answer from its compact form at `at`. */
  #allow(path, m, at) {
    const index = m[at + 2];
    const route = this.#catalog.routes[index];
    const count = m[at + 3];
    if (count === 0) return (route.allow ??= deepFreeze({ kind: "allow", route: route.id, params: {} }));
    if (count === 1 && m[at + 4] === SLUG_VALUE) {
      // The workspace slug alone: one record per slug and route.
      const allow = this.#records.allow;
      return (allow[index] ??= deepFreeze({ kind: "allow", route: route.id, params: { [route.params[0]]: this.#slug } }));
    }
    const params = {};
    for (let i = 0; i < count; i++) {
      const start = m[at + 4 + 2 * i];
      params[route.params[i]] = start === SLUG_VALUE ? this.#slug : path.slice(start, m[at + 5 + 2 * i]);
    }
    Object.freeze(params);
    return Object.freeze({ kind: "allow", route: route.id, params });
  }

  #redirect(to, key) {
    let byKey = this.#records.redirects.get(to);
    if (!byKey) this.#records.redirects.set(to, (byKey = new Map()));
    let answer = byKey.get(key);
    if (!answer) byKey.set(key, (answer = deepFreeze({ kind: "redirect", to: this.#records.links[to], reason: this.#reason(key) })));
    return answer;
  }

  #forbidden(key) {
    let answer = this.#catalog.forbidden.get(key);
    if (!answer) this.#catalog.forbidden.set(key, (answer = deepFreeze({ kind: "forbidden", reason: this.#reason(key) })));
    return answer;
  }

  #reason(key) {
    let reason = this.#catalog.reasons.get(key);
    if (!reason) this.#catalog.reasons.set(key, (reason = deepFreeze(answer(raw.viewReason(this.#h, key)))));
    return reason;
  }

  form(form) {
    this.#live();
    const known = this.#catalog.forms.get(string(form, "form"));
    if (!known) return answer(raw.viewForm(this.#h, form));
    const forms = (this.#entry.forms ??= new Map());
    let fields = forms.get(known.index);
    if (fields === undefined) forms.set(known.index, (fields = this.#form(known)));
    return fields === null ? answer(raw.viewForm(this.#h, form)) : fields.slice();
  }

  /** The form's shared field records, or null when it lists options. */
  #form(known) {
    const at = raw.viewFormFlags(this.#h, known.index) >>> 2;
    if (at === 0) return null;
    const m = memory();
    const n = m[at] >>> 1;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const field = m[at + 1 + 2 * i];
      const flags = m[at + 2 + 2 * i];
      if (flags & 4) return null;
      const key = field * 4 + flags;
      let record = known.records.get(key);
      if (!record) known.records.set(key, (record = deepFreeze({ field: known.fields[field], visible: (flags & 1) === 1, required: (flags & 2) === 2 })));
      out[i] = record;
    }
    return out;
  }

  can(permission, record) {
    this.#live();
    string(permission, "permission");
    if (record !== undefined) return this.#canRecord(permission, record);
    let id = this.#catalog.permissions.get(permission);
    if (id === undefined) {
      id = raw.viewPermissionId(this.#h, permission);
      if (this.#catalog.permissions.size < MAX_PERMISSIONS) this.#catalog.permissions.set(permission, id);
    }
    if (id >= 0) return raw.viewCanId(this.#h, id);
    // Not written as the ruleset writes it: parsed (or refused) in wasm.
    const can = raw.viewCan(this.#h, permission);
    if (can < 0) throw failure();
    return can === 1;
  }

  /** `can(permission, record)`: a plain record is matched against the
   * policy's own `filter` answer (the same data a server turns into SQL),
   * so it costs a map lookup and two comparisons; anything else is read by
   * wasm, which answers or gives the precise error. */
  #canRecord(permission, record) {
    const owner = plainRecord(record);
    if (owner === undefined) {
      const can = raw.viewCanRecord(this.#h, permission, json(record, "record"));
      if (can < 0) throw failure();
      return can === 1;
    }
    const filter = this.#filter(permission);
    if (filter.all) return true;
    const team = record.teamId;
    return (owner !== null && filter.ownerIds.includes(owner)) || (team != null && filter.teamIds.includes(team));
  }

  filter(permission) {
    this.#live();
    return this.#filter(string(permission, "permission"));
  }

  /** The view's filter for `permission`, frozen and kept with the view. */
  #filter(permission) {
    const filters = (this.#entry.filters ??= new Map());
    let filter = filters.get(permission);
    if (filter === undefined) {
      filter = deepFreeze(answer(raw.viewFilter(this.#h, permission)));
      if (filters.size < MAX_ANSWERS) filters.set(permission, filter);
    }
    return filter;
  }

  feature(id) {
    this.#live();
    return answer(raw.viewFeature(this.#h, string(id, "id")));
  }

  checkRequest(request) {
    this.#live();
    if (request === null || typeof request !== "object") {
      throw wrong("request");
    }
    // What wasm needs of it: the request's own keys, `method`, `path`, and
    // of the body only its own keys (so its depth, or a cycle, costs
    // nothing). Reading a getter that throws is an unreadable request.
    let shape;
    try {
      const body = request.body;
      shape = {
        keys: Object.keys(request),
        method: request.method,
        path: request.path,
        body: body === undefined || body === null ? null : typeof body === "object" && !Array.isArray(body) ? { keys: Object.keys(body) } : "other",
      };
      if (request.record !== undefined) shape.record = request.record;
    } catch {
      throw unreadable("request");
    }
    return answer(raw.viewCheckRequest(this.#h, json(shape, "request")));
  }

  syncRecord(integration, record) {
    this.#live();
    string(integration, "integration");
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw wrong("record");
    }
    const dropped = answer(raw.viewSyncDropped(this.#h, integration, Object.keys(record).length));
    const copy = Object.assign({}, record);
    for (const field of dropped) delete copy[field];
    return copy;
  }

  explain(target) {
    this.#live();
    return answer(raw.viewExplain(this.#h, string(target, "target")));
  }

  /** Retires this view: it answers nothing more. A compiled view it owns
   * is freed now; a cached one stays for the views that share it. */
  free() {
    const entry = this.#entry;
    if (!entry) return;
    this.#entry = null;
    this.#h = 0;
    if (this.#packed === null) {
      viewRegistry.unregister(this);
      drop(entry);
    }
  }

  [Symbol.dispose]() {
    this.free();
  }
}
