// Types of harmony-policy/vue.
import type { ComputedRef, MaybeRefOrGetter } from "vue";
import type { ContextOf, Policy, RulesetIds, View, WorkspaceRecord } from "./index.js";

/** Provides the view of `policy` for `context` to the component's
 * descendants; returns it as a computed ref. */
export function providePolicy<R extends RulesetIds = RulesetIds>(
  policy: Policy<R>,
  context: MaybeRefOrGetter<ContextOf<R>>,
): ComputedRef<View<R>>;

/** The provided view (throws `no_provider` without one). */
export function useView<R extends RulesetIds = RulesetIds>(): ComputedRef<View<R>>;

/** Whether the member may, as a computed ref. */
export function useCan<R extends RulesetIds = RulesetIds>(permission: MaybeRefOrGetter<R["permission"]>): ComputedRef<boolean>;
export function useCan<R extends RulesetIds = RulesetIds>(
  permission: MaybeRefOrGetter<R["recordPermission"]>,
  record: MaybeRefOrGetter<WorkspaceRecord>,
): ComputedRef<boolean>;
