// harmony-policy for React: a provider that holds one view of the
// policy for one context, hooks that read it, and <Can>. Every answer is
// the policy's; nothing here decides anything.
import { createContext, createElement, useContext, useMemo } from "react";

const ViewContext = createContext(null);

/** A key for a context: equal contexts (as JSON) share one view, so a
 * context object made anew on every render keeps the same view. */
function keyOf(context) {
  try {
    return JSON.stringify(context);
  } catch {
    return context;
  }
}

/**
 * Provides the view of `policy` for `context` to everything below it. The
 * view is made once per policy and context (by value), and stays the same
 * across renders until either changes.
 */
export function PolicyProvider({ policy, context, children }) {
  const key = keyOf(context);
  // The key stands for the context: equal contexts, one view.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const view = useMemo(() => policy.view(context), [policy, key]);
  return createElement(ViewContext.Provider, { value: view }, children);
}

/** The view the nearest `PolicyProvider` holds. */
export function useView() {
  const view = useContext(ViewContext);
  if (view === null) {
    const error = new Error("useView() needs a <PolicyProvider policy={...} context={...}> above it");
    error.code = "no_provider";
    throw error;
  }
  return view;
}

/** Whether the member may: `useCan("billing:read:all")`, or with a record,
 * `useCan("contacts:update", { ownerId, teamId })`. */
export function useCan(permission, record) {
  const view = useView();
  return record === undefined ? view.can(permission) : view.can(permission, record);
}

/** Renders its children only where the member may (`fallback` otherwise,
 * by default nothing). */
export function Can({ permission, record, fallback = null, children }) {
  return useCan(permission, record) ? children : fallback;
}
