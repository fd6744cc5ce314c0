// The navigation model written in plain JavaScript the way a front-end team
// would, around a permission library that decides `resource:action:scope`
// checks (benches/casl.mjs, benches/cedar.mjs). Products, route matching and
// redirects are plain JavaScript. The route table and requirements are read
// from the ruleset's JSON once, outside the timed part. benches/wasm.mjs
// first checks that every contender answers exactly what the policy answers.

export function prepare(ruleset) {
  const doc = JSON.parse(ruleset);
  const defaults = Object.fromEntries(doc.products.map((p) => [p.id, p.default]));
  const productPaths = doc.products.flatMap((p) => p.paths.filter((x) => x.includes("{slug}")).map((x) => ({ product: p.id, segs: x.split("/").filter(Boolean), fallback: p.fallback })));
  const owners = (segs) => productPaths.filter((pp) => pp.segs.length <= segs.length && pp.segs.every((s, i) => s.startsWith("{") || s === segs[i])).map((pp) => pp.product);
  const routes = doc.routes.map((r) => {
    const segs = r.pattern.split("/").filter(Boolean);
    return { id: r.id, segs, literals: segs.filter((s) => !s.startsWith("{")).length, requires: r.requires ?? null, products: owners(segs) };
  });
  // Literal segments before parameters: more literals first.
  const ordered = [...routes].sort((a, b) => b.literals - a.literals);
  const byId = Object.fromEntries(routes.map((r) => [r.id, r]));
  const roles = Object.fromEntries(doc.roles.map((r) => [r.id, r.grants]));
  return { doc, defaults, routes, ordered, byId, roles, productPaths };
}

function holds(model, ctx, cond) {
  if (!cond) return true;
  if (cond.all) return cond.all.every((c) => holds(model, ctx, c));
  if (cond.any) return cond.any.some((c) => holds(model, ctx, c));
  if (cond.not) return !holds(model, ctx, cond.not);
  if (cond.product) return ctx.products[cond.product];
  if (cond.permission) return ctx.allows(cond.permission);
  if (cond.workspaces_at_least) return ctx.workspaces >= cond.workspaces_at_least;
  if (cond.ref) return holds(model, ctx, model.doc.conditions.find((c) => c.id === cond.ref).requires);
  if (cond.plan_at_least) return model.doc.plans.indexOf(ctx.plan) >= model.doc.plans.indexOf(cond.plan_at_least);
  throw new Error(`condition not handled: ${JSON.stringify(cond)}`);
}

function firstProductOff(ctx, route) {
  return route.products.find((p) => !ctx.products[p]);
}

function failedPermission(model, ctx, cond) {
  if (cond?.permission) return ctx.allows(cond.permission) ? null : cond.permission;
  for (const c of cond?.all ?? []) {
    const p = failedPermission(model, ctx, c);
    if (p) return p;
  }
  return null;
}

/**
 * The navigation model for one context: what the policy's view answers.
 * `decider(model, context)` returns the permission check for that member.
 */
export function navigation(model, context, paths, decider) {
  const slug = context.workspace.slug;
  const products = { ...model.defaults, ...context.workspace.products };
  const ctx = {
    products,
    plan: context.workspace.plan ?? model.doc.plans[0],
    workspaces: new Set([slug, ...(context.memberships ?? [])]).size,
    allows: decider(model, context),
  };
  const href = (route) => "/" + route.segs.map((s) => (s === "{slug}" ? slug : s)).join("/");
  const allowed = (route) => !firstProductOff(ctx, route) && holds(model, ctx, route.requires);
  const sidebar = model.doc.navigation.filter((n) => allowed(model.byId[n.route])).map((n) => ({ id: n.id, label: n.label, href: href(model.byId[n.route]), section: n.section, icon: n.icon }));
  const mac = context.platform === "mac" || context.platform === "ios";
  const palette = model.doc.palette
    .filter((e) => holds(model, ctx, e.requires) && (!e.route || allowed(model.byId[e.route])))
    .map((e) => {
      const out = { id: e.id, label: e.label, kind: e.action ? "action" : "navigate" };
      if (e.route) out.href = href(model.byId[e.route]);
      if (e.action) out.action = e.action;
      out.keywords = e.keywords;
      if (e.shortcut) out.shortcut = shortcut(e.shortcut, mac);
      out.score = 0;
      return out;
    });
  const resolve = (path) => {
    const segs = path.split("?")[0].split("/").filter(Boolean);
    const route = model.ordered.find((r) => r.segs.length === segs.length && r.segs.every((s, i) => s.startsWith("{") || s === segs[i]));
    if (!route) return { kind: "not_found" };
    const params = {};
    route.segs.forEach((s, i) => { if (s.startsWith("{")) params[s.slice(1, -1)] = segs[i]; });
    if (params.slug !== slug) {
      const member = (context.memberships ?? []).includes(params.slug);
      return { kind: "forbidden", reason: member ? { code: "other_workspace", switchTo: params.slug } : { code: "other_workspace" } };
    }
    if (route.id === model.doc.home) {
      const landing = sidebar.find((i) => i.id === context.member.landingPage) ?? sidebar[0];
      return { kind: "redirect", to: landing.href, reason: { code: "landing_page" } };
    }
    const off = firstProductOff(ctx, route);
    if (off) {
      const fallback = model.doc.products.find((p) => p.id === off).fallback;
      const target = fallback && allowed(model.byId[fallback]) ? model.byId[fallback] : model.byId[model.doc.home];
      return { kind: "redirect", to: href(target), reason: { code: "product_disabled", product: off } };
    }
    const missing = failedPermission(model, ctx, route.requires);
    if (missing) return { kind: "forbidden", reason: { code: "permission_denied", permission: missing } };
    return { kind: "allow", route: route.id, params };
  };
  const contactForm = model.doc.forms.find((f) => f.id === "contact");
  const formOk = holds(model, ctx, contactForm.requires);
  const form = contactForm.fields.map((f) => {
    const visible = formOk && holds(model, ctx, f.requires);
    return { field: f.id, visible, required: visible && Boolean(f.required) };
  });
  return { sidebar, palette, routes: paths.map(resolve), form };
}

function shortcut(text, mac) {
  const parts = text.split("+");
  const key = parts.pop().toUpperCase();
  const names = mac ? { mod: "⌘", ctrl: "⌃", alt: "⌥", shift: "⇧" } : { mod: "Ctrl+", ctrl: "Ctrl+", alt: "Alt+", shift: "Shift+" };
  return parts.map((m) => names[m]).join("") + key;
}
