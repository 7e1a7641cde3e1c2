// Copyright 2026 the threadkit authors. MIT license.
// Functions that cross threads: the one place that checks a target, turns it
// into its wire form (module export or source text), resolves the wire form
// back into a function in another thread, and explains a ReferenceError from
// a source function that tried to capture a variable. Used by Thread (its
// target), the worker entry, Timer (its delayed target) and Barrier (its
// action, compiled synchronously in whichever thread arrives last).

import { DOWNLEVEL_HELPERS } from "./downlevel.ts";
import { loadScope, needsScope } from "./scope.ts";

/** Any function. */
// deno-lint-ignore no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;

/** A target in the form that crosses threads (structured-cloneable). */
export type WireTarget =
  | { kind: "module"; module: string; export: string }
  | { kind: "source"; source: string; name: string };

/** A module export any thread can import by URL. */
interface ModuleRef {
  readonly module: string | URL;
  readonly export: string;
}

// Read at load: a Function.prototype.call or toString a program replaced
// later is not called here.
// Its own copies: the worker bundle (thread/_worker_bundle.js) holds this
// file and leaves _core/primordials.ts out.
const fnToString = Function.prototype.toString, apply = Reflect.apply;

// Whether a function's source is a native function's ("{ [native code] }"
// at its end, whitespace around its parts), with String methods as at load.
// No RegExp: V8 compiles a regexp at its first runs (again when it tiers
// up), and a compile near the end of the stack throws a SyntaxError ("Stack
// overflow") where every other overflow is a RangeError. trimEnd trims what
// \s matches.
const S = String.prototype;
const trimEnd = S.trimEnd, endsWith = S.endsWith, strSlice = S.slice;
const trimmed = (s: string, cut: number): string =>
  apply(trimEnd, apply(strSlice, s, [0, s.length - cut]), []);
const native = (source: string): boolean => {
  const a = trimmed(source, 0);
  if (!apply(endsWith, a, ["}"])) return false;
  const b = trimmed(a, 1);
  return apply(endsWith, b, ["[native code]"]) &&
    apply(endsWith, trimmed(b, 13), ["{"]);
};

/**
 * Validates a function (sent as source) or `{ module, export }` target.
 * `what` starts the error messages ("Cannot create thread").
 * @throws {TypeError} for anything else, a bound function, a native
 * function that is not a global or a global's property, or a relative
 * module specifier.
 */
export function checkTarget<T>(
  target: unknown,
  what = "Cannot create thread",
  allowModule = true,
): T {
  if (typeof target === "function") {
    const source = apply(fnToString, target, []) as string;
    if (
      native(source) && globalPath(target as AnyFunction) === undefined
    ) {
      throw new TypeError(
        `${what}: a bound function, or a native one that is not a global or a global's property (as Math.abs, String, JSON.stringify are), cannot be sent to a thread; ${
          allowModule
            ? "wrap it in a function or use a module target"
            : "write it as a function"
        }`,
      );
    }
    return target as T;
  }
  const t = target as Partial<ModuleRef> | null;
  if (
    allowModule && typeof t === "object" && t !== null &&
    (typeof t.module === "string" || t.module instanceof URL) &&
    typeof t.export === "string"
  ) {
    const href = `${t.module}`; // (String(x) without the String global)
    if (href.startsWith("./") || href.startsWith("../")) {
      throw new TypeError(
        `${what}: module "${href}" is relative; use new URL("${href}", import.meta.url)`,
      );
    }
    return t as T;
  }
  throw new TypeError(
    allowModule
      ? `${what}: target must be a function or { module, export }`
      : `${what}: must be a function`,
  );
}

/** The display name of a target: the function's or the export's name. */
export function targetName(target: AnyFunction | ModuleRef): string {
  return typeof target === "function"
    ? target.name || "anonymous"
    : target.export;
}

/** The wire form of a checked target. */
export function wireTarget(target: AnyFunction | ModuleRef): WireTarget {
  if (typeof target !== "function") {
    return {
      kind: "module",
      module: `${target.module}`,
      export: target.export,
    };
  }
  const source = apply(fnToString, target, []) as string;
  const path = native(source) ? globalPath(target) : undefined;
  return {
    kind: "source",
    source: path === undefined ? source : globalSource(path),
    name: target.name,
  };
}

// Native functions (builtins) as targets. CPython's tests pass builtins
// (pow, str, abs) as targets throughout; here a native function has no
// source to send, but the well-known ones are reachable from globalThis in
// every thread: a global (String, parseInt, structuredClone) or a data
// property of one (Math.abs, JSON.stringify, Number.isInteger, Object.keys).
// The call finds that path in its own globalThis (cached per function) and
// the target travels as a source that resolves the path in the thread and
// calls the function with its holder as `this` (so Promise.resolve works as
// written), or fails there with a TypeError naming the path when that
// thread's globalThis has no such function. Why not refuse: a builtin is
// the same function in every thread of a runtime, and users write
// `pool.map(Math.abs, xs)` as Python users write `map(abs, xs)`. Refused at
// the call with a TypeError: a bound function (its `this` and args cannot
// travel) and a native function found on no such path (a method of a
// prototype, a getter, a host object's method): nothing names it in another
// thread.
const paths = new WeakMap<AnyFunction, readonly Path[] | null>();
type Path = readonly string[];

/**
 * The globalThis paths of a native function, best first, or undefined (see
 * above).
 */
export function globalPath(fn: AnyFunction): readonly Path[] | undefined {
  let found = paths.get(fn);
  if (found === undefined) {
    found = findPaths(fn);
    paths.set(fn, found);
  }
  return found ?? undefined;
}

// Data properties only: a getter of globalThis (Deno's, a host's) is not
// run. Globals, then their own data properties (not `prototype`). Every
// path that reaches the function is kept (at most MAX_PATHS), those whose
// last key is the function's own name first: a global the program added
// (globalThis.myMax = Math.max) is not in the pool thread, the builtin's
// own name (Math.max) is; the thread takes the first path that resolves to
// a function.
const MAX_PATHS = 4;
function findPaths(fn: AnyFunction): readonly Path[] | null {
  if (fn.name.startsWith("bound ")) return null;
  const g = globalThis as Record<string, unknown>;
  const found: Path[] = [];
  const holders: [string, object][] = [];
  for (const key of Object.getOwnPropertyNames(g)) {
    const value = Object.getOwnPropertyDescriptor(g, key)?.value;
    if (value === fn) found.push([key]);
    if (
      (typeof value === "object" && value !== null) ||
      typeof value === "function"
    ) holders.push([key, value]);
  }
  for (const [key, holder] of holders) {
    try {
      for (const name of Object.getOwnPropertyNames(holder)) {
        if (name === "prototype") continue;
        if (Object.getOwnPropertyDescriptor(holder, name)?.value === fn) {
          found.push([key, name]);
        }
      }
    } catch {
      continue; // a Proxy's trap, a revoked Proxy
    }
  }
  if (found.length === 0) return null;
  const own = (p: Path) => p[p.length - 1] === fn.name ? 0 : 1;
  return found
    .map((p, i) => [p, i] as const)
    .sort(([a, i], [b, j]) => own(a) - own(b) || i - j)
    .slice(0, MAX_PATHS)
    .map(([p]) => p);
}

// The source of a target that calls, in the thread, the function at the
// first of `candidates` that resolves to one there, with its holder as this.
function globalSource(candidates: readonly Path[]): string {
  const list = JSON.stringify(candidates);
  const label = JSON.stringify(candidates.map((p) => p.join(".")).join(", "));
  return `function (...args) { for (const [k, n] of ${list}) { const holder = n === undefined ? globalThis : globalThis[k]; const f = n === undefined ? globalThis[k] : holder?.[n]; if (typeof f === "function") return f.apply(holder, args); } throw new TypeError("Cannot run target: globalThis." + ${label} + " is not a function in this thread"); }`;
}

/**
 * The function of a source target that names none of the package's exports,
 * compiled at once (no load, no await); undefined for any other target.
 */
export function compilePlain(target: WireTarget): AnyFunction | undefined {
  return target.kind === "source" && !needsScope(target.source)
    ? compileSource(target.source, target.name, {})
    : undefined;
}

/** Resolves a wire target into a function of this thread. */
export async function resolveTarget(target: WireTarget): Promise<AnyFunction> {
  if (target.kind === "module") {
    const mod = await import(target.module);
    const fn = mod[target.export];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot run thread: module "${target.module}" has no exported function "${target.export}"`,
      );
    }
    return fn;
  }
  // The package is loaded only for a source that may name its exports.
  const scope = needsScope(target.source) ? await loadScope() : {};
  return compileSource(target.source, target.name, scope);
}

/**
 * Compiles a function's source text, synchronously, with threadkit's own
 * exports (`scope`) as free names, so `(q) => { using _ = new Lock().guard();
 * ... }` works without imports. Method shorthand (`f() {}`) is accepted too.
 * @throws {TypeError} when the source is not a function expression.
 */
export function compileSource(
  source: string,
  name: string,
  scope: Record<string, unknown>,
): AnyFunction {
  // TypeScript's `using` helpers too (for targets compiled to ES2022), first
  // so that a name in `scope` wins a clash.
  const all: Record<string, unknown> = { ...DOWNLEVEL_HELPERS, ...scope };
  // The helpers' names are identifiers; a scope's are checked (with no
  // scope, a fresh worker skips compiling the regular expression).
  const names = Object.keys(scope).length === 0
    ? Object.keys(all)
    : Object.keys(all).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const values = names.map((n) => all[n]);
  for (let i = 0; i < 2; i++) {
    // A function expression, else a method's shorthand (made only then).
    const body = i === 0
      ? `(${source})`
      : `({ ${source} })[${JSON.stringify(name)}]`;
    let factory: (...values: unknown[]) => unknown;
    try {
      factory = new Function(
        ...names,
        `"use strict"; return ${body};`,
      ) as never;
    } catch (error) {
      if (error instanceof SyntaxError) continue;
      throw error;
    }
    const fn = factory(...values);
    if (typeof fn === "function") return fn as AnyFunction;
  }
  throw new TypeError(
    `Cannot run thread: the source of target "${name}" is not a function expression`,
  );
}

/**
 * `error` itself, or for a "x is not defined" ReferenceError thrown by a
 * source function, a ReferenceError that says why (captured variable) and
 * how to fix it. `what` names the function ('Thread target "f"').
 */
export function explainMissing(error: unknown, what: string): unknown {
  if (!(error instanceof ReferenceError)) return error;
  const missing = /^(\S+) is not defined$/.exec(error.message)?.[1];
  if (missing === undefined) return error;
  return new ReferenceError(
    `${what} uses "${missing}", which is not defined in the thread: ` +
      `a function target is sent as source text and cannot capture variables from its enclosing scope. ` +
      `Pass "${missing}" in args, or export the function from a module and use { module, export }.`,
    { cause: error },
  );
}
