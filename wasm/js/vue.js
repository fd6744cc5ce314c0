// harmony-policy for Vue: provide one view of the policy for the member's
// context (reactive: a new context gives a new view), and read it below.
// Every answer is the policy's; nothing here decides anything.
import { computed, inject, provide, toValue } from "vue";

const VIEW = Symbol("harmony-policy view");

/** Provides the view of `policy` for `context` (a value, a ref or a
 * getter) to the component's descendants; returns it as a computed ref. */
export function providePolicy(policy, context) {
  const view = computed(() => policy.view(toValue(context)));
  provide(VIEW, view);
  return view;
}

/** The provided view, as a computed ref. */
export function useView() {
  const view = inject(VIEW, null);
  if (view === null) {
    const error = new Error("useView() needs providePolicy(policy, context) in an ancestor's setup");
    error.code = "no_provider";
    throw error;
  }
  return view;
}

/** Whether the member may, as a computed ref: `useCan("billing:read:all")`
 * or `useCan("contacts:update", () => ({ ownerId }))`. */
export function useCan(permission, record) {
  const view = useView();
  return computed(() => {
    const r = toValue(record);
    return r === undefined ? view.value.can(toValue(permission)) : view.value.can(toValue(permission), r);
  });
}
