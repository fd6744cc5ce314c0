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

/** A place in a ruleset's text (both from 1). */
export interface Position {
  line: number;
  column: number;
}

/** One problem of a ruleset. */
export interface Problem {
  /** The library's stable error code (`unknown_product`, ...). */
  code: import("./index.js").ErrorCode;
  message: string;
  /** Where in the document, as a JSON pointer. */
  pointer?: string;
  /** Where in the text. */
  position?: Position;
  /** The name meant, when a misspelt one is close to a defined one. */
  suggestion?: string;
}

/** What validating a ruleset found. */
export interface Report {
  file: string;
  /** The ruleset's name and fingerprint, when it loads. */
  name?: string;
  fingerprint?: string;
  problems: Problem[];
}

/** An item whose answer differs between two rulesets, and for whom. */
export interface Change {
  /** `sidebar`, `palette`, `route`, `field`, `api` or `sync`. */
  kind: string;
  item: string;
  /** The answers before and after (`absent` where there is none). */
  old: string;
  new: string;
  /** The roles it changes for. */
  subjects: string[];
  /** The plans it changes for. */
  plans: string[];
  /** Products on (`true`) or off (`false`) in every context it changes for. */
  products: Record<string, boolean>;
  /** How many contexts it changes for. */
  contexts: number;
}

/** A comparison of two rulesets. */
export interface Diff {
  /** How many contexts were enumerated. */
  contexts: number;
  changes: Change[];
}

/** Every problem of a ruleset's JSON text at once, with positions. */
export function validate(text: string): Promise<Report>;
/** What changes from one ruleset (JSON text) to another, for whom. */
export function diff(before: string, after: string): Promise<Diff>;
