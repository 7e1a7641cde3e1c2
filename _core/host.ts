// Copyright 2026 the threadkit authors. MIT license.
// Part of the runtime adapter (_core/adapter.ts re-exports it): which
// runtime this is, node:worker_threads, what kind of worker this is and how
// it ends, whether a thread may block, and how a timer is ref'd. Apart from
// the adapter so that the worker entry (thread/_worker.ts) loads this file
// alone, not the adapter's starting of workers (and the lifetime, spare and
// web-worker-ref modules behind it): each module of a worker's static graph
// costs its start (Deno 2.9.6 loads, transpile-checks and compiles each).

import type * as WorkerThreads from "node:worker_threads";
import { ThreadsUnavailableError } from "./errors.ts";
import { B } from "./primordials_record.ts";

// Globals of the runtimes, looked at here and in adapter.ts only.
interface Host {
  Deno?: {
    version?: { deno?: string };
    refTimer?(id: number): void;
    unrefTimer?(id: number): void;
  };
  Bun?: unknown;
  process?: {
    getBuiltinModule?(id: string): unknown;
    exit?(code: number): never;
  };
  Worker?: typeof Worker;
  WorkerGlobalScope?: unknown;
}
/** The runtimes' globals. */
export const host = globalThis as unknown as Host;

/** Which runtime this is (Deno, Node, Bun, or a browser/other web runtime). */
export const RUNTIME: "deno" | "node" | "bun" | "web" =
  typeof host.Deno?.version?.deno === "string"
    ? "deno"
    : host.Bun !== undefined
    ? "bun"
    : typeof host.process?.getBuiltinModule === "function"
    ? "node"
    : "web";

/**
 * node:worker_threads, loaded on first use, or undefined where the runtime
 * has none (browsers, Node < 20.16). A static import costs a Deno web worker
 * 4-6 ms of start time (measured), and a thread that never starts or joins
 * threads needs none of it. process.getBuiltinModule is synchronous, so a
 * blocking join can still use receiveMessageOnPort (Deno 2, Node >= 20.16).
 */
export function nodeThreads(): typeof WorkerThreads | undefined {
  if (nodeWorkerThreads === undefined && RUNTIME !== "web") {
    // Deno's first load of a Node module near the end of the stack breaks it
    // for good (see LOAD_ROOM): without room, a RangeError and nothing
    // loaded, as the overflow it stands for; a later call with room loads.
    roomToLoad("node:worker_threads");
    nodeWorkerThreads = host.process?.getBuiltinModule?.(
      "node:worker_threads",
    ) as typeof WorkerThreads | undefined ?? null;
  }
  return nodeWorkerThreads ?? undefined;
}
let nodeWorkerThreads: typeof WorkerThreads | null | undefined;

/**
 * Whether `value` is a Proxy. The language cannot tell one from its target;
 * the hosts can (node:util types.isProxy: Deno 2, Node >= 20.16, Bun), which
 * makes structured clone refuse one (DataCloneError). Where the host cannot
 * tell (browsers), false: a Proxy is then read through its traps, once.
 */
export function isProxy(value: object): boolean {
  if (proxyTest === undefined) {
    const t = utilTypes();
    if (slotTests === undefined) return false; // not loaded yet (LOAD_ROOM)
    proxyTest = t?.isProxy ?? (() => false);
  }
  return proxyTest(value);
}
let proxyTest: ((value: unknown) => boolean) | undefined;

/** node:util's `types`: checks of internal slots, which run no user code. */
export interface SlotTests {
  isProxy(v: unknown): boolean;
  isMap(v: unknown): boolean;
  isSet(v: unknown): boolean;
  isDate(v: unknown): boolean;
  isRegExp(v: unknown): boolean;
  isNativeError(v: unknown): boolean;
  isBoxedPrimitive(v: unknown): boolean;
  isSymbolObject(v: unknown): boolean;
  isAnyArrayBuffer(v: unknown): boolean;
  isArrayBuffer(v: unknown): boolean;
  isSharedArrayBuffer(v: unknown): boolean;
  isPromise(v: unknown): boolean;
  isWeakMap(v: unknown): boolean;
  isWeakSet(v: unknown): boolean;
  isGeneratorObject(v: unknown): boolean;
  isArgumentsObject(v: unknown): boolean;
  /** Not required of a host (_core/primordials.ts isNamespace). */
  isModuleNamespaceObject?(v: unknown): boolean;
}

/**
 * node:util's `types` (Deno 2, Node >= 20.16, Bun: process.getBuiltinModule),
 * or undefined where the host has none (browsers). Each test reads the
 * value's internal slots (V8's and JSC's own checks): no getter, trap or
 * Symbol.toStringTag runs. Read when this module loads on Node and Bun, so
 * that a program that replaces them afterwards does not have its own
 * called; on Deno at first use: there the first getBuiltinModule starts
 * Deno's Node layer, 7-15 ms (measured, Deno 2.9.6, a fresh worker 11.5 ms),
 * which every thread's start would pay (README, Threads).
 *
 * Taken from the record of load-time built-ins where it has them
 * (_core/primordials_record.ts slotTypes: Node and Bun as the realm's
 * record is made, before any code of a thread's own; Deno once
 * {@linkcode loadSlotTests} has loaded them, which the worker entry awaits
 * before it decodes the args or encodes the result or the error): every
 * copy of this module in a thread, the package's loading after the
 * thread's code too, takes the same, and no code of a program's can put
 * others there.
 */
export function utilTypes(): SlotTests | undefined {
  if (slotTests === undefined) {
    const had = slotTypes.get() as Partial<SlotTests> | undefined;
    if (had !== undefined) return (slotTests = allTests(had)) ?? undefined;
    if (RUNTIME === "deno" && !room(LOAD_ROOM)) return undefined; // LOAD_ROOM
    const t = RUNTIME === "web" ? undefined : host.process
      ?.getBuiltinModule?.("node:util/types") as
        | Partial<SlotTests>
        | undefined;
    slotTests = allTests(t);
  }
  return slotTests ?? undefined;
}
const { slotTypes } = B;
let slotTests: SlotTests | null | undefined;

/** `t`'s tests if it has all of them (an old host lacking one: null). */
function allTests(t: Partial<SlotTests> | undefined): SlotTests | null {
  let all = t !== undefined;
  for (let i = 0; all && i < NAMES.length; i++) {
    all = typeof t![NAMES[i]] === "function";
  }
  return all ? { ...t } as SlotTests : null;
}

/**
 * On Deno, loads node:util's `types` into the record of load-time
 * built-ins (slotTypes.load: by import(), which no program code can
 * redirect) for {@linkcode utilTypes}, unless this copy or the record has
 * them: resolves once they are there, never rejects. In a thread, the
 * worker entry awaits it before it decodes the args or encodes the result
 * or the error, so that a process.getBuiltinModule the thread's own code
 * replaced is never asked. Not the first getBuiltinModule's Node layer:
 * 0.8 ms in a fresh web worker where that took 11-190 ms (Deno 2.9.6,
 * loaded machine). Elsewhere, and once they are there, undefined.
 */
export function loadSlotTests(): Promise<void> | undefined {
  if (RUNTIME !== "deno" || slotTests !== undefined) return undefined;
  return slotTypes.get() !== undefined ? undefined : slotTypes.load();
}

// Deno's first getBuiltinModule starts its Node layer, loading its modules
// one inside another: a stack overflow among them (a first put made near
// the end of the stack) leaves a module half evaluated for good, and every
// later load throws (ReferenceError: default is not defined). So on Deno
// utilTypes loads only with room for it: room(LOAD_ROOM) recurses LOAD_ROOM
// frames first. Where they do not fit, nothing is loaded and nothing cached:
// this call is answered by the fallbacks (the browsers' tests, as where a
// host has none; isProxy false: a Proxy read through its traps), and a later
// call with room loads. Measured (Deno 2.9.6, the main thread, whose stack
// holds about 18,000 of these frames): 1,100 frames of room broke the load,
// 1,200 were enough (tests/_core/stack_end_load_test.ts); 2,000 leave a
// margin and keep a small stack (--stack-size=150: about 2,700) loading.
const LOAD_ROOM = 2_000;

/**
 * Throws the overflow's RangeError unless a first load of the host's own
 * code fits on the stack (Deno: LOAD_ROOM frames; nothing is loaded then,
 * a later call with room loads). Deno loads parts of its runtime lazily
 * (node modules, some globals' scripts: reading `CompressionStream` first
 * runs one), and such a load near the stack's end breaks the module for
 * good, throws a string instead of an error, or ends the process.
 */
export function roomToLoad(what: string): void {
  if (RUNTIME === "deno" && !room(LOAD_ROOM)) {
    throw new RangeError(`Cannot load ${what}: too near the end of the stack`);
  }
}

/** Whether `n` more frames fit on the stack (false: a stack overflow). */
function room(n: number): boolean {
  if (probes.full) return false; // this start found none (probes, below)
  try {
    return deeper(n) === n;
  } catch {
    if (probes.starting > 0) probes.full = true;
    return false;
  }
}

function deeper(n: number): number {
  return n === 0 ? 0 : deeper(n - 1) + 1;
}
const NAMES: (keyof SlotTests)[] = [
  "isProxy",
  "isMap",
  "isSet",
  "isDate",
  "isRegExp",
  "isNativeError",
  "isBoxedPrimitive",
  "isSymbolObject",
  "isAnyArrayBuffer",
  "isArrayBuffer",
  "isSharedArrayBuffer",
  "isPromise",
  "isWeakMap",
  "isWeakSet",
  "isGeneratorObject",
  "isArgumentsObject",
];

/**
 * node:worker_threads, for the worker entry of a node:worker_threads worker
 * (where it always exists).
 * @throws {ThreadsUnavailableError} where the runtime has none.
 */
export function workerThreads(): typeof WorkerThreads {
  const wt = nodeThreads();
  if (wt === undefined) throw new ThreadsUnavailableError();
  return wt;
}

/**
 * What a web worker's entry posts last, just before it closes (its other
 * messages to the starter are 0, "done").
 */
export const LAST_PING = 1;
/** The key under which a node:worker_threads worker finds its start message. */
export const START_KEY = "threadkit.start";

/** Which kind of worker the calling worker is ("web" or "node"). */
export function workerKind(): "web" | "node" {
  // A web worker has WorkerGlobalScope; a node:worker_threads worker has not.
  return "WorkerGlobalScope" in globalThis ? "web" : "node";
}

/** Ends the calling worker once its work is done. */
export function exitWorker(kind: "web" | "node"): void {
  if (kind === "node") host.process!.exit!(0);
  else (globalThis as unknown as { close(): void }).close();
}

/**
 * Whether this thread may block in Atomics.wait: false on a browser page's
 * main thread (detected once, by trying a wait that returns at once).
 */
export const CAN_BLOCK: boolean = (() => {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Refs (`on`) or unrefs a long-lived interval, so it keeps the process alive
 * only while needed. Returns false where timers cannot be unref'd (browsers:
 * nothing keeps a page alive anyway), and the caller clears the timer.
 */
export function refTimer(
  timer: ReturnType<typeof setInterval>,
  on: boolean,
): boolean {
  // Node and Bun: a Timeout object with ref()/unref().
  const t = timer as unknown as { ref?(): void; unref?(): void };
  if (typeof t?.ref === "function") {
    if (on) t.ref();
    else t.unref!();
    return true;
  }
  // Deno: a numeric id and Deno.refTimer/unrefTimer.
  const deno = host.Deno;
  if (typeof deno?.refTimer === "function") {
    if (on) deno.refTimer(timer as unknown as number);
    else deno.unrefTimer!(timer as unknown as number);
    return true;
  }
  return false;
}

// The package's root (mod.ts's folder): this file is one folder below it, as
// is the bundled worker entry (thread/_worker_bundle.js) that has a copy of
// it, so both name the same root; another copy of the package (another
// version, an npm and a JSR copy) names its own. Cut from the module's URL
// as text, which is what new URL("..", import.meta.url).href gives for a
// module's URL (absolute and normalised): that URL took 0.06 ms of every
// thread's start on Deno 2.9.6 (first use of the URL parser in a worker).
const { apply, strIndexOf: indexOf, strLastIndexOf: lastIndexOf } = B;
const { strSlice: slice, symbolFor } = B;

const PACKAGE_ROOT = folderAbove(import.meta.url);

/** The URL of the folder above `url`'s folder ("file:///p/_core/x.ts": "file:///p/"). */
export function folderAbove(url: string): string {
  // String methods as at load (_core/primordials_record.ts): the package's
  // copy of this module may load after a thread's own code replaced them.
  let end = url.length;
  const q: number = apply(indexOf, url, ["?"]);
  const h: number = apply(indexOf, url, ["#"]);
  if (q >= 0 && q < end) end = q;
  if (h >= 0 && h < end) end = h;
  const file: number = apply(lastIndexOf, url, ["/", end - 1]);
  return apply(slice, url, [0, apply(lastIndexOf, url, ["/", file - 1]) + 1]);
}

/**
 * `new URL(spec, base)` made with the URL constructor and its href getter
 * as at load (_core/primordials_record.ts), as an object whose href is its
 * own data property. The modules that import lazily take it under the name
 * URL, so that their lazy imports (in the one form the npm build turns into
 * a literal and the import checks read, a new URL of a relative path and
 * import.meta.url) name threadkit's own modules even when a thread's code
 * replaced URL, or URL.prototype's href, before the import runs: a
 * thread's module target runs before the entry loads the codec.
 */
export const LoadTimeURL = function (spec: string, base: string) {
  return { href: apply(urlHref!, new URL_(spec, base), []) as string };
} as unknown as new (spec: string, base: string) => { readonly href: string };
const { URL_, urlHref } = B;

/**
 * This thread's one instance of a module's state for this copy of the
 * package, made by `make` on first use. The bundled worker entry runs a
 * second copy of the modules it bundles in every thread that loads the
 * package (scripts/bundle_entry.ts): the state lives on the global under a
 * key of the state's name and the package's root, so the bundle's copy and
 * the package's share it, and another copy of the package keeps its own.
 */
export function threadState<T>(name: string, make: () => T): T {
  // Symbol.for as at load: the package's copy of this module may load after
  // a thread's own code replaced it, and must name the bundle's keys.
  const key = symbolFor(`threadkit.${name} ${PACKAGE_ROOT}`);
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  return g[key] ??= make();
}

/**
 * One probe a start. A Thread start near the stack's end that finds no room
 * for a load is refused (or takes the fallbacks), and a first start makes
 * many lookups (node:worker_threads, the platform classes, node:util's type
 * tests, one per value it encodes): each probed again, each a recursion of
 * LOAD_ROOM frames that overflows, about 70 a refused start on Deno, 20-90
 * ms. So while a start runs (`starting` > 0: thread/_start.ts counts it,
 * and sets `full` back to false when the last ends), the first probe that
 * finds no room answers every later one of that start with no room. A later
 * probe may come from a shallower frame that would have found room: it gets
 * the answer a deeper one got, the fallbacks or the refusal, as if it were
 * made there; a start refused is refused whole (thread/_start.ts gives back
 * what it took). Plain property reads and stores: none can overflow, in the
 * catch in room() or the start's finally. Outside a start every call
 * probes. One per thread (threadState): the bundle's copy of this module
 * and the package's share it.
 */
export const probes: { starting: number; full: boolean } = threadState(
  "probes",
  () => ({ starting: 0, full: false }),
);

/**
 * The current thread's result port (thread/_worker.ts records it at the
 * start): a channel whose other end the starting thread holds. The thread
 * posts its outcome on it at its end; before that, the starter may post to
 * it (an executor's home posts the shared buffers its tasks name to its
 * pool threads, pool/_shared.ts), and the thread reads those synchronously
 * (takeMessage, _core/adapter.ts). Undefined in the main thread.
 */
export const resultPort: { port?: MessagePort } = threadState(
  "resultPort",
  () => ({}),
);

// Node and Bun: at load (node:util/types is already there: 0.05-0.12 ms).
if (RUNTIME === "node" || RUNTIME === "bun") isProxy(host);
