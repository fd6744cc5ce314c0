// Server mode: when the page is served by harmony-server, the app loads the
// server's ruleset (checking its fingerprint), signs in through the demo
// session endpoint, and reads and writes its records through the JSON API.
// The server decides every request with the same crate (natively); this
// file only moves data.
import { Policy } from "/pkg/index.js";

/** The lists the app shows, and the endpoints that hold them. */
const LISTS = ["contacts", "accounts", "projects", "conversations", "invites"];

/** One API call; resolves to `{ ok, status, body }`. */
export async function call(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  let json = null;
  try {
    json = await res.json();
  } catch {
    // Not JSON: a network or server failure, described by the status.
  }
  return { ok: res.ok, status: res.status, body: json };
}

/**
 * The server's policy, read from its bundle (`GET /api/policy/bundle`), or
 * null when no harmony-server answers (the app then runs on its embedded
 * default). Throws when the bundle's ruleset does not have the fingerprint
 * the server announces (its `ETag`).
 */
export async function connect(platform) {
  let res;
  try {
    res = await fetch("/api/policy/bundle");
  } catch {
    return null;
  }
  if (!res.ok || res.headers.get("content-type") !== "application/octet-stream") return null;
  const fingerprint = (res.headers.get("etag") ?? "").replaceAll('"', "");
  const policy = Policy.fromBundle(new Uint8Array(await res.arrayBuffer()));
  if (policy.fingerprint !== fingerprint) {
    throw new Error(`the server's rules (${fingerprint}) differ from the rules loaded here (${policy.fingerprint})`);
  }
  return new Remote(policy, platform);
}

/** Every item of a list, page after page (`next` is the cursor of the
 * following page); what the server refuses counts as nothing. */
async function all(path, key) {
  const items = [];
  let next = null;
  do {
    const res = await call("GET", next === null ? path : `${path}?after=${encodeURIComponent(next)}`);
    if (!res.ok) return items;
    items.push(...res.body[key]);
    next = res.body.next ?? null;
  } while (next !== null);
  return items;
}

/** The users a signed-in member may see, in the shape of the demo listing:
 * themselves with their workspaces, and their workspace's members when they
 * may read them. */
async function visibleUsers(me) {
  const self = { ...me.user, workspaces: me.workspaces.map((w) => ({ workspace: w.slug, name: w.name, roles: w.slug === me.context.workspace.slug ? me.context.member.roles : [], active: true })) };
  const listed = await call("GET", "/api/members");
  if (!listed.ok) return [self];
  const others = listed.body.members.filter((m) => m.userId !== self.id);
  return [self, ...others.map((m) => ({ id: m.userId, name: m.name, email: m.email, workspaces: [{ workspace: me.context.workspace.slug, name: me.workspace?.name ?? me.context.workspace.slug, roles: m.roles, active: m.active }] }))];
}

class Remote {
  constructor(policy, platform) {
    this.policy = policy;
    this.platform = platform;
    this.context = null;
  }

  call(method, path, body) {
    return call(method, path, body);
  }

  /** Demo sign-in as any member (only when the server runs with
   * `--demo-sign-in`; `this.demo` says whether it does). */
  async signIn(userId, workspace) {
    const res = await call("POST", "/api/session", { userId, workspace, platform: this.platform });
    if (!res.ok) throw new Error(res.body?.message ?? `sign-in failed (${res.status})`);
  }

  /** Moves the signed-in user to another workspace they are an active
   * member of (no new sign-in, seed 001). */
  async switchTo(workspace) {
    const res = await call("PUT", "/api/session", { workspace });
    if (!res.ok) throw new Error(res.body?.message ?? `switching failed (${res.status})`);
  }

  /**
   * The app's state, in the shape of the embedded sample data, as this
   * member may read it. Signs in as the first active member when there is no
   * session yet.
   */
  async load() {
    // Every user and membership, where the server offers demo sign-in;
    // otherwise only what the signed-in member may read.
    const listing = await call("GET", "/api/session/users");
    this.demo = listing.ok;
    let me = await call("GET", "/api/session");
    if (!this.demo && !(me.ok && me.body.signedIn)) throw new Error("sign in first: this server accepts identity tokens (POST /api/session)");
    const users = this.demo ? listing.body.users : await visibleUsers(me.body);
    if (me.ok && !me.body.signedIn) {
      const first = users.find((u) => u.workspaces.some((w) => w.active)) ?? users[0];
      if (!first) throw new Error("the server has no members to sign in as");
      await this.signIn(first.id, (first.workspaces.find((w) => w.active) ?? first.workspaces[0]).workspace);
      me = await call("GET", "/api/me");
    }
    if (!me.ok) throw new Error(me.body?.message ?? `could not load the session (${me.status})`);
    const context = me.body.context;
    this.context = context;
    const ruleset = this.policy.name;
    const workspaces = {};
    for (const u of users) {
      for (const w of u.workspaces) {
        workspaces[w.workspace] ??= { slug: w.workspace, name: w.name, products: {}, flags: [], settings: {}, members: { [ruleset]: [] } };
        workspaces[w.workspace].members[ruleset].push({ userId: u.id, role: w.roles[0] ?? "", active: w.active });
      }
    }
    const current = workspaces[context.workspace.slug];
    Object.assign(current, { plan: context.workspace.plan, flags: context.workspace.flags, settings: context.workspace.settings, products: context.workspace.products });
    current.roles = { [ruleset]: context.workspace.roles ?? [] };
    const mine = current.members[ruleset].find((m) => m.userId === context.member.userId);
    if (mine && context.member.landingPage) mine.landingPage = context.member.landingPage;
    // Read only what the policy lets this member read: the server would
    // refuse the rest anyway.
    const view = this.policy.view(context);
    try {
      for (const list of LISTS) {
        const path = `/api/${list}`;
        current[list] = view.checkRequest({ method: "GET", path }).ok ? await all(path, list) : [];
      }
      // The members as the Users page shows them: grants, teams and how
      // many records each owns (counted by the server, across the workspace).
      const listed = view.checkRequest({ method: "GET", path: "/api/members" }).ok ? await call("GET", "/api/members") : null;
      for (const m of listed?.ok ? listed.body.members : []) {
        const mine = current.members[ruleset].find((x) => x.userId === m.userId);
        if (mine) Object.assign(mine, { permissions: m.permissions ?? [], assignments: m.assignments ?? {} });
      }
      const teams = view.checkRequest({ method: "GET", path: "/api/teams" }).ok ? await call("GET", "/api/teams") : null;
      current.teams = teams?.ok ? teams.body.teams : [];
    } finally {
      view.free();
    }
    return {
      version: 1,
      ruleset,
      workspace: context.workspace.slug,
      actingAs: context.member.userId,
      users: users.map(({ id, name, email }) => ({ id, name, email, preferences: id === context.member.userId ? context.member.preferences : {} })),
      workspaces,
    };
  }
}
