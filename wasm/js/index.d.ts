// Types of the package entry (index.js, SPEC section 9). Every input and
// output type is written once, in wasm/src/types.d.ts (which the build puts into
// harmony_policy.d.ts), and re-exported here; the classes are the layer's.
// The generated module's own functions are internal and not re-exported.
import type * as T from "./harmony_policy.js";
import type { HarmoniaIds, HarmonyIds } from "./rulesets.js";

export type { HarmoniaIds, HarmonyIds } from "./rulesets.js";

/** The ids a ruleset defines, which the classes' parameters and answers
 * take: `string` for a ruleset the compiler knows nothing of, literal
 * unions for the bundled ones (`HarmonyIds`, `HarmoniaIds`) and for any
 * ruleset whose ids `harmony-policy types` wrote out. */
export interface RulesetIds {
  product: string;
  role: string;
  /** Whether workspaces may define roles of their own (then any role id
   * may be a workspace's). */
  customRoles: boolean;
  resource: string;
  action: string;
  /** `resource:action:scope`, wildcards allowed. */
  permission: string;
  /** `resource:action`, for decisions about a record. */
  recordPermission: string;
  form: string;
  /** The field ids of each form. */
  fields: Record<string, string>;
  sidebar: string;
  palette: string;
  route: string;
  feature: string;
  integration: string;
  method: string;
  plan: string;
}

/** A context whose product, plan and role ids are those of ruleset `R`. */
export type ContextOf<R extends RulesetIds = RulesetIds> = Omit<T.Context, "workspace" | "member"> & {
  workspace: Omit<T.Context["workspace"], "products" | "plan"> & {
    products?: Partial<Record<R["product"], boolean>>;
    plan?: R["plan"];
  };
  member: Omit<T.Context["member"], "roles"> & {
    roles?: (R["customRoles"] extends true ? string : R["role"])[];
  };
};

/** A form field whose id is one of ruleset `R`'s form fields. */
export type FormFieldOf<R extends RulesetIds = RulesetIds> = Omit<T.FormField, "id"> & { id: R["fields"][R["form"]] };

/** An API request whose method is one the ruleset's endpoints take. */
export type ApiRequestOf<R extends RulesetIds = RulesetIds> = Omit<T.ApiRequest, "method"> & { method: R["method"] };

export type {
  AccountDeletionCheck,
  AccountDeletionRequest,
  ApiRequest,
  Change,
  Context,
  ErrorCode,
  Explanation,
  Feature,
  FormField,
  InitInput,
  Invite,
  InviteStatus,
  PaletteEntry,
  PolicyError,
  ProductImpact,
  ProductInfo,
  Reason,
  RecordFilter,
  RequestCheck,
  Resolution,
  RoleChangeCheck,
  RoleChangeRequest,
  InviteAcceptanceRequest,
  RoleHolder,
  SidebarItem,
  SyncInitInput,
  SyncRecord,
  WorkspaceRecord,
} from "./harmony_policy.js";

/** The module's exports, for those who need them (most do not). */
export type InitOutput = T.InitOutput;

/** Loads the module: from `harmony_policy_bg.wasm` beside this file by
 * default, or from the given URL, response, bytes or compiled module. */
export default function init(
  source?: { module_or_path: T.InitInput | Promise<T.InitInput> } | T.InitInput | Promise<T.InitInput>,
): Promise<InitOutput>;

/** Loads the module synchronously from bytes or a `WebAssembly.Module`. */
export function initSync(source: { module: T.SyncInitInput } | T.SyncInitInput): InitOutput;

/** Whether `e` is an error this package threw: an `Error` with a stable
 * `code` (and a `path` where one applies). Using anything before `init()`
 * throws one with code `not_initialized`. */
export function isPolicyError(e: unknown): e is T.PolicyError;

/** A compiled ruleset. Every method throws a `PolicyError` for bad input. */
export class Policy<R extends RulesetIds = RulesetIds> {
  private constructor();
  /** A bundled ruleset: `"harmony"` (the default) or `"harmonia"`. */
  static builtin(name?: "harmony"): Policy<HarmonyIds>;
  static builtin(name: "harmonia"): Policy<HarmoniaIds>;
  /** Loads and validates a ruleset from JSON text; give its ids (written
   * by `harmony-policy types`) to have them checked where it is used. The
   * validator is a separate module (`harmony-policy/authoring`), loaded on
   * first use. */
  static fromJson<R extends RulesetIds = RulesetIds>(text: string): Promise<Policy<R>>;
  /** Reads a bundle (`harmony-policy compile`, `GET /api/policy/bundle`,
   * `policy.toBundle()`); throws `invalid_bundle` for damaged, truncated
   * or foreign bytes. */
  static fromBundle<R extends RulesetIds = RulesetIds>(bytes: Uint8Array): Policy<R>;
  /** The policy as a bundle: versioned bytes with its fingerprint and a
   * checksum. */
  toBundle(): Uint8Array;
  /** `sha256:` and the hex digest of the canonical form. */
  readonly fingerprint: string;
  /** The ruleset's name. */
  readonly name: string;
  /** The canonical JSON form. */
  toJson(): string;
  /** The products, in ruleset order. */
  products(): T.ProductInfo[];
  /** Compiles a context into a view. */
  view(context: ContextOf<R>): View<R>;
  /** What turning a product on or off would change for this member. */
  productImpact(context: ContextOf<R>, product: R["product"], enabled: boolean): T.ProductImpact;
  /** Whether a user may delete their account. */
  checkAccountDeletion(request: T.AccountDeletionRequest): T.AccountDeletionCheck;
  /** Whether a role change may go ahead. */
  checkRoleChange(request: T.RoleChangeRequest): T.RoleChangeCheck;
  /** Whether one of the workspace's own roles may be deleted: never a
   * ruleset role (`builtin_role`), never while held (`role_in_use`). */
  checkRoleDeletion(request: T.RoleDeletionRequest): T.RoleChangeCheck;
  /** Whether accepting an invite may go ahead: never over an existing
   * membership unless it changes nothing (`already_member`), an existing
   * account only by its own hand (`invitee_consent`), and the invite's role
   * granted as a role change would grant it. */
  checkInviteAcceptance(request: T.InviteAcceptanceRequest): T.RoleChangeCheck;
  /** Checks a workspace's own roles as a context's `workspace.roles` would
   * be checked; throws a `PolicyError` at the problem's pointer (`/1/grants/0`:
   * `duplicate_role`, `reserved_role`, `unknown_reference`, ...). */
  checkCustomRoles(roles: T.CustomRole[]): void;
  /** An invite's state at `now` (milliseconds since the epoch). */
  inviteStatus(invite: T.Invite, now: number): T.InviteStatus;
  /** Releases the compiled policy now (views made from it stay valid);
   * otherwise it is released once garbage collected. */
  free(): void;
  [Symbol.dispose](): void;
}

/** A context compiled against a policy. */
export class View<R extends RulesetIds = RulesetIds> {
  private constructor();
  /** The sidebar items the member may open. */
  sidebar(): (T.SidebarItem & { id: R["sidebar"] })[];
  /** Palette entries; all for an empty or missing query, else ranked matches. */
  palette(query?: string): T.PaletteEntry[];
  /** What to do with a path. */
  resolve(path: string): T.Resolution;
  /** Every field of a form with its visibility. */
  form(form: R["form"]): FormFieldOf<R>[];
  /** Whether the member holds a permission (`resource:action:scope`) at
   * that scope or wider. */
  can(permission: R["permission"]): boolean;
  /** Whether the member may do `permission` (`resource:action`, without a
   * scope) to this record: the widest scope they hold it at covers it. */
  can(permission: R["recordPermission"], record: T.WorkspaceRecord): boolean;
  /** Exactly the records `can(permission, record)` allows (`resource:action`). */
  filter(permission: R["recordPermission"]): T.RecordFilter;
  /** Whether a capability that is not a page is on. */
  feature(id: R["feature"]): T.Feature;
  /** Checks an API request. Only the body's own top-level keys are read,
   * so a body of any depth, or a cyclic one, costs nothing. */
  checkRequest(request: ApiRequestOf<R>): T.RequestCheck;
  /** A synced record as it may be stored: a shallow copy without the
   * fields the ruleset drops (for HubSpot and Salesforce while Accounts is
   * off: `accountId`). */
  syncRecord(integration: R["integration"], record: T.SyncRecord): T.SyncRecord;
  /** Why a target is shown or allowed, or not. */
  explain(target: string): T.Explanation;
  /** Retires this view: its methods then throw a `TypeError`. The compiled
   * view belongs to the policy's cache of recent contexts, which frees it
   * (a view of a context that is not a plain object owns its compiled view:
   * freed now, or once garbage collected). */
  free(): void;
  [Symbol.dispose](): void;
}
