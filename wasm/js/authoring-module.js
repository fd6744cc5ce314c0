// The authoring module's loader and its functions: harmony-policy/authoring
// re-exports them, and `Policy.fromJson` imports this file on first use (so
// that the runtime's entry never imports the authoring entry, which imports
// it).
import initModule, * as raw from "./harmony_policy_authoring.js";
import { leftError } from "./errors.js";

let loading = null;
let ready = false;
/** Where the module comes from, if not its file next to this one. */
let source;

/** Loads the authoring module (once); `source` as the runtime's `init`
 * takes it, else its file next to this one. */
export default function init(from) {
  if (loading === null) {
    const input = from ?? (source === undefined ? undefined : { module_or_path: source() });
    loading = initModule(input).then(() => {
      ready = true;
    });
  }
  return loading;
}

/** Loads it synchronously from its bytes or a `WebAssembly.Module`. */
export function initSync(from) {
  if (!ready) {
    raw.initSync(from);
    ready = true;
    loading = Promise.resolve();
  }
}

/** Where `init()` reads the module from when given nothing: a function
 * that returns its bytes (`harmony-policy/node` reads the package's file). */
export function useSource(read) {
  source = read;
}

/** The error the last failed call of the authoring module left. */
function failure() {
  return leftError(raw.takeError());
}

/** Validates and compiles a ruleset's JSON text into a bundle; throws the
 * first problem as an `Error` with `code` and `path`. */
export async function compile(text) {
  await init();
  if (typeof text !== "string") {
    raw.wrongArgument("text");
    throw failure();
  }
  const handle = raw.policyFromJson(text);
  if (handle === 0) throw failure();
  try {
    return raw.policyToBundle(handle);
  } finally {
    raw.policyFree(handle);
  }
}

/** Every problem of a ruleset's JSON text at once, each with its code,
 * JSON pointer, line and column, and the name probably meant. */
export async function validate(text) {
  await init();
  if (typeof text !== "string") {
    raw.wrongArgument("text");
    throw failure();
  }
  return JSON.parse(raw.authoringValidate(text));
}

/** What changes from ruleset `before` to ruleset `after` (JSON texts) for
 * every role, product state and plan; rejects with the first problem of a
 * ruleset that does not load. */
export async function diff(before, after) {
  await init();
  for (const [value, name] of [[before, "before"], [after, "after"]]) {
    if (typeof value !== "string") {
      raw.wrongArgument(name);
      throw failure();
    }
  }
  const text = raw.authoringDiff(before, after);
  if (text === "") throw failure();
  return JSON.parse(text);
}
