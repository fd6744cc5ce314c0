// Types of harmony-policy/react.
import type { ReactNode } from "react";
import type { ContextOf, Policy, RulesetIds, View, WorkspaceRecord } from "./index.js";

export interface PolicyProviderProps<R extends RulesetIds = RulesetIds> {
  policy: Policy<R>;
  /** The member's context; equal contexts (by value) share one view. */
  context: ContextOf<R>;
  children?: ReactNode;
}

/** Provides the view of `policy` for `context` to everything below it. */
export function PolicyProvider<R extends RulesetIds = RulesetIds>(props: PolicyProviderProps<R>): ReactNode;

/** The view the nearest `PolicyProvider` holds (throws `no_provider`
 * without one). */
export function useView<R extends RulesetIds = RulesetIds>(): View<R>;

/** Whether the member holds a permission (`resource:action:scope`), or may
 * do `resource:action` to a record. */
export function useCan<R extends RulesetIds = RulesetIds>(permission: R["permission"]): boolean;
export function useCan<R extends RulesetIds = RulesetIds>(permission: R["recordPermission"], record: WorkspaceRecord): boolean;

export interface CanProps<R extends RulesetIds = RulesetIds> {
  permission: R["permission"] | R["recordPermission"];
  record?: WorkspaceRecord;
  /** What to render where the member may not (default nothing). */
  fallback?: ReactNode;
  children?: ReactNode;
}

/** Renders its children only where the member may. */
export function Can<R extends RulesetIds = RulesetIds>(props: CanProps<R>): ReactNode;
