// Types of harmony-policy/authoring.
import type { Policy, RulesetIds } from "./index.js";
import type { InitInput } from "./harmony_policy_authoring.js";

/** Loads the authoring module once (by default its file next to this one);
 * `compile` and `fromJson` call it themselves. */
export default function init(source?: { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;
/** Loads the authoring module synchronously from its bytes or module. */
export function initSync(source: { module: BufferSource | WebAssembly.Module }): void;
/** Where `init()` reads the module from when given nothing. */
export function useSource(read: () => BufferSource): void;
/** Validates and compiles a ruleset's JSON text into a bundle (which
 * `Policy.fromBundle` reads); rejects with a `PolicyError` for the first
 * problem. */
export function compile(text: string): Promise<Uint8Array>;
/** Loads and validates a ruleset from JSON text (the runtime must be
 * initialized); `Policy.fromJson` is this. */
export function fromJson<R extends RulesetIds = RulesetIds>(text: string): Promise<Policy<R>>;
