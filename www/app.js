// The Harmony demo app. Every decision about what a member sees or may do
// (sidebar, palette, routes and redirects, form fields, API checks, sync,
// membership guards) comes from the policy compiled to WebAssembly; this file
// only draws the answers and keeps the records: the embedded sample data in
// localStorage, or, when harmony-server serves the page, the server's
// database through its API (remote.js), where the same policy decides again.
import init, { Policy } from "/pkg/index.js";
import { load, newId, reset, save } from "./data.js";
import { connect } from "./remote.js";

let state;
/** The server connection in server mode; null on the embedded default. */
let remote = null;
let currentView = null;
const policies = new Map();
const apple = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

// ---------- small DOM helper ----------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const $ = (sel) => document.querySelector(sel);

// ---------- policy, context, view ----------
function policy() {
  if (remote) return remote.policy;
  if (!policies.has(state.ruleset)) policies.set(state.ruleset, Policy.builtin(state.ruleset));
  return policies.get(state.ruleset);
}
const docs = new Map();
/** The ruleset's own data (role ids and labels), parsed once per ruleset. */
function rulesetDoc() {
  if (!docs.has(state.ruleset)) docs.set(state.ruleset, JSON.parse(policy().toJson()));
  return docs.get(state.ruleset);
}
/** A page's title, as the ruleset names its route. */
const routeTitle = (id) => rulesetDoc().routes.find((r) => r.id === id)?.title ?? id;
/** A form field's label, as the ruleset names it. */
const fieldLabel = (form, field) => rulesetDoc().forms.find((f) => f.id === form)?.fields.find((x) => x.id === field)?.label ?? field;
const ws = () => state.workspaces[state.workspace];
const members = (w = ws()) => w.members[state.ruleset];
/** The roles workspace `w` defined for itself under the current ruleset. */
const customRoles = (w = ws()) => ((w.roles ??= {})[state.ruleset] ??= []);
const user = (id) => state.users.find((u) => u.id === id);
const me = () => members().find((m) => m.userId === state.actingAs);
const memberships = (userId = state.actingAs) =>
  Object.values(state.workspaces).filter((w) => members(w).some((m) => m.userId === userId)).map((w) => w.slug);

function context(w = ws(), userId = state.actingAs) {
  // In server mode the context is the one the server builds from its database.
  if (remote && w.slug === remote.context.workspace.slug && userId === remote.context.member.userId) return remote.context;
  const m = members(w).find((x) => x.userId === userId);
  const u = user(userId);
  return {
    workspace: { slug: w.slug, products: w.products, plan: w.plan, flags: w.flags, environment: "production", settings: w.settings, roles: customRoles(w) },
    member: {
      userId,
      roles: m && m.role ? [m.role] : [],
      permissions: m?.permissions ?? [],
      teams: (w.teams ?? []).filter((t) => t.members.includes(userId)).map((t) => t.id),
      active: Boolean(m && m.active),
      ...(m && m.landingPage ? { landingPage: m.landingPage } : {}),
      preferences: u ? u.preferences : {},
    },
    memberships: memberships(userId),
    platform: apple ? "mac" : "other",
  };
}

// ---------- records: who may read or change which ----------
/** The part of a record the policy decides on: its owner and its team. */
const ownership = (r) => ({ ownerId: r.ownerId ?? null, teamId: r.teamId ?? null });
/** Whether the API accepts `method` on `path` for record `r`: the
 * endpoint's permission checked with the record (section 11 of the SPEC). */
const allows = (method, path, r) => view().checkRequest({ method, path, record: ownership(r) }).ok;
const recordPath = (kind, r) => `/api/${kind}/${encodeURIComponent(r.id)}`;
/** The records of `kind` the list endpoint would return to this member. */
const listed = (kind) => (ws()[kind] ?? []).filter((r) => allows("GET", `/api/${kind}`, r));
/** The record of `kind` with `id`, if this member may read it. */
const readable = (kind, id) => listed(kind).find((r) => r.id === id);

function view() {
  if (!currentView) currentView = policy().view(context());
  return currentView;
}

function changed() {
  if (!remote) save(state);
  if (currentView) currentView.free();
  currentView = null;
}

/**
 * Makes a change: in server mode sends `request` to the API and reloads what
 * the member may read; on the embedded default runs `local` on the sample
 * data. Resolves to the server's refusal (`{status, code, message}`), or null.
 */
async function commit(request, local) {
  if (remote) {
    const res = await remote.call(request.method, request.path, request.body);
    if (!res.ok) return res.body ?? { status: res.status, code: "network_error", message: `HTTP ${res.status}` };
    state = await remote.load();
  } else {
    local();
  }
  changed();
  return null;
}

/** Makes a change (see `commit`), then runs `then` (by default: redraw), or
 * redraws with the refusal on top. */
async function change(request, local, then = route) {
  const refusal = await commit(request, local);
  if (refusal) refused(refusal);
  else then();
}

/** Redraws the page with a refusal on top. */
function refused(refusal) {
  route();
  const note = h("div", { class: "callout", role: "alert", dataset: { code: refusal.code } }, `${refusal.status ?? ""} ${refusal.code}: ${refusal.message}`.trim());
  $("#main").prepend(note);
}

function ensureActor() {
  if (!me()) {
    const first = members().find((m) => m.active) ?? members()[0];
    if (first) state.actingAs = first.userId;
  }
}

// ---------- routing ----------
function navigate(path, replace = false) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  route();
}

function route() {
  if (location.pathname === "/" || location.pathname === "") {
    history.replaceState(null, "", `/workspace/${state.workspace}`);
  }
  for (let hops = 0; hops < 5; hops++) {
    const answer = view().resolve(location.pathname + location.search);
    if (answer.kind === "redirect") {
      history.replaceState(null, "", answer.to + location.search);
      continue;
    }
    renderShell();
    renderPage(answer);
    return;
  }
  renderShell();
  renderPage({ kind: "not_found" });
}

// ---------- shell: sidebar, top bar ----------
function renderShell() {
  const v = view();
  const items = v.sidebar();
  const current = location.pathname;
  const sections = {};
  for (const item of items) (sections[item.section] ??= []).push(item);
  const labels = { main: null, workspace: "Workspace" };
  const w = ws();

  const sidebar = h(
    "nav",
    { "aria-label": "Sidebar", class: "sidebar" },
    workspaceSwitcher(w),
    Object.entries(sections).map(([section, list]) =>
      h(
        "div",
        { class: "nav-section" },
        labels[section] ? h("div", { class: "nav-heading" }, labels[section]) : null,
        h(
          "ul",
          {},
          list.map((item) =>
            h(
              "li",
              {},
              h(
                "a",
                {
                  href: item.href,
                  class: current === item.href || current.startsWith(item.href + "/") ? "active" : "",
                  "aria-current": current === item.href ? "page" : null,
                  dataset: { id: item.id, icon: item.icon },
                  onclick: (e) => {
                    e.preventDefault();
                    navigate(item.href);
                  },
                },
                h("span", { class: `icon icon-${item.icon}`, "aria-hidden": "true" }),
                item.label,
              ),
            ),
          ),
        ),
      ),
    ),
    demoControls(),
  );
  const top = h(
    "header",
    { class: "topbar" },
    h(
      "button",
      {
        class: "menu-toggle",
        "aria-label": "Menu",
        "aria-expanded": "false",
        onclick: (e) => e.currentTarget.setAttribute("aria-expanded", String(document.body.classList.toggle("nav-open"))),
      },
      "☰",
    ),
    h(
      "button",
      { class: "palette-button", onclick: openPalette, "aria-keyshortcuts": apple ? "Meta+K" : "Control+K" },
      h("span", {}, "Search or jump to…"),
      h("kbd", {}, apple ? "⌘K" : "Ctrl+K"),
    ),
    h("div", { class: "who" }, `${user(state.actingAs)?.name ?? "Nobody"} · ${me() ? roleLabel(me().role) : "no role"} · ${policy().name}`),
  );
  const app = $("#app");
  app.replaceChildren(sidebar, h("div", { class: "content" }, top, h("main", { id: "main", tabindex: "-1" })));
}

function workspaceSwitcher(w) {
  const mine = memberships();
  const menu = h(
    "ul",
    { class: "switcher-menu", role: "menu", hidden: true, id: "switcher-menu" },
    mine.map((slug) =>
      h(
        "li",
        { role: "none" },
        h(
          "button",
          { role: "menuitem", "aria-current": slug === w.slug ? "true" : null, onclick: () => switchWorkspace(slug) },
          state.workspaces[slug].name,
        ),
      ),
    ),
  );
  const toggle = h(
    "button",
    {
      class: "switcher",
      "aria-haspopup": "menu",
      "aria-expanded": "false",
      "aria-controls": "switcher-menu",
      onclick: (e) => {
        const open = menu.hidden;
        menu.hidden = !open;
        e.currentTarget.setAttribute("aria-expanded", String(open));
        if (open) menu.querySelector("button")?.focus();
      },
    },
    h("span", { class: "ws-logo", "aria-hidden": "true" }, w.name[0]),
    h("span", { class: "ws-name" }, w.name),
    h("span", { "aria-hidden": "true" }, "▾"),
  );
  return h("div", { class: "switcher-wrap" }, toggle, menu);
}

/** Seed 001: switching reloads the app in the other workspace's context. */
async function switchWorkspace(slug, path = `/workspace/${slug}`) {
  if (remote) {
    const stays = members(state.workspaces[slug]).some((m) => m.userId === state.actingAs);
    if (stays) await remote.switchTo(slug);
    else await remote.signIn(members(state.workspaces[slug])[0].userId, slug);
    location.assign(path);
    return;
  }
  state.workspace = slug;
  if (!members(state.workspaces[slug]).some((m) => m.userId === state.actingAs)) ensureActor();
  changed();
  location.assign(path);
}

function demoControls() {
  const w = ws();
  return h(
    "div",
    { class: "demo" },
    h("div", { class: "nav-heading" }, "Demo"),
    remote && !remote.demo
      ? null
      : h(
      "label",
      {},
      "View as",
      h(
        "select",
        {
          "aria-label": "View as",
          onchange: async (e) => {
            if (remote) {
              await remote.signIn(e.target.value, state.workspace);
              state = await remote.load();
            } else {
              state.actingAs = e.target.value;
            }
            changed();
            route();
          },
        },
        members(w).map((m) =>
          h("option", { value: m.userId, selected: m.userId === state.actingAs }, `${user(m.userId)?.name} (${roleLabel(m.role)}${m.active ? "" : ", inactive"})`),
        ),
      ),
    ),
    remote
      ? h("p", { class: "muted server-mode", dataset: { fingerprint: policy().fingerprint } }, `Server mode: ${policy().name} rules, fingerprint ${policy().fingerprint.slice(7, 19)}…`)
      : null,
    remote
      ? null
      : h(
      "label",
      {},
      "Ruleset",
      h(
        "select",
        {
          "aria-label": "Ruleset",
          onchange: (e) => {
            state.ruleset = e.target.value;
            ensureActor();
            changed();
            navigate(`/workspace/${state.workspace}`, true);
          },
        },
        ["harmony", "harmonia"].map((r) => h("option", { value: r, selected: r === state.ruleset }, r === "harmony" ? "Harmony" : "Harmonia")),
      ),
    ),
    remote ? null : h("button", { class: "link", onclick: () => ((state = reset()), changed(), navigate(`/workspace/${state.workspace}`, true)) }, "Reset sample data"),
    remote ? null : h("a", { href: "/playground.html" }, "Ruleset playground"),
  );
}

// ---------- pages ----------
const href = (suffix = "") => `/workspace/${state.workspace}${suffix}`;
const link = (to, text, attrs = {}) =>
  h("a", { href: to, ...attrs, onclick: (e) => (e.preventDefault(), navigate(to)) }, text);
const page = (title, ...body) => [h("h1", {}, title), ...body];
const empty = (text) => h("p", { class: "empty" }, text);

/** A reason as a sentence: the policy's own message, capitalized. */
function reasonText(reason) {
  return reason.message.charAt(0).toUpperCase() + reason.message.slice(1) + ".";
}

function renderPage(answer) {
  const main = $("#main");
  let body;
  if (answer.kind === "allow") {
    const render = PAGES[answer.route] ?? genericPage;
    body = render(answer.params, answer.route);
  } else if (answer.kind === "forbidden") {
    body = forbiddenPage(answer.reason);
  } else {
    body = page("Page not found", h("p", {}, "Nothing is at this address."), link(href(), "Go to your home page"));
  }
  main.replaceChildren(...[body].flat());
  document.title = `${main.querySelector("h1")?.textContent ?? "Harmony"} · ${ws().name}`;
  document.body.classList.remove("nav-open");
}

function forbiddenPage(reason) {
  const why = view().explain(`route:${location.pathname}`);
  const reasons = why.reasons.length ? why.reasons : [reason];
  return page(
    "You can't open this page",
    h("div", { class: "callout", role: "alert" }, h("ul", {}, reasons.map((r) => h("li", { dataset: { code: r.code } }, reasonText(r))))),
    reason.code === "other_workspace" && reason.switchTo
      ? h("button", { class: "primary", onclick: () => switchWorkspace(reason.switchTo, location.pathname) }, `Switch to ${state.workspaces[reason.switchTo]?.name ?? reason.switchTo}`)
      : link(href(), "Go to your home page"),
  );
}

function genericPage(_params, routeId) {
  return page(routeTitle(routeId), h("p", {}, "This page is part of the workspace."));
}

function table(headers, rows) {
  return h(
    "div",
    { class: "table-wrap" },
    h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))), h("tbody", {}, rows)),
  );
}

function accountName(id) {
  return listed("accounts").find((a) => a.id === id)?.name ?? "";
}

function showAccounts() {
  return view().form("contact").find((f) => f.field === "accountId")?.visible ?? false;
}

const PAGES = {
  conversations: () =>
    page(
      "Conversations",
      listed("conversations").length
        ? h("ul", { class: "cards" }, listed("conversations").map((c) => h("li", { class: "card" }, link(href(`/conversations/${c.id}`), c.title), h("div", { class: "muted" }, `${c.when} · ${c.with}`))))
        : empty("No conversations yet."),
    ),
  conversation: ({ id }) => {
    const c = readable("conversations", id);
    if (!c) return page("Conversation not found", link(href("/conversations"), "All conversations"));
    return page(
      c.title,
      h("p", { class: "muted" }, `${c.when} · with ${c.with}`),
      h("p", {}, c.summary),
      h("button", { onclick: (e) => ((e.target.textContent = "Link copied: only members who may read conversations can open it"), navigator.clipboard?.writeText(location.href).catch(() => {})) }, "Share"),
    );
  },
  contacts: () => {
    const withAccounts = showAccounts();
    return page(
      "Contacts",
      view().can("contacts:create:own") ? h("p", {}, link(href("/contacts/new"), "New contact", { class: "button primary" })) : null,
      table(
        ["Name", "Email", "Phone", ...(withAccounts ? ["Account"] : [])],
        listed("contacts").map((c) =>
          h("tr", { dataset: { id: c.id } }, h("td", {}, link(href(`/contacts/${c.id}`), c.name)), h("td", {}, c.email), h("td", {}, c.phone), withAccounts ? h("td", {}, accountName(c.accountId)) : null),
        ),
      ),
    );
  },
  contact: ({ id }) => {
    const c = readable("contacts", id);
    if (!c) return page("Contact not found", link(href("/contacts"), "All contacts"));
    const remove = () =>
      change({ method: "DELETE", path: recordPath("contacts", c) }, () => ws().contacts.splice(ws().contacts.indexOf(c), 1), () => navigate(href("/contacts")));
    return page(
      c.name,
      h("dl", {}, h("dt", {}, "Email"), h("dd", {}, c.email || "—"), h("dt", {}, "Phone"), h("dd", {}, c.phone || "—"), showAccounts() ? [h("dt", {}, "Account"), h("dd", {}, accountName(c.accountId) || "—")] : null),
      h("p", {}, allows("PATCH", recordPath("contacts", c), c) ? link(href(`/contacts/${c.id}/edit`), "Edit", { class: "button" }) : null, " ", allows("DELETE", recordPath("contacts", c), c) ? h("button", { class: "danger", onclick: remove }, "Delete") : null),
    );
  },
  "contact-new": () => contactForm(null),
  "contact-edit": ({ id }) => {
    const c = readable("contacts", id);
    if (!c || !allows("PATCH", recordPath("contacts", c), c)) return page("You cannot edit this contact", h("p", {}, "Your permissions do not cover this contact."), link(href("/contacts"), "All contacts"));
    return contactForm(c);
  },
  accounts: () =>
    page(
      "Accounts",
      view().can("accounts:create:own") ? h("p", {}, link(href("/accounts/new"), "New account", { class: "button primary" })) : null,
      table(["Name", "Domain", "Contacts"], listed("accounts").map((a) => h("tr", {}, h("td", {}, link(href(`/accounts/${a.id}`), a.name)), h("td", {}, a.domain), h("td", {}, listed("contacts").filter((c) => c.accountId === a.id).length)))),
    ),
  account: ({ id }) => {
    const a = readable("accounts", id);
    if (!a) return page("Account not found", link(href("/accounts"), "All accounts"));
    return page(a.name, h("p", { class: "muted" }, a.domain), h("h2", {}, "Contacts"), h("ul", {}, listed("contacts").filter((c) => c.accountId === a.id).map((c) => h("li", {}, link(href(`/contacts/${c.id}`), c.name)))));
  },
  "account-new": () => {
    const fields = view().form("account").filter((f) => f.visible).map((f) => [f.field, fieldLabel("account", f.field), f.required]);
    return simpleForm("New account", fields, "accounts", "a", href("/accounts"));
  },
  "account-edit": ({ id }) => page("Edit account", h("p", {}, accountName(id))),
  "data-lake": () =>
    page("Data Lake", h("p", {}, "Insight projects and definitions for your conversations."), h("ul", { class: "cards" }, h("li", { class: "card" }, link(href("/data-lake/projects"), "Projects"), h("div", { class: "muted" }, `${listed("projects").length} projects`)), h("li", { class: "card" }, link(href("/data-lake/definitions"), "Insight definitions")))),
  projects: () =>
    page(
      "Projects",
      view().form("project").some((f) => f.visible) ? h("p", {}, link(href("/data-lake/projects/new"), "New project", { class: "button primary" })) : null,
      listed("projects").length ? table(["Name", "Criteria"], listed("projects").map((p) => h("tr", {}, h("td", {}, link(href(`/data-lake/projects/${p.id}`), p.name)), h("td", {}, p.criteria)))) : empty("No projects yet."),
    ),
  "project-new": () => {
    const fields = view().form("project").filter((f) => f.visible).map((f) => [f.field, fieldLabel("project", f.field), f.required]);
    return simpleForm("New project", fields, "projects", "p", href("/data-lake/projects"));
  },
  project: ({ id }) => {
    const p = readable("projects", id);
    if (!p) return page("Project not found");
    return page(p.name, h("dl", {}, h("dt", {}, "Criteria"), h("dd", {}, p.criteria || "—"), h("dt", {}, "Knowledge"), h("dd", {}, p.knowledge || "—")));
  },
  definitions: () => page("Insight definitions", h("ul", {}, ["Competitor mentioned", "Pricing objection", "Next step agreed"].map((d) => h("li", {}, d)))),
  feedback: () => page("Feedback", h("p", {}, "AI feedback and coaching on your recent conversations."), h("ul", { class: "cards" }, h("li", { class: "card" }, h("strong", {}, "Talk ratio 62%"), h("div", { class: "muted" }, "Try asking one more open question per call.")))),
  performance: () => page("Performance", h("ul", { class: "cards metrics" }, [["Calls this week", "38"], ["Win rate", "27%"], ["Avg. deal cycle", "41 days"]].map(([k, v]) => h("li", { class: "card" }, h("div", { class: "muted" }, k), h("strong", {}, v)))), link(href("/performance/scorecards"), "Scorecards")),
  scorecards: () => page("Scorecards", table(["Rep", "Score"], [["Ada", "92"], ["Bob", "85"]].map(([a, b]) => h("tr", {}, h("td", {}, a), h("td", {}, b))))),
  opportunities: () => page("Opportunities", table(["Deal", "Stage"], [["Globex expansion", "Negotiation"], ["Initech pilot", "Discovery"]].map(([a, b]) => h("tr", {}, h("td", {}, a), h("td", {}, b))))),
  "opportunity-new": () => page("New opportunity", h("p", {}, "Opportunity form.")),
  calendar: () => page("Calendar", h("ul", {}, listed("conversations").map((c) => h("li", {}, `${c.when} — ${c.title}`)))),
  assistant: () => page("AI assistant", h("p", {}, "Ask anything about your contacts and conversations.")),
  settings: settingsIndex,
  "settings-products": productsPage,
  "settings-modules": productsPage,
  "settings-users": usersPage,
  "settings-roles": rolesPage,
  "settings-teams": teamsPage,
  "settings-team": usersPage,
  "settings-delete": deletePage,
  "settings-preferences": preferencesPage,
  "settings-marketplace": syncPage,
  "settings-integrations": syncPage,
};

function settingsIndex() {
  const pages = view().palette().filter((e) => e.kind === "navigate" && e.href?.startsWith(href("/settings/")));
  return page("Settings", h("ul", { class: "cards" }, pages.map((p) => h("li", { class: "card" }, link(p.href, p.label), h("div", { class: "muted" }, p.keywords.slice(0, 3).join(", "))))));
}

// ---------- forms ----------
/** A create form for records of `kind` (`accounts`, `projects`). */
function simpleForm(title, fields, kind, prefix, to) {
  const form = h(
    "form",
    {
      class: "form",
      onsubmit: async (e) => {
        e.preventDefault();
        const values = Object.fromEntries(new FormData(e.target).entries());
        await change({ method: "POST", path: `/api/${kind}`, body: values }, () => ws()[kind].push({ id: newId(prefix), ...values, ownerId: state.actingAs }), () => navigate(to));
      },
    },
    fields.map(([name, label, required]) => h("label", {}, label, h("input", { name, required }))),
    h("button", { class: "primary", type: "submit" }, "Save"),
  );
  return page(title, form);
}

/** Contact create/edit: fields and their visibility come from view.form("contact"). */
function contactForm(contact) {
  const fields = view().form("contact");
  const error = h("div", { class: "callout", role: "alert", hidden: true });
  const form = h(
    "form",
    {
      class: "form",
      onsubmit: async (e) => {
        e.preventDefault();
        const body = Object.fromEntries(new FormData(e.target).entries());
        if (body.accountId === "") body.accountId = null;
        const request = contact ? { method: "PATCH", path: `/api/contacts/${contact.id}`, body } : { method: "POST", path: "/api/contacts", body };
        const check = view().checkRequest(contact ? { ...request, record: ownership(contact) } : request);
        if (!check.ok) {
          error.hidden = false;
          error.textContent = `${check.status} ${check.code}: ${check.message}`;
          return;
        }
        const refusal = await commit(request, () => {
          if (contact) Object.assign(contact, body);
          else ws().contacts.push({ id: newId("c"), accountId: null, phone: "", email: "", ...body, ownerId: state.actingAs });
        });
        if (refusal) {
          error.hidden = false;
          error.textContent = `${refusal.status} ${refusal.code}: ${refusal.message}`;
          return;
        }
        navigate(href("/contacts"));
      },
    },
    fields
      .filter((f) => f.visible)
      .map((f) =>
        h(
          "label",
          {},
          fieldLabel("contact", f.field),
          f.field === "accountId"
            ? h("select", { name: "accountId" }, h("option", { value: "" }, "No account"), listed("accounts").map((a) => h("option", { value: a.id, selected: contact?.accountId === a.id }, a.name)))
            : h("input", { name: f.field, required: f.required, value: contact?.[f.field] ?? "", type: f.field === "email" ? "email" : "text" }),
        ),
      ),
    error,
    h("button", { class: "primary", type: "submit" }, "Save"),
  );
  return page(contact ? `Edit ${contact.name}` : "New contact", form);
}

// ---------- Settings → Products ----------
function productsPage(_params, routeId) {
  const products = policy().products();
  const saved = Object.fromEntries(products.map((p) => [p.id, ws().products[p.id] ?? p.default]));
  const draft = { ...saved };
  const preview = h("section", { class: "impact", "aria-live": "polite", "aria-label": "What Save will change" });
  const saveButton = h("button", { class: "primary", type: "button", disabled: true }, "Save");
  const status = h("p", { class: "muted", role: "status" });

  function describe() {
    const changes = products.filter((p) => draft[p.id] !== saved[p.id]);
    saveButton.disabled = changes.length === 0;
    preview.replaceChildren(
      ...changes.map((p) => {
        const impact = policy().productImpact(context(), p.id, draft[p.id]);
        const parts = [["sidebar", "Sidebar"], ["palette", "Command palette"], ["routes", "Pages"], ["fields", "Form fields"], ["api", "API"]];
        const verb = draft[p.id] ? "shown" : "hidden";
        return h(
          "div",
          { class: "callout", dataset: { product: p.id } },
          h("strong", {}, `Turning ${p.label} ${draft[p.id] ? "on" : "off"} will ${draft[p.id] ? "show" : "hide"}:`),
          h("ul", {}, parts.filter(([k]) => impact[k][verb].length).map(([k, label]) => h("li", {}, `${label}: ${impact[k][verb].join(", ")}`))),
          draft[p.id] ? null : h("p", { class: "muted" }, "Existing records are kept and come back when you turn it on again."),
        );
      }),
    );
  }
  saveButton.addEventListener("click", async () => {
    await change({ method: "PUT", path: "/api/workspace/products", body: { ...draft } }, () => (ws().products = { ...draft }), () => {
      route();
      $("#main [role=status]").textContent = "Saved. Changes take effect immediately.";
    });
  });
  const list = h(
    "ul",
    { class: "toggles" },
    products.map((p) => {
      const sw = h("button", { type: "button", role: "switch", "aria-checked": String(draft[p.id]), "aria-label": p.label, id: `toggle-${p.id}` });
      sw.addEventListener("click", () => {
        draft[p.id] = !draft[p.id];
        sw.setAttribute("aria-checked", String(draft[p.id]));
        describe();
      });
      return h("li", {}, h("div", {}, h("label", { for: `toggle-${p.id}`, class: "toggle-label" }, p.label), h("div", { class: "muted" }, p.description)), sw);
    }),
  );
  return page(routeTitle(routeId), h("p", {}, "Turn whole products on or off for everyone in this workspace. Disabling a product deletes nothing."), list, preview, saveButton, status);
}

// ---------- Settings → Users / Team ----------
function roleIds() {
  return rulesetDoc().roles.map((r) => r.id);
}

/** A role's name: the ruleset's label for its roles, the workspace's for its
 * own; no role at all means the member has only their own grants. */
function roleLabel(id) {
  if (!id) return "own grants";
  return rulesetDoc().roles.find((r) => r.id === id)?.label ?? customRoles().find((r) => r.id === id)?.label ?? id;
}

/** The members (active or not) who hold role `id`. */
const holders = (id) => members().filter((m) => m.role === id).map((m) => m.userId);

/** Whether the API accepts `method` on `path` from this member (the
 * endpoint's own check; a body is given where the endpoint takes one). */
const may = (method, path) => view().checkRequest({ method, path, ...(["POST", "PUT", "PATCH"].includes(method) ? { body: {} } : {}) }).ok;

/** The kinds of records members own, as the API names them. */
const RECORD_KINDS = ["contacts", "accounts", "projects", "conversations"];

/** How many records of each kind `userId` owns (seed 002: the Users page
 * shows assignment counts, so that an admin reassigns before removing).
 * In server mode the server counts them, across the whole workspace. */
function assignments(m) {
  if (m.assignments) return m.assignments;
  const out = {};
  for (const kind of RECORD_KINDS) {
    const n = (ws()[kind] ?? []).filter((r) => r.ownerId === m.userId).length;
    if (n) out[kind] = n;
  }
  return out;
}

/** The active members of workspace `w` by role (the policy decides which
 * roles are guarded). */
function activeHolders(w = ws()) {
  const out = {};
  for (const m of members(w)) if (m.active && m.role) (out[m.role] ??= []).push(m.userId);
  return out;
}

function usersPage(_params, routeId) {
  const message = h("div", { class: "callout", role: "alert", hidden: true });
  const actor = { userId: state.actingAs, role: me()?.role ?? "member" };
  // `newRole` is what the policy checks (null takes the role away); `body`
  // is what the API is sent.
  const tryChange = async (m, newRole, body, apply) => {
    const result = policy().checkRoleChange({ actor, target: { userId: m.userId, role: m.role, active: m.active }, newRole, activeHolders: activeHolders(), customRoles: customRoles() });
    if (!result.ok) {
      message.hidden = false;
      message.textContent = result.message;
      route();
      $("#main").prepend(message);
      return;
    }
    await updateMember(m, body, apply);
  };
  const updateMember = (m, body, local) => change({ method: "PATCH", path: `/api/members/${encodeURIComponent(m.userId)}`, body }, local);
  // Reactivating grants the member's role again: the policy checks it as a grant.
  const reactivate = (m) => tryChange(m, m.role, { active: true }, () => (m.active = true));
  const memberPath = (m, suffix = "") => `/api/members/${encodeURIComponent(m.userId)}${suffix}`;
  const remove = async (m) => {
    // Removing takes the member's role away: the same guard as deactivating.
    if (m.active && m.role) {
      const result = policy().checkRoleChange({ actor, target: { userId: m.userId, role: m.role }, newRole: null, activeHolders: activeHolders(), customRoles: customRoles() });
      if (!result.ok) return refused({ status: 409, code: result.code, message: result.message });
    }
    await change({ method: "DELETE", path: memberPath(m) }, () => {
      members().splice(members().indexOf(m), 1);
      for (const t of ws().teams ?? []) t.members = t.members.filter((u) => u !== m.userId);
    });
  };
  // Gives `m`'s records to `to`, kind by kind, where this member may update them.
  const reassign = (m, to) =>
    change({ method: "POST", path: memberPath(m, "/reassign"), body: { to } }, () => {
      for (const kind of RECORD_KINDS) for (const r of ws()[kind] ?? []) if (r.ownerId === m.userId && allows("PATCH", recordPath(kind, r), r)) r.ownerId = to;
    });
  const countText = (m) => Object.entries(assignments(m)).map(([kind, n]) => `${n} ${kind}`).join(", ") || "none";
  const others = (m) => members().filter((x) => x.active && x.userId !== m.userId);
  // Accepting makes the invitee a member: the policy's acceptance check.
  const accept = (inv) => {
    const u = state.users.find((x) => x.email === inv.email);
    const m = u && members().find((x) => x.userId === u.id);
    const membership = m ? { userId: m.userId, role: m.role, active: m.active } : null;
    const result = policy().checkInviteAcceptance({ actor, role: inv.role, invitee: u?.id ?? null, membership, activeHolders: activeHolders(), customRoles: customRoles() });
    if (!result.ok) return refused({ status: result.code === "permission_denied" ? 403 : 409, code: result.code, message: result.message });
    return invite(inv, "accept", () => acceptInvite(inv));
  };
  const invite = (inv, action, local) =>
    change(action === "revoke" ? { method: "DELETE", path: `/api/invites/${inv.id}` } : { method: "POST", path: `/api/invites/${inv.id}/${action}` }, local);
  const rows = members().map((m) =>
    h(
      "tr",
      {},
      h("td", {}, user(m.userId)?.name),
      h("td", {}, user(m.userId)?.email),
      h(
        "td",
        {},
        m.role
          ? h("select", { "aria-label": `Role of ${user(m.userId)?.name}`, onchange: (e) => tryChange(m, e.target.value, { role: e.target.value }, () => (m.role = e.target.value)) }, [...roleIds(), ...customRoles().map((r) => r.id)].map((r) => h("option", { value: r, selected: r === m.role }, roleLabel(r))))
          : h("span", { title: (m.permissions ?? []).join("\n") }, "Own grants"),
      ),
      h("td", {}, m.active ? "Active" : "Deactivated"),
      h("td", { dataset: { assignments: m.userId } }, countText(m)),
      h(
        "td",
        {},
        m.active ? h("button", { onclick: () => tryChange(m, null, { active: false }, () => (m.active = false)) }, "Deactivate") : h("button", { onclick: () => reactivate(m) }, "Reactivate"),
        Object.keys(assignments(m)).length && may("POST", memberPath(m, "/reassign")) && others(m).length
          ? h(
              "select",
              { "aria-label": `Reassign the records of ${user(m.userId)?.name} to`, onchange: (e) => e.target.value && reassign(m, e.target.value) },
              h("option", { value: "" }, "Reassign to…"),
              others(m).map((x) => h("option", { value: x.userId }, user(x.userId)?.name ?? x.userId)),
            )
          : null,
        m.userId !== state.actingAs && may("DELETE", memberPath(m)) ? h("button", { class: "danger", onclick: () => remove(m) }, "Remove") : null,
      ),
    ),
  );
  const now = Date.now();
  const invites = ws().invites.map((inv) => {
    const { sentAt, acceptedAt, revokedAt } = inv;
    const s = policy().inviteStatus({ sentAt, ...(acceptedAt ? { acceptedAt } : {}), ...(revokedAt ? { revokedAt } : {}) }, now);
    return h(
      "tr",
      { dataset: { status: s.status } },
      h("td", {}, inv.email),
      h("td", {}, inv.role),
      h("td", {}, s.status),
      h("td", {}, new Date(s.expiresAt).toLocaleDateString()),
      h(
        "td",
        {},
        s.status === "pending" ? h("button", { onclick: () => accept(inv) }, "Accept (demo)") : null,
        s.status !== "accepted" ? h("button", { onclick: () => invite(inv, "resend", () => ((inv.sentAt = Date.now()), delete inv.revokedAt)) }, "Resend") : null,
        s.status === "pending" ? h("button", { onclick: () => invite(inv, "revoke", () => (inv.revokedAt = Date.now())) }, "Revoke") : null,
      ),
    );
  });
  return page(
    routeTitle(routeId),
    message,
    table(["Name", "Email", "Role", "Status", "Owns", ""], rows),
    h("p", { class: "muted" }, "Removing a member keeps the records they own; reassign them first if someone else should take them over."),
    h("h2", {}, "Invites"),
    invites.length ? table(["Email", "Role", "Status", "Expires", ""], invites) : empty("No invites."),
    inviteForm(),
  );
}

/** How many days an invite lasts, as the policy answers for one sent now. */
function inviteDays() {
  return Math.round(policy().inviteStatus({ sentAt: 0 }, 0).expiresAt / 86_400_000);
}

function acceptInvite(inv) {
  inv.acceptedAt = Date.now();
  let u = state.users.find((x) => x.email === inv.email);
  if (!u) {
    u = { id: newId("u"), name: inv.email.split("@")[0], email: inv.email, preferences: {} };
    state.users.push(u);
  }
  if (!members().some((m) => m.userId === u.id)) members().push({ userId: u.id, role: inv.role, active: true, ...(inv.landingPage ? { landingPage: inv.landingPage } : {}) });
}

function inviteForm() {
  const fields = view().form("invite");
  if (!fields.some((f) => f.visible)) return null;
  const byId = Object.fromEntries(fields.map((f) => [f.field, f]));
  return h(
    "form",
    {
      class: "form",
      "aria-label": "Invite user",
      onsubmit: async (e) => {
        e.preventDefault();
        const values = Object.fromEntries(new FormData(e.target).entries());
        const body = { email: values.email, role: values.role, ...(values.landingPage ? { landingPage: values.landingPage } : {}) };
        await change({ method: "POST", path: "/api/invites", body }, () => ws().invites.push({ id: newId("i"), ...body, sentAt: Date.now() }));
      },
    },
    h("h2", {}, "Invite user"),
    byId.email?.visible ? h("label", {}, "Email", h("input", { name: "email", type: "email", required: true })) : null,
    byId.role?.visible ? h("label", {}, "Role", h("select", { name: "role" }, byId.role.options.map((r) => h("option", { value: r }, r)))) : null,
    byId.landingPage?.visible ? h("label", {}, "Landing page (optional)", h("select", { name: "landingPage" }, h("option", { value: "" }, "Default"), byId.landingPage.options.map((r) => h("option", { value: r }, r)))) : null,
    h("button", { class: "primary", type: "submit" }, "Send invite"),
    h("p", { class: "muted" }, `Invites expire after ${inviteDays()} days; resending starts a new ${inviteDays()} days.`),
  );
}

// ---------- Settings → Roles ----------
/** The scopes a grant may have (the ruleset format's, widest first). */
const SCOPES = ["all", "team", "own"];

/** For each `resource:action`, the widest scope a role's grants hold it at,
 * as the policy reads them (wildcards included): a view of a member holding
 * only that role. */
function widestScopes(role) {
  const base = context();
  const roles = customRoles().filter((r) => r.id !== role.id);
  const v = policy().view({
    ...base,
    workspace: { ...base.workspace, roles: [...roles, role] },
    member: { ...base.member, roles: [role.id], permissions: [], active: true },
  });
  try {
    const { resources, actions } = rulesetDoc().permissions;
    const out = {};
    for (const r of resources) for (const a of actions) out[`${r}:${a}`] = SCOPES.find((s) => v.can(`${r}:${a}:${s}`)) ?? "";
    return out;
  } finally {
    v.free();
  }
}

const grantList = (grants) => h("ul", { class: "grants" }, grants.map((g) => h("li", {}, h("code", {}, g))));
const holderText = (id) => {
  const names = holders(id).map((u) => user(u)?.name ?? u);
  return h("td", { dataset: { holders: id }, title: names.join("\n") }, String(names.length));
};

function rolesPage(_params, routeId) {
  const rolePath = (r) => `/api/roles/${encodeURIComponent(r.id)}`;
  const editor = h("div", { class: "editor" }, may("POST", "/api/roles") ? roleEditor(null) : null);
  const remove = (r) => {
    const answer = policy().checkRoleDeletion({ role: r.id, holders: holders(r.id), customRoles: customRoles() });
    if (!answer.ok) return refused({ status: 409, code: answer.code, message: answer.message });
    return change({ method: "DELETE", path: rolePath(r) }, () => customRoles().splice(customRoles().indexOf(r), 1));
  };
  const builtin = rulesetDoc().roles.map((r) => h("tr", { dataset: { role: r.id } }, h("th", { scope: "row" }, r.label ?? r.id), h("td", {}, grantList(r.grants ?? [])), holderText(r.id)));
  const own = customRoles().map((r) =>
    h(
      "tr",
      { dataset: { role: r.id } },
      h("th", { scope: "row" }, r.label),
      h("td", {}, r.grants.length ? grantList(r.grants) : h("span", { class: "muted" }, "No permissions")),
      holderText(r.id),
      h(
        "td",
        { class: "actions" },
        may("PATCH", rolePath(r)) ? h("button", { onclick: () => (editor.replaceChildren(roleEditor(r)), editor.querySelector("input")?.focus()) }, "Edit") : null,
        may("DELETE", rolePath(r)) ? h("button", { class: "danger", onclick: () => remove(r) }, "Delete") : null,
      ),
    ),
  );
  return page(
    routeTitle(routeId),
    h("p", {}, "Built-in roles come with the rules and cannot be changed. Roles of this workspace add names for sets of permissions; check who holds each now and then, so none drifts from its purpose."),
    h("h2", {}, "Built-in roles"),
    table(["Role", "Permissions", "Members"], builtin),
    h("h2", {}, "Roles of this workspace"),
    own.length ? table(["Role", "Permissions", "Members", ""], own) : empty("This workspace has no roles of its own yet."),
    editor,
  );
}

/** The form that creates a role (`role` null) or edits one: a name and, for
 * every resource and action of the ruleset, the scope the role holds it at. */
function roleEditor(role) {
  const fields = Object.fromEntries(view().form("role").map((f) => [f.field, f]));
  if (!fields.label?.visible) return null;
  const { resources, actions } = rulesetDoc().permissions;
  const held = role ? widestScopes(role) : {};
  const error = h("div", { class: "callout", role: "alert", hidden: true });
  const title = role ? `Edit ${role.label}` : "New role";
  const grid = h(
    "table",
    { class: "grant-grid" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Resource"), actions.map((a) => h("th", { scope: "col" }, a)))),
    h(
      "tbody",
      {},
      resources.map((r) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, r),
          actions.map((a) =>
            h(
              "td",
              {},
              h("select", { name: `${r}:${a}`, "aria-label": `${r} ${a}` }, h("option", { value: "" }, "—"), SCOPES.map((s) => h("option", { value: s, selected: held[`${r}:${a}`] === s }, s))),
            ),
          ),
        ),
      ),
    ),
  );
  const show = (message) => {
    error.hidden = false;
    error.textContent = message;
  };
  return h(
    "form",
    {
      class: "form wide",
      "aria-label": title,
      onsubmit: async (e) => {
        e.preventDefault();
        const data = new FormData(e.target);
        const body = { label: String(data.get("label") ?? "").trim(), grants: [] };
        for (const [name, scope] of data.entries()) if (name !== "label" && scope) body.grants.push(`${name}:${scope}`);
        const id = role?.id ?? newId("r");
        const next = [...customRoles().filter((r) => r.id !== id), { id, ...body }];
        try {
          policy().checkCustomRoles(next);
        } catch (err) {
          return show(`${err.code}: ${err.message}`);
        }
        const request = role ? { method: "PATCH", path: `/api/roles/${encodeURIComponent(id)}`, body } : { method: "POST", path: "/api/roles", body };
        const refusal = await commit(request, () => {
          if (role) Object.assign(role, body);
          else customRoles(ws()).push({ id, ...body });
        });
        if (refusal) return show(`${refusal.status ?? ""} ${refusal.code}: ${refusal.message}`.trim());
        route();
      },
    },
    h("h2", {}, title),
    h("label", {}, fields.label.label ?? "Name", h("input", { name: "label", required: fields.label.required, value: role?.label ?? "", autocomplete: "off" })),
    h("fieldset", {}, h("legend", {}, fields.grants?.label ?? "Permissions"), h("div", { class: "table-wrap" }, grid)),
    error,
    h("button", { class: "primary", type: "submit" }, role ? "Save role" : "Create role"),
  );
}

// ---------- Settings → Teams ----------
function teamsPage(_params, routeId) {
  const teams = ws().teams ?? [];
  const teamPath = (t, suffix = "") => `/api/teams/${encodeURIComponent(t.id)}${suffix}`;
  const memberPath = (t, userId) => teamPath(t, `/members/${encodeURIComponent(userId)}`);
  const field = view().form("team").find((f) => f.field === "name");
  const nameInput = (value) => h("input", { name: "name", required: field?.required, value, autocomplete: "off", "aria-label": "Team name" });
  const records = (t) => RECORD_KINDS.reduce((n, kind) => n + (ws()[kind] ?? []).filter((r) => r.teamId === t.id).length, 0);
  const rows = teams.map((t) => {
    const outside = members().filter((m) => !t.members.includes(m.userId));
    return h(
      "tr",
      { dataset: { team: t.id } },
      h(
        "th",
        { scope: "row" },
        may("PATCH", teamPath(t)) && field?.visible
          ? h(
              "form",
              {
                class: "inline",
                "aria-label": `Rename ${t.name}`,
                onsubmit: (e) => {
                  e.preventDefault();
                  const name = String(new FormData(e.target).get("name")).trim();
                  change({ method: "PATCH", path: teamPath(t), body: { name } }, () => (t.name = name));
                },
              },
              nameInput(t.name),
              h("button", { type: "submit" }, "Rename"),
            )
          : t.name,
      ),
      h(
        "td",
        {},
        h(
          "ul",
          { class: "chips" },
          t.members.map((u) =>
            h(
              "li",
              {},
              user(u)?.name ?? u,
              may("DELETE", memberPath(t, u))
                ? h("button", { class: "link", "aria-label": `Take ${user(u)?.name ?? u} out of ${t.name}`, onclick: () => change({ method: "DELETE", path: memberPath(t, u) }, () => (t.members = t.members.filter((x) => x !== u))) }, "×")
                : null,
            ),
          ),
        ),
        outside.length && may("PUT", memberPath(t, outside[0].userId))
          ? h(
              "select",
              { "aria-label": `Add a member to ${t.name}`, onchange: (e) => e.target.value && change({ method: "PUT", path: memberPath(t, e.target.value), body: {} }, () => t.members.push(e.target.value)) },
              h("option", { value: "" }, "Add member…"),
              outside.map((m) => h("option", { value: m.userId }, user(m.userId)?.name ?? m.userId)),
            )
          : null,
      ),
      h("td", { dataset: { records: t.id } }, String(records(t))),
      h("td", { class: "actions" }, may("DELETE", teamPath(t)) ? h("button", { class: "danger", onclick: () => change({ method: "DELETE", path: teamPath(t) }, () => teams.splice(teams.indexOf(t), 1)) }, "Delete") : null),
    );
  });
  const create =
    may("POST", "/api/teams") && field?.visible
      ? h(
          "form",
          {
            class: "form",
            "aria-label": "New team",
            onsubmit: (e) => {
              e.preventDefault();
              const name = String(new FormData(e.target).get("name")).trim();
              change({ method: "POST", path: "/api/teams", body: { name } }, () => ((ws().teams ??= []).push({ id: newId("t"), name, members: [] })));
            },
          },
          h("h2", {}, "New team"),
          h("label", {}, field.label ?? "Name", h("input", { name: "name", required: field.required, autocomplete: "off" })),
          h("button", { class: "primary", type: "submit" }, "Create team"),
        )
      : null;
  return page(
    routeTitle(routeId),
    h("p", {}, "A grant at team scope covers the records of the member's teams. A change applies from each member's next request."),
    teams.length ? table(["Team", "Members", "Records", ""], rows) : empty("No teams yet."),
    h("p", { class: "muted" }, "Deleting a team keeps its records: they keep their team, and stay with their owners and with members who hold the permission at all scope."),
    create,
  );
}

// ---------- Settings → Delete account ----------
function deletePage() {
  const result = h("div", { role: "alert", class: "callout", hidden: true });
  const form = h(
    "form",
    {
      class: "form danger",
      onsubmit: async (e) => {
        e.preventDefault();
        const confirmation = new FormData(e.target).get("confirmation");
        const request = {
          userId: state.actingAs,
          confirmation,
          memberships: memberships().map((slug) => ({ workspace: slug, activeHolders: activeHolders(state.workspaces[slug]) })),
        };
        const answer = policy().checkAccountDeletion(request);
        result.hidden = false;
        if (answer.ok && remote) {
          const res = await remote.call("DELETE", "/api/account", { confirmation });
          if (!res.ok) return refused(res.body);
          location.assign("/");
        } else if (answer.ok) {
          for (const w of Object.values(state.workspaces)) for (const r of ["harmony", "harmonia"]) w.members[r] = w.members[r].filter((m) => m.userId !== state.actingAs);
          result.textContent = "Your account was deleted.";
          ensureActor();
          changed();
          navigate(href(), true);
        } else if (answer.code === "sole_admin") {
          const names = answer.workspaces.map((s) => state.workspaces[s]?.name ?? s).join(", ");
          result.textContent = `You are the only active admin of ${names}. Make another member an admin first.`;
        } else {
          result.textContent = "Type DELETE to confirm.";
        }
      },
    },
    h("p", {}, "This deactivates your Harmony account and removes your workspace memberships."),
    view().form("deleteAccount").filter((f) => f.visible).map((f) => h("label", {}, "Type DELETE to confirm", h("input", { name: f.field, required: f.required, autocomplete: "off" }))),
    result,
    h("button", { class: "danger", type: "submit" }, "Delete my account"),
  );
  return page("Delete account", h("h2", {}, "Danger zone"), form);
}

// ---------- Settings → Preferences ----------
function preferencesPage() {
  const u = user(state.actingAs);
  const on = Boolean(u.preferences["recording.autoJoin"]);
  const feature = view().feature("recording.autoJoin");
  const sw = h("button", { type: "button", role: "switch", "aria-checked": String(on), id: "pref-autojoin" });
  sw.addEventListener("click", async () => {
    await change({ method: "PATCH", path: "/api/me/preferences", body: { "recording.autoJoin": !on } }, () => (u.preferences["recording.autoJoin"] = !on));
  });
  return page(
    "Preferences",
    h("ul", { class: "toggles" }, h("li", {}, h("div", {}, h("label", { for: "pref-autojoin", class: "toggle-label" }, "Auto-join my meetings"), h("div", { class: "muted" }, "The recorder joins your calendar meetings.")), sw)),
    h("p", { role: "status" }, feature.enabled ? "Auto-join is on." : `Auto-join is off: ${reasonText(feature.reason)}`),
  );
}

// ---------- Settings → Marketplace / Integrations ----------
function syncPage(_params, routeId) {
  const record = { id: "hs_77", name: "Ada Example", email: "ada@example.com", accountId: "a_1" };
  return page(
    routeTitle(routeId),
    h("p", {}, "HubSpot and Salesforce contact sync. What a synced record keeps:"),
    ["hubspot", "salesforce"].map((i) => h("div", { class: "card" }, h("strong", {}, i === "hubspot" ? "HubSpot" : "Salesforce"), h("pre", {}, JSON.stringify(view().syncRecord(i, record), null, 2)))),
  );
}

// ---------- command palette ----------
let lastFocus = null;
function openPalette() {
  if ($("#palette")) return;
  lastFocus = document.activeElement;
  let active = 0;
  let results = [];
  const list = h("ul", { role: "listbox", id: "palette-list", "aria-label": "Results" });
  const input = h("input", {
    role: "combobox",
    "aria-expanded": "true",
    "aria-controls": "palette-list",
    "aria-autocomplete": "list",
    "aria-label": "Search pages and actions",
    placeholder: "Type a page or an action…",
    autocomplete: "off",
  });
  const dialog = h("div", { id: "palette", role: "dialog", "aria-modal": "true", "aria-label": "Command palette", class: "palette" }, input, list);
  const backdrop = h("div", { class: "backdrop", onclick: (e) => e.target === backdrop && closePalette() }, dialog);
  function draw() {
    results = view().palette(input.value);
    active = Math.min(active, Math.max(results.length - 1, 0));
    list.replaceChildren(
      ...results.map((r, i) =>
        h(
          "li",
          { role: "option", id: `opt-${r.id}`, "aria-selected": String(i === active), dataset: { id: r.id }, onclick: () => run(r), onmousemove: () => { if (active !== i) { active = i; draw(); } } },
          h("span", {}, r.label),
          h("span", { class: "kind" }, r.kind === "action" ? "Action" : "Page"),
          r.shortcut ? h("kbd", {}, r.shortcut) : null,
        ),
      ),
    );
    if (!results.length) list.append(h("li", { class: "empty", role: "presentation" }, "No matches"));
    input.setAttribute("aria-activedescendant", results[active] ? `opt-${results[active].id}` : "");
    list.querySelector("[aria-selected=true]")?.scrollIntoView({ block: "nearest" });
  }
  input.addEventListener("input", () => ((active = 0), draw()));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); active = (active + 1) % Math.max(results.length, 1); draw(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); active = (active - 1 + results.length) % Math.max(results.length, 1); draw(); }
    else if (e.key === "Enter") { e.preventDefault(); if (results[active]) run(results[active]); }
    else if (e.key === "Escape") { e.preventDefault(); closePalette(); }
    else if (e.key === "Tab") e.preventDefault();
  });
  document.body.append(backdrop);
  draw();
  input.focus();
}

function closePalette() {
  $("#palette")?.parentElement.remove();
  lastFocus?.focus?.();
}

function run(entry) {
  closePalette();
  if (entry.action === "workspace.switch") {
    $(".switcher")?.click();
    return;
  }
  if (entry.href) navigate(entry.href);
}

// ---------- boot ----------
document.addEventListener("keydown", (e) => {
  if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === "k") {
    e.preventDefault();
    if ($("#palette")) closePalette();
    else openPalette();
  }
});
window.addEventListener("popstate", route);

await init();
try {
  remote = await connect(apple ? "mac" : "other");
  if (remote) state = await remote.load();
} catch (e) {
  $("#app").replaceChildren(h("main", { id: "main" }, h("h1", {}, "Harmony could not start"), h("p", { role: "alert" }, String(e.message ?? e))));
  throw e;
}
if (!remote) {
  state = load();
  ensureActor();
}
route();
document.documentElement.dataset.ready = "true";
