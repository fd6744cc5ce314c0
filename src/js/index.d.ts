// Types of the package entry (index.js, SPEC section 9). Every input and
// output type is written once, in src/wasm.d.ts (which the build puts into
// harmony_policy.d.ts), and re-exported here; the classes are the layer's.
// The generated module's own functions are internal and not re-exported.
import type * as T from "./harmony_policy.js";

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
export class Policy {
  private constructor();
  /** A bundled ruleset: `"harmony"` (the default) or `"harmonia"`. */
  static builtin(name?: "harmony" | "harmonia"): Policy;
  /** Loads and validates a ruleset from JSON text. */
  static fromJson(text: string): Policy;
  /** `sha256:` and the hex digest of the canonical form. */
  readonly fingerprint: string;
  /** The ruleset's name. */
  readonly name: string;
  /** The canonical JSON form. */
  toJson(): string;
  /** The products, in ruleset order. */
  products(): T.ProductInfo[];
  /** Compiles a context into a view. */
  view(context: T.Context): View;
  /** What turning a product on or off would change for this member. */
  productImpact(context: T.Context, product: string, enabled: boolean): T.ProductImpact;
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
export class View {
  private constructor();
  /** The sidebar items the member may open. */
  sidebar(): T.SidebarItem[];
  /** Palette entries; all for an empty or missing query, else ranked matches. */
  palette(query?: string): T.PaletteEntry[];
  /** What to do with a path. */
  resolve(path: string): T.Resolution;
  /** Every field of a form with its visibility. */
  form(form: string): T.FormField[];
  /** Whether the member holds a permission (`resource:action:scope`) at
   * that scope or wider. */
  can(permission: string): boolean;
  /** Whether the member may do `permission` (`resource:action`, without a
   * scope) to this record: the widest scope they hold it at covers it. */
  can(permission: string, record: T.WorkspaceRecord): boolean;
  /** Exactly the records `can(permission, record)` allows (`resource:action`). */
  filter(permission: string): T.RecordFilter;
  /** Whether a capability that is not a page is on. */
  feature(id: string): T.Feature;
  /** Checks an API request. Only the body's own top-level keys are read,
   * so a body of any depth, or a cyclic one, costs nothing. */
  checkRequest(request: T.ApiRequest): T.RequestCheck;
  /** A synced record as it may be stored: a shallow copy without the
   * fields the ruleset drops (for HubSpot and Salesforce while Accounts is
   * off: `accountId`). */
  syncRecord(integration: string, record: T.SyncRecord): T.SyncRecord;
  /** Why a target is shown or allowed, or not. */
  explain(target: string): T.Explanation;
  /** Retires this view: its methods then throw a `TypeError`. The compiled
   * view belongs to the policy's cache of recent contexts, which frees it
   * (a view of a context that is not a plain object owns its compiled view:
   * freed now, or once garbage collected). */
  free(): void;
  [Symbol.dispose](): void;
}
