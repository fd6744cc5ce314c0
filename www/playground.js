// The ruleset playground: edit a ruleset (starting from a bundled one), see
// every problem at its line and column as you type, preview what a member
// of any role sees in any product state and plan, and what the edit changes
// from the bundled ruleset, for whom. Everything is answered by the policy:
// the authoring module validates, compiles and diffs; the runtime answers
// the preview. This page only draws the answers.
import init, { Policy } from "/pkg/index.js";
import { diff, validate } from "/pkg/authoring.js";

const $ = (sel) => document.querySelector(sel);
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const SLUG = "acme";
let baseText = "";
/** The policy of the text as last loaded, its document, and the preview's choices. */
let current = null;
const choice = { role: null, plan: null, products: {} };
let generation = 0;

/** The offset in `text` of a 1-based line and column. */
function offsetOf(text, { line, column }) {
  let at = 0;
  for (let i = 1; i < line; i++) at = text.indexOf("\n", at) + 1;
  return at + column - 1;
}

function showProblems(report) {
  const source = $("#source");
  $("#problems").replaceChildren(
    ...report.problems.map((p) =>
      h(
        "li",
        { dataset: { code: p.code, line: p.position?.line ?? "", column: p.position?.column ?? "" } },
        h(
          "button",
          {
            type: "button",
            class: "link",
            onclick: () => {
              if (!p.position) return;
              const at = offsetOf(source.value, p.position);
              source.focus();
              source.setSelectionRange(at, at);
            },
          },
          p.position ? `${p.position.line}:${p.position.column}` : "—",
        ),
        " ",
        h("code", {}, p.code),
        " ",
        p.message,
      ),
    ),
  );
}

function context() {
  return {
    workspace: { slug: SLUG, products: choice.products, ...(choice.plan ? { plan: choice.plan } : {}) },
    member: { userId: "u_preview", roles: choice.role ? [choice.role] : [] },
    memberships: [SLUG],
  };
}

/** The choices offered by the loaded ruleset (kept where they still apply). */
function showChoices(doc, policy) {
  const roles = doc.roles.map((r) => r.id);
  if (!roles.includes(choice.role)) choice.role = roles[0] ?? null;
  $("#role").replaceChildren(...doc.roles.map((r) => h("option", { value: r.id, selected: r.id === choice.role }, r.label)));
  const plans = doc.plans ?? [];
  if (!plans.includes(choice.plan)) choice.plan = plans.at(-1) ?? null;
  $("#plan").replaceChildren(...plans.map((p) => h("option", { value: p, selected: p === choice.plan }, p)));
  const products = policy.products();
  for (const p of products) choice.products[p.id] ??= p.default;
  $("#products").replaceChildren(
    ...products.map((p) =>
      h(
        "label",
        {},
        h("input", {
          type: "checkbox",
          name: p.id,
          checked: choice.products[p.id],
          onchange: (e) => {
            choice.products[p.id] = e.target.checked;
            showPreview();
          },
        }),
        ` ${p.label}`,
      ),
    ),
  );
}

function showPreview() {
  if (!current) return;
  const { policy, doc } = current;
  let view;
  try {
    view = policy.view(context());
  } catch (e) {
    $("#sidebar-preview").replaceChildren(h("li", { class: "error" }, `${e.code}: ${e.message}`));
    return;
  }
  $("#sidebar-preview").replaceChildren(...view.sidebar().map((i) => h("li", { dataset: { id: i.id } }, i.label)));
  $("#palette-preview").replaceChildren(...view.palette().map((e) => h("li", { dataset: { id: e.id } }, e.label, e.shortcut ? h("kbd", {}, e.shortcut) : null)));
  $("#routes-preview tbody").replaceChildren(
    ...doc.routes.map((r) => {
      const path = r.pattern.replace("{slug}", SLUG).replace(/\{[^}]+\}/g, "1");
      const answer = view.resolve(path);
      const what = answer.kind === "redirect" ? `redirect to ${answer.to}: ${answer.reason.message}` : answer.kind === "forbidden" ? `forbidden: ${answer.reason.message}` : answer.kind;
      return h("tr", { dataset: { id: r.id, kind: answer.kind } }, h("td", {}, r.title ?? r.id, h("div", { class: "muted" }, path)), h("td", {}, what));
    }),
  );
  $("#forms-preview").replaceChildren(
    ...doc.forms.map((f) =>
      h(
        "div",
        { dataset: { id: f.id } },
        h("h3", {}, f.id),
        h("ul", {}, view.form(f.id).map((field) => h("li", { dataset: { id: field.id, visible: field.visible } }, `${field.label}${field.visible ? "" : " (hidden)"}`))),
      ),
    ),
  );
  view.free();
}

async function showDiff(text) {
  const result = await diff(baseText, text);
  $("#diff-summary").textContent = `${result.changes.length} change${result.changes.length === 1 ? "" : "s"} over ${result.contexts} contexts (every role × product state × plan).`;
  $("#diff").replaceChildren(
    ...result.changes.map((c) =>
      h("li", { dataset: { kind: c.kind, item: c.item } }, h("code", {}, `${c.kind} ${c.item}`), `: ${c.old} → ${c.new}, for ${c.subjects.join(", ")}`, c.plans.length ? ` (plans ${c.plans.join(", ")})` : ""),
    ),
  );
}

/** Validates the text; when it has no problem, loads it and draws the preview and the diff. */
async function update() {
  const mine = ++generation;
  const text = $("#source").value;
  const report = await validate(text);
  if (mine !== generation) return;
  showProblems(report);
  const status = $("#status");
  if (report.problems.length) {
    status.textContent = `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}; the preview shows the last ruleset that loaded.`;
    document.documentElement.dataset.state = "problems";
    return;
  }
  const policy = await Policy.fromJson(text);
  if (mine !== generation) return;
  current?.policy.free();
  current = { policy, doc: JSON.parse(policy.toJson()) };
  status.textContent = `Valid: ${report.name}, ${report.fingerprint.slice(0, 19)}…`;
  showChoices(current.doc, policy);
  showPreview();
  await showDiff(text);
  if (mine === generation) document.documentElement.dataset.state = "ok";
}

async function start(name) {
  baseText = Policy.builtin(name).toJson();
  $("#source").value = JSON.stringify(JSON.parse(baseText), null, 2);
  await update();
}

await init();
let timer = null;
$("#source").addEventListener("input", () => {
  document.documentElement.dataset.state = "editing";
  clearTimeout(timer);
  timer = setTimeout(update, 250);
});
$("#role").addEventListener("change", (e) => {
  choice.role = e.target.value;
  showPreview();
});
$("#plan").addEventListener("change", (e) => {
  choice.plan = e.target.value;
  showPreview();
});
$("#base").addEventListener("change", (e) => start(e.target.value));
await start("harmony");
document.documentElement.dataset.ready = "true";
