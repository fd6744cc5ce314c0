// Compiled with `tsc --noEmit --strict` against pkg/: every input and output
// of the API is typed, and none is `any` (the @ts-expect-error lines fail to
// compile if a type were `any`).
import init, {
  Policy,
  isPolicyError,
  type Context,
  type SidebarItem,
  type PaletteEntry,
  type Resolution,
  type FormField,
  type Feature,
  type RequestCheck,
  type SyncRecord,
  type Explanation,
  type ProductInfo,
  type ProductImpact,
  type AccountDeletionCheck,
  type RoleChangeCheck,
  type InviteStatus,
  type PolicyError,
} from "../../pkg/index.js";
import * as entry from "../../pkg/index.js";
import { compile, diff, fromJson, validate, type Diff, type Report } from "../../pkg/authoring.js";

// The boundary's plain functions are internal: the entry does not export them.
// @ts-expect-error not exported by the entry
void entry.policyBuiltin;

export async function main(): Promise<void> {
  await init();
  const policy: Policy = Policy.builtin();
  const harmonia: Policy = Policy.builtin("harmonia");
  const custom: Policy = await Policy.fromJson(policy.toJson());
  const compiled: Uint8Array = await compile(policy.toJson());
  const sameRules: Policy = await fromJson(policy.toJson());
  void compiled;
  void sameRules;
  const report: Report = await validate(policy.toJson());
  const where: number | undefined = report.problems[0]?.position?.line;
  const changes: Diff = await diff(policy.toJson(), policy.toJson());
  const whom: string[] = changes.changes.flatMap((c) => c.subjects);
  void where;
  void whom;
  const fingerprint: string = custom.fingerprint;
  const products: ProductInfo[] = harmonia.products();
  const context: Context = {
    workspace: { slug: "acme", products: { accounts: false }, plan: "agency", flags: ["auto_join"], environment: "production" },
    member: { userId: "u_1", roles: ["admin"], permissions: [], active: true, landingPage: "contacts", preferences: { "recording.autoJoin": true } },
    memberships: ["acme", "beta"],
    platform: "mac",
  };
  const view = policy.view(context);
  const sidebar: SidebarItem[] = view.sidebar();
  const palette: PaletteEntry[] = view.palette("acc");
  const all: PaletteEntry[] = view.palette();
  const resolution: Resolution = view.resolve("/workspace/acme/accounts");
  if (resolution.kind === "redirect") {
    const to: string = resolution.to;
    if (resolution.reason.code === "product_disabled") {
      const product: string = resolution.reason.product;
      void product;
    }
    void to;
  } else if (resolution.kind === "allow") {
    const id: string | undefined = resolution.params["id"];
    void id;
  }
  const form: FormField[] = view.form("contact");
  const can: boolean = view.can("billing:read:all");
  const feature: Feature = view.feature("recording.autoJoin");
  const check: RequestCheck = view.checkRequest({ method: "POST", path: "/api/contacts", body: { accountId: "a_1" } });
  if (!check.ok) {
    const status: 400 | 403 | 404 | 405 = check.status;
    void status;
  }
  const record: SyncRecord = view.syncRecord("hubspot", { accountId: "a_1", name: "Ada" });
  const why: Explanation = view.explain("sidebar:accounts");
  const impact: ProductImpact = policy.productImpact(context, "accounts", true);
  const deletion: AccountDeletionCheck = policy.checkAccountDeletion({ userId: "u_1", confirmation: "DELETE", memberships: [{ workspace: "acme", activeAdmins: ["u_1"] }] });
  if (!deletion.ok && deletion.code === "sole_admin") {
    const names: string[] = deletion.workspaces;
    void names;
  }
  const change: RoleChangeCheck = harmonia.checkRoleChange({ actor: { userId: "u_1", role: "owner" }, target: { userId: "u_1", role: "owner" }, newRole: "admin", activeHolders: { owner: ["u_1"] } });
  const invite: InviteStatus = policy.inviteStatus({ sentAt: Date.now() }, Date.now());
  try {
    await Policy.fromJson("{");
  } catch (e) {
    const error = e as PolicyError;
    const code: PolicyError["code"] = error.code;
    const path: string | undefined = error.path;
    void code;
    void path;
    // The guard narrows `unknown` to the package's error, codes a union.
    if (isPolicyError(e)) {
      const narrowed: "invalid_json" | "not_initialized" | PolicyError["code"] = e.code;
      void narrowed;
      // @ts-expect-error a code is one of the library's, not any string
      const typo: PolicyError["code"] = "invalid_jsn";
      void typo;
    }
  }

  // The bundled rulesets' ids are literal types: a typo does not compile.
  const typed = Policy.builtin();
  const strict = Policy.builtin("harmonia");
  const member = { userId: "u_1", roles: ["member"] };
  // @ts-expect-error no product `acounts` in harmony
  typed.view({ workspace: { slug: "acme", products: { acounts: false } }, member });
  const v = typed.view({ workspace: { slug: "acme", products: { accounts: false } }, member });
  // @ts-expect-error a permission is resource:action:scope
  v.can("billing-read");
  v.can("billing:read:all");
  v.can("contacts:update", { ownerId: "u_1" });
  // @ts-expect-error no form `contcat`
  v.form("contcat");
  const contactFields = v.form("contact");
  // @ts-expect-error no form of Harmony has a field `emial`
  void contactFields.some((f) => f.id === "emial");
  void contactFields.some((f) => f.id === "email");
  // @ts-expect-error no sidebar item `acounts`: the comparison cannot hold
  void v.sidebar().some((item) => item.id === "acounts");
  // @ts-expect-error harmonia has no workspace roles, so no role `superuser`
  strict.view({ workspace: { slug: "acme" }, member: { userId: "u_1", roles: ["superuser"] } });
  // @ts-expect-error no integration `zapier`
  v.syncRecord("zapier", {});
  // @ts-expect-error no endpoint takes `FETCH`
  v.checkRequest({ method: "FETCH", path: "/api/contacts" });
  v.checkRequest({ method: "POST", path: "/api/contacts", body: {} });
  // A ruleset loaded at run time takes any string, or the ids `types` wrote.
  const loose = (await Policy.fromJson(policy.toJson())).view(context);
  loose.can("anything:at:all");

  // @ts-expect-error a context needs a member
  policy.view({ workspace: { slug: "acme" } });
  // @ts-expect-error resolve returns a Resolution, not a number
  const wrong: number = view.resolve("/");
  // @ts-expect-error sidebar items have no `url`
  void sidebar[0]?.url;
  // @ts-expect-error platform is one of the listed names
  policy.view({ ...context, platform: "beos" });
  // @ts-expect-error palette entries' kind is "navigate" | "action"
  const kind: "page" = palette[0]!.kind;

  void [fingerprint, products, all, form, can, feature, record, why, impact, change, invite, wrong, kind];
  view.free();
}
