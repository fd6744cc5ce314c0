/** Who is asking, and where (SPEC section 3). */
export interface Context {
  workspace: {
    /** Lowercase letters, digits and dashes. */
    slug: string;
    /** Product toggles; a product not listed takes the ruleset default. */
    products?: Record<string, boolean>;
    /** The plan; the ruleset's lowest when absent. */
    plan?: string;
    /** Feature flags on for this workspace. */
    flags?: string[];
    /** Deployment environment; the ruleset's last when absent. */
    environment?: string;
    /** Workspace-level availability of capabilities. */
    settings?: Record<string, boolean>;
    /** The workspace's own roles (rulesets with `customRoles` only). */
    roles?: CustomRole[];
  };
  member: {
    userId: string;
    /** Ruleset roles and the workspace's own roles. */
    roles?: string[];
    /** Extra grants: `resource:action:scope`. */
    permissions?: string[];
    /** The teams the member belongs to: `team` scopes cover their records. */
    teams?: string[];
    /** An inactive member sees nothing and is allowed nothing. Default true. */
    active?: boolean;
    /** A sidebar item id to land on at the workspace home. */
    landingPage?: string;
    /** A preference is on when its value is `true`. */
    preferences?: Record<string, boolean | number | string | null>;
  };
  /** Slugs of every workspace the member belongs to. */
  memberships?: string[];
  /** For shortcut labels: ⌘ on mac and ios, Ctrl elsewhere. */
  platform?: "mac" | "ios" | "windows" | "linux" | "android" | "other";
}

export interface SidebarItem {
  id: string;
  label: string;
  href: string;
  section: string;
  icon: string;
}

export interface PaletteEntry {
  id: string;
  label: string;
  kind: "navigate" | "action";
  href?: string;
  action?: string;
  keywords: string[];
  shortcut?: string;
  /** 0 for an empty query; higher is better. */
  score: number;
}

/** Why something is hidden, refused or redirected; `message` is the
 * sentence an app shows (products named by their labels). */
export type Reason =
  | { code: "product_disabled"; product: string; message: string }
  | { code: "permission_denied"; permission: string; message: string }
  | { code: "plan_required"; plan: string; message: string }
  | { code: "flag_disabled"; flag: string; message: string }
  | { code: "environment_unsupported"; environment: string; message: string }
  | { code: "setting_disabled"; setting: string; message: string }
  | { code: "preference_off"; preference: string; message: string }
  | { code: "workspaces_required"; count: number; message: string }
  | { code: "condition_failed"; message: string }
  | { code: "inactive_member"; message: string }
  | { code: "other_workspace"; switchTo?: string; message: string }
  | { code: "landing_page"; message: string }
  | { code: "no_pages"; message: string }
  | { code: "not_found"; message: string };

export type Resolution =
  | { kind: "allow"; route: string; params: Record<string, string> }
  | { kind: "redirect"; to: string; reason: Reason }
  | { kind: "forbidden"; reason: Reason }
  | { kind: "not_found" };

export interface FormField {
  field: string;
  visible: boolean;
  required: boolean;
  options?: string[];
}

export interface Feature {
  enabled: boolean;
  reason?: Reason;
}

/** A workspace record as a permission's scope sees it (SPEC section 11):
 * `all` covers every record, `team` the records of the member's teams and
 * their own, `own` their own. A record with neither field is covered by
 * `all` only. Ids are 1 to 256 bytes; no other key is accepted. */
export interface WorkspaceRecord {
  ownerId?: string | null;
  teamId?: string | null;
}

/** Exactly the records `can(permission, record)` allows, as data a server
 * turns into a query (`WHERE owner_id IN (...) OR team_id IN (...)`).
 * `all: false` with both lists empty matches nothing. */
export interface RecordFilter {
  all: boolean;
  ownerIds: string[];
  teamIds: string[];
}

export interface ApiRequest {
  method: string;
  path: string;
  body?: { [key: string]: unknown } | null;
  /** The record the request reads or changes: the endpoint's permission
   * must cover it, else 403 `permission_denied`. */
  record?: WorkspaceRecord | null;
}

export type RequestCheck =
  | { ok: true }
  | { ok: false; status: 400 | 403 | 404 | 405; code: string; message: string; field?: string };

export type SyncRecord = { [field: string]: unknown };

export interface Explanation {
  allowed: boolean;
  reasons: Reason[];
}

export interface ProductInfo {
  id: string;
  label: string;
  description: string;
  default: boolean;
}

export interface Change {
  shown: string[];
  hidden: string[];
}

export interface ProductImpact {
  product: string;
  enabled: boolean;
  sidebar: Change;
  palette: Change;
  routes: Change;
  fields: Change;
  api: Change;
}

export interface AccountDeletionRequest {
  userId: string;
  /** Must be exactly `DELETE`. */
  confirmation: string;
  /** For each workspace, its active members by role (the policy counts
   * the holders of its guarded roles as admins), or its admins as counted
   * by the caller. */
  memberships?: { workspace: string; activeHolders?: Record<string, string[]>; activeAdmins?: string[] }[];
}

export type AccountDeletionCheck =
  | { ok: true }
  | { ok: false; code: "sole_admin"; workspaces: string[] }
  | { ok: false; code: "confirmation_required" };

export interface RoleHolder {
  userId: string;
  /** A ruleset role, one of `customRoles`, or `""` for a member who holds
   * no role (only extra grants). */
  role: string;
  /** Default `true`. A deactivated member holds nothing, so giving them a
   * role, their own included (a reactivation), is checked as a grant. */
  active?: boolean;
}

/** A role a workspace defines (`workspace.roles`): grants of the ruleset's
 * vocabulary under a name. Only where the ruleset has `customRoles`. */
export interface CustomRole {
  id: string;
  label: string;
  grants?: string[];
}

export interface RoleChangeRequest {
  actor: RoleHolder;
  target: RoleHolder;
  /** `null` removes or deactivates the target. */
  newRole: string | null;
  activeHolders?: Record<string, string[]>;
  /** The workspace's own roles, which the roles above may name. */
  customRoles?: CustomRole[];
}

export interface RoleDeletionRequest {
  role: string;
  /** Members who hold the role. */
  holders?: string[];
  customRoles?: CustomRole[];
}

export interface InviteAcceptanceRequest {
  /** Who accepts: the invitee themselves, or a member acting for them. */
  actor: RoleHolder;
  /** The role the invite offers. */
  role: string;
  /** The user id of the account the invite's email belongs to, if any. */
  invitee?: string | null;
  /** The invitee's membership of the workspace, if they have one. */
  membership?: RoleHolder | null;
  activeHolders?: Record<string, string[]>;
  customRoles?: CustomRole[];
}

export type RoleChangeCheck = { ok: true } | { ok: false; code: string; message: string };

/** Milliseconds since the epoch; a resend sets a new `sentAt`. */
export interface Invite {
  sentAt: number;
  acceptedAt?: number;
  revokedAt?: number;
}

export interface InviteStatus {
  status: "pending" | "accepted" | "revoked" | "expired";
  expiresAt: number;
}

/** The stable codes of thrown errors. */
export type ErrorCode =
  | "invalid_json"
  | "input_too_large"
  | "unsupported_version"
  | "unknown_key"
  | "invalid_value"
  | "duplicate_id"
  | "unknown_product"
  | "unknown_permission"
  | "unknown_role"
  | "unknown_route"
  | "unknown_condition"
  | "unknown_plan"
  | "unknown_flag"
  | "unknown_environment"
  | "unknown_setting"
  | "unknown_preference"
  | "unknown_navigation"
  | "invalid_permission"
  | "invalid_pattern"
  | "route_collision"
  | "condition_cycle"
  | "redirect_cycle"
  | "route_not_linkable"
  | "invalid_shortcut"
  | "limit_exceeded"
  | "unknown_builtin"
  | "invalid_slug"
  | "unknown_form"
  | "unknown_feature"
  | "unknown_integration"
  | "unknown_target"
  | "invalid_target"
  | "reserved_role"
  | "duplicate_role"
  | "custom_roles_disabled"
  | "not_initialized"
  | "invalid_bundle"
  | "internal";

/** What every method throws. */
export interface PolicyError extends Error {
  code: ErrorCode;
  /** JSON pointer of the offending value, where one applies. */
  path?: string;
}
