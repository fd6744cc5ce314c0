// Runs one conformance case (tests/cases/README.md) through the JavaScript
// API of pkg/. Shared by the Node tests and the browser end-to-end tests.

const STEP_KEYS = new Set(["call", "args", "context", "pluck", "expect", "expectError", "note"]);

/** Deep equality of JSON values; object key order does not matter. */
export function jsonEqual(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
}

async function perform(Policy, ruleset, context, call, args) {
  const policy = typeof ruleset === "string" ? Policy.builtin(ruleset) : await Policy.fromJson(JSON.stringify(ruleset));
  switch (call) {
    case "load": return { name: policy.name };
    case "roundTrip": {
      const again = await Policy.fromJson(policy.toJson());
      return again.fingerprint === policy.fingerprint && again.toJson() === policy.toJson();
    }
    case "products": return policy.products();
    case "productImpact": return policy.productImpact(context, ...args);
    case "checkAccountDeletion": return policy.checkAccountDeletion(...args);
    case "checkRoleChange": return policy.checkRoleChange(...args);
    case "checkRoleDeletion": return policy.checkRoleDeletion(...args);
    case "checkInviteAcceptance": return policy.checkInviteAcceptance(...args);
    case "checkCustomRoles": return policy.checkCustomRoles(...args) ?? null;
    case "inviteStatus": return policy.inviteStatus(...args);
  }
  const view = policy.view(context);
  switch (call) {
    case "view": return null;
    case "sidebar": return view.sidebar();
    case "palette": return view.palette(...args);
    case "resolve": return view.resolve(...args);
    case "form": return view.form(...args);
    case "can": return view.can(...args);
    case "filter": return view.filter(...args);
    case "feature": return view.feature(...args);
    case "checkRequest": return view.checkRequest(...args);
    case "syncRecord": return view.syncRecord(...args);
    case "explain": return view.explain(...args);
    default: throw new Error(`unknown call ${call}`);
  }
}

/** Resolves to a description of every failing step of `testCase`. */
export async function runCase(Policy, name, testCase) {
  const failures = [];
  const ruleset = testCase.ruleset ?? "harmony";
  for (const [i, step] of testCase.steps.entries()) {
    const failure = await runStep(Policy, name, ruleset, testCase, step, i);
    if (failure !== undefined) failures.push(failure);
  }
  return failures;
}

/** A description of how step `i` failed, or nothing. */
async function runStep(Policy, name, ruleset, testCase, step, i) {
  for (const key of Object.keys(step)) if (!STEP_KEYS.has(key)) throw new Error(`${name} step ${i}: unknown key ${key}`);
  const label = `${name} step ${i} (${step.call} ${JSON.stringify(step.args ?? [])})`;
  const context = step.context ?? testCase.context;
  let value, error;
  try {
    value = await perform(Policy, ruleset, context, step.call, step.args ?? []);
  } catch (e) {
    error = e;
  }
  if ("expectError" in step) {
    if (!error) return `${label}: expected error ${JSON.stringify(step.expectError)}, got ${JSON.stringify(value)}`;
    if (!(error instanceof Error)) return `${label}: thrown value is not an Error`;
    const pathOk = !("path" in step.expectError) || step.expectError.path === error.path;
    if (error.code !== step.expectError.code || !pathOk) return `${label}: expected error ${JSON.stringify(step.expectError)}, got ${error.code} ${error.path} (${error.message})`;
    return undefined;
  }
  if (error) return `${label}: expected ${JSON.stringify(step.expect)}, got error ${error.code} ${error.path}: ${error.message}`;
  if (step.pluck && Array.isArray(value)) value = value.map((item) => (item[step.pluck] === undefined ? null : item[step.pluck]));
  if (!jsonEqual(value, step.expect)) return `${label}: expected ${JSON.stringify(step.expect)}, got ${JSON.stringify(value)}`;
  return undefined;
}
