// Copyright 2026 the threadkit authors. MIT license.
// The runtime adapter: the only place that knows which runtime this is, how
// to start a worker on it, where the worker entry file is, whether this
// thread may block, how a worker ends itself, and how a timer is ref'd. No
// other file looks at `Deno`, `process`, `Bun` or `Worker`.
//
// Which worker runs a thread:
// | runtime       | daemon | worker                        | why                                  |
// |---------------|--------|-------------------------------|--------------------------------------|
// | Deno          | no     | web Worker                    | starts about 2.3x faster than the    |
// |               |        |                               | node:worker_threads one in Deno      |
// | Deno          | yes    | node:worker_threads + unref   | web workers cannot be unref'd, and   |
// |               |        | (a data: bootstrap when the   | a live web worker keeps Deno alive;  |
// |               |        | entry is not a file: URL)     | Deno's node Worker takes only file:  |
// |               |        |                               | and data: URLs                       |
// | Node, Bun     | either | node:worker_threads (unref)   | the worker these runtimes have       |
// | browsers      | either | web Worker                    | a page does not exit, so daemon      |
// |               |        |                               | changes nothing                      |
// | no Worker     |        | none: ThreadsUnavailableError | Deno Deploy, edge isolates           |
// | Deno, Node,   | either, a      | the spare (node:worker_       | started ahead by prestartThreads;    |
// | Bun           | spare ready    | threads; ref'd if not daemon) | no start on the critical path        |
//
// The entry URL is written `new Worker(new URL("../thread/_worker.ts",
// import.meta.url), { type: "module" })`, the form bundlers (Vite, webpack,
// Parcel) recognise and follow; the npm build rewrites ".ts" to ".js" in it.
// | Deno, Node    | either, with   | node:worker_threads under a   | limits are enforced per worker; the  |
// |               | resourceLimits | watcher (_core/_watch.ts)     | watcher sees an out-of-memory death  |

import type * as WorkerThreads from "node:worker_threads";
import { workerEntry } from "./entry.ts";
import { ThreadsUnavailableError } from "./errors.ts";

// Globals of the runtimes, looked at here only.
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
const host = globalThis as unknown as Host;

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
function nodeThreads(): typeof WorkerThreads | undefined {
  if (nodeWorkerThreads === undefined && RUNTIME !== "web") {
    nodeWorkerThreads = host.process?.getBuiltinModule?.(
      "node:worker_threads",
    ) as typeof WorkerThreads | undefined ?? null;
  }
  return nodeWorkerThreads ?? undefined;
}
let nodeWorkerThreads: typeof WorkerThreads | null | undefined;

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

/** The worker entry's URL, next to this file in source and in the build. */
const ENTRY: URL = new URL("../thread/_worker.ts", import.meta.url);
/** The key under which a node:worker_threads worker finds its start message. */
export const START_KEY = "threadkit.start";

/** The watcher of threads with resourceLimits (_core/_watch.ts). */
const WATCH_ENTRY: URL = new URL(
  import.meta.url.endsWith(".ts") ? "./_watch.ts" : "./_watch.js",
  import.meta.url,
);

/** The key under which the watcher finds what to start. */
export const WATCH_KEY = "threadkit.watch";

/** The key under which a spare worker finds its readiness word (see below). */
export const SPARE_KEY = "threadkit.spare";

/** Events of a started worker that the owning thread listens to. */
export interface WorkerEvents {
  /** The thread posted its outcome on its port ("done" ping). */
  done(): void;
  /**
   * The worker failed (its "error" event: an uncaught error, out of memory),
   * or exited with `code` other than 0 (then `error` is undefined).
   */
  failed(error: unknown, code?: number): void;
}

/**
 * Whether this runtime can start threads at all: Deno and browsers need the
 * web `Worker`, Node and Bun need node:worker_threads. Where it is false
 * (Deno Deploy, edge isolates) only `Thread.start()` fails.
 */
export function threadsAvailable(): boolean {
  return RUNTIME === "deno" || RUNTIME === "web"
    ? typeof host.Worker === "function"
    : nodeThreads() !== undefined;
}

/**
 * Starts a worker that runs the entry with `start` as its start message.
 * `transfer` lists the MessagePorts inside `start`; `port` is the starting
 * thread's end of the result channel (read here where the runtime cannot
 * read a port synchronously, see takeMessage).
 * @throws {ThreadsUnavailableError} where the runtime has no worker.
 * With `resourceLimits` (Deno, Node, Bun), the worker is a node:worker_threads
 * one started by a watcher (_core/_watch.ts says why), and the returned port
 * is where the watcher reports a death (read it after the result port).
 */
export function startWorker(
  start: Record<string, unknown>,
  transfer: MessagePort[],
  daemon: boolean,
  name: string,
  events: WorkerEvents,
  port?: MessagePort,
  resourceLimits?: Record<string, number>,
): MessagePort | undefined {
  if (!threadsAvailable()) throw new ThreadsUnavailableError();
  const entryOverride = workerEntry();
  if (entryOverride !== undefined) start.entryUrl = entryOverride.href;
  if (resourceLimits !== undefined && RUNTIME === "web") {
    throw new TypeError(
      "Cannot start thread: resourceLimits need node:worker_threads (Deno, Node, Bun); browsers do not enforce them per worker",
    );
  }
  const spare = entryOverride === undefined && resourceLimits === undefined
    ? takeSpare()
    : undefined;
  if (
    spare === undefined &&
    (RUNTIME === "web" ||
      (RUNTIME === "deno" && !daemon && resourceLimits === undefined))
  ) {
    // The literal form bundlers recognise (see the top of this file).
    const worker = entryOverride !== undefined
      ? new Worker(entryOverride, { type: "module", name })
      : new Worker(new URL("../thread/_worker.ts", import.meta.url), {
        type: "module",
        name,
      });
    if (RUNTIME === "web" && port !== undefined) {
      // No receiveMessageOnPort here: the outcome message itself is the
      // "done" signal, kept until the thread collects it.
      watchPort(port, events.done);
    } else worker.onmessage = () => events.done();
    worker.onerror = (e) => {
      e.preventDefault();
      events.failed(e.error ?? new Error(e.message));
    };
    worker.postMessage(start, transfer);
    return;
  }
  let report: MessagePort | undefined;
  let workerData: Record<string, unknown> = { [START_KEY]: start };
  if (resourceLimits !== undefined) {
    const channel = new MessageChannel();
    report = channel.port1;
    const watch = {
      start,
      limits: resourceLimits,
      name,
      report: channel.port2,
      entry: nodeEntry().href,
    };
    workerData = { [WATCH_KEY]: watch };
    transfer = [...transfer, channel.port2];
  }
  const worker = spare?.worker ?? new (workerThreads().Worker)(
    report === undefined ? nodeEntry() : nodeEntry(WATCH_ENTRY),
    { workerData, transferList: transfer as never[], name },
  );
  // A thread on a spare: its replacement starts once it has posted its
  // outcome or ended (see refillLater).
  const refill = spare === undefined ? undefined : refillLater();
  // The worker pings once its outcome (or its recorded death) is posted,
  // before it ends: a worker that exits before the ping, with any code,
  // died without a word (a close() or exit nothing hooked), and code 0 is
  // no proof of a normal end.
  let pinged = false;
  worker.on("message", () => {
    pinged = true;
    events.done();
    refill?.();
  });
  worker.on("error", (error) => {
    events.failed(error);
    refill?.();
  });
  worker.on("exit", (code) => {
    if (code !== 0 || !pinged) events.failed(undefined, code);
    refill?.();
  });
  if (spare !== undefined) handOver(spare, start, transfer);
  // After the listeners: on Node, adding a "message" listener refs the
  // worker's port again, which would keep the process alive.
  if (daemon) worker.unref();
  else if (spare !== undefined) worker.ref();
  return report;
}

// Spare workers: node:worker_threads workers started ahead on the entry,
// which load it (and the package) and then wait for their start message,
// so a thread start pays neither the worker's start nor the loading. A
// spare has run nothing but threadkit's own modules, so a thread still gets
// a worker of its own. Spares are unref'd (they never keep the process
// alive) and each holds one idle V8 isolate. prestartWorkers(n) keeps n
// spares; each one taken is replaced later (refillLater). Only ready spares
// are taken. Every thread may take one, daemon or not, on every runtime with
// node:worker_threads: on Deno a non-daemon thread then runs on a ref'd
// node:worker_threads worker instead of a web worker (earlier builds kept
// those on web workers, blaming Deno's message delivery; the delay was the
// replacement's construction, see refillLater).
//
// A spare sleeps in a blocking wait on its word, not in its event loop: a
// taker posts the start message on the spare's own port, then sets the word
// and notifies, and the spare reads the message synchronously
// (receiveMessageOnPort). Waking a blocked thread took about half the time
// of delivering a message to an idle node:worker_threads worker on Deno
// 2.9.6 (0.8 ms against 1.7 ms, median of 9, three runs; about 1.7 against
// 2.3 ms on Node 20). A blocked, unref'd spare does not keep the process
// alive (measured on both).
//
// Spare word: Int32Array over its own 4-byte SharedArrayBuffer.
// | slot | name  | values                                         | written by             |
// |------|-------|------------------------------------------------|------------------------|
// | 0    | STATE | 0 LOADING, 1 READY (asleep on it), 2 TAKEN     | spare 0->1, taker 1->2 |
// Why no lost wakeup: the taker posts the start message before it stores
// TAKEN and notifies; the spare sleeps only while the word is READY and
// reads its port after it sees TAKEN, so the message is there.
/** The spare's side of a spare worker (workerData[SPARE_KEY]). */
export interface SpareData {
  readonly word: Int32Array;
  readonly port: MessagePort;
}
/** Spare word states (see the table above). */
export const SPARE_READY = 1;
const SPARE_TAKEN = 2;
interface Spare {
  readonly worker: WorkerThreads.Worker;
  readonly ready: Int32Array;
  readonly port: WorkerThreads.MessagePort;
}
const spares: Spare[] = [];
let spareCount = 0;
let filling = false;

/**
 * Keeps `n` spare workers started ahead (0 stops keeping any; the spares
 * already started stay until used or the process ends).
 * @throws {RangeError} unless `n` is an integer from 0 to 64.
 */
export function prestartWorkers(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new RangeError(
      `Cannot prestart threads: n must be an integer from 0 to 64, got ${n}`,
    );
  }
  spareCount = n;
  fillSpares();
}

/** How many spare workers are ready now (started, waiting for a start). */
export function readySpares(): number {
  return spares.filter((s) => Atomics.load(s.ready, 0) === SPARE_READY)
    .length;
}

function takeSpare(): Spare | undefined {
  const i = spares.findIndex((s) => Atomics.load(s.ready, 0) === SPARE_READY);
  const spare = i < 0 ? undefined : spares.splice(i, 1)[0];
  if (spare !== undefined) spare.worker.removeAllListeners();
  return spare;
}

function handOver(
  spare: Spare,
  start: Record<string, unknown>,
  transfer: MessagePort[],
): void {
  spare.port.postMessage({ [START_KEY]: start }, transfer as never[]);
  // Why no lost wakeup: see the spare word's table (message, then TAKEN).
  Atomics.store(spare.ready, 0, SPARE_TAKEN);
  Atomics.notify(spare.ready, 0);
}

// When a taken spare is replaced. Constructing a worker is synchronous on the
// constructing thread and long on Deno 2.9.6 (20-140 ms measured for a
// node:worker_threads Worker, 15-80 ms for a web Worker, on this loaded
// machine); a replacement constructed right after the take held up the
// event loop that was to receive the thread's first result (45-170 ms to
// the first result, against 4-10 ms with the replacement left out, same
// run). So replacements are constructed only while no thread taken from a
// spare is still starting: each take counts in `starting` until its thread
// has posted its outcome or ended, or for REFILL_AFTER ms if it runs longer
// (an unref'd timer), and the last one to stop counting schedules the
// refill. The returned function is called on those events.
const REFILL_AFTER = 100;
let starting = 0;

function refillLater(): () => void {
  starting++;
  let due = true;
  const timer = setTimeout(go, REFILL_AFTER);
  refTimer(timer, false);
  function go(): void {
    if (!due) return;
    due = false;
    clearTimeout(timer);
    if (--starting > 0) return; // the last one refills
    // Not in the event's own turn: the thread's joiner runs first.
    if (!filling && spares.length < spareCount) {
      filling = true;
      setTimeout(() => {
        filling = false;
        if (starting === 0) fillSpares(); // else a newer take refills
      }, 0);
    }
  }
  return go;
}

function fillSpares(): void {
  if (nodeThreads() === undefined) return; // browsers: no node:worker_threads
  while (spares.length < spareCount) {
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    const worker = new (workerThreads().Worker)(nodeEntry(), {
      workerData: { [SPARE_KEY]: { word: ready, port: port2 } },
      transferList: [port2],
      name: "threadkit spare",
    });
    const spare: Spare = { worker, ready, port: port1 };
    const drop = () => {
      const at = spares.indexOf(spare);
      if (at >= 0) spares.splice(at, 1);
    };
    worker.once("error", drop);
    worker.once("exit", drop);
    worker.unref();
    spares.push(spare);
  }
}

// Deno's node:worker_threads Worker accepts only file: and data: URLs, so an
// entry loaded over https (the package imported from JSR, or by URL) starts
// through a one-line data: module that imports it (measured: it needs no
// read permission, only the import permission the program already has).
function nodeEntry(of?: URL): URL {
  const entry = of ?? workerEntry() ?? ENTRY;
  if (entry.protocol === "file:" || RUNTIME !== "deno") return entry;
  return new URL(
    `data:text/javascript,${
      encodeURIComponent(`import ${JSON.stringify(entry.href)};`)
    }`,
  );
}

// Messages of result ports on runtimes without receiveMessageOnPort.
const arrived = new WeakMap<MessagePort, { message: unknown }>();
const waiting = new WeakMap<MessagePort, () => void>();

function watchPort(port: MessagePort, done: () => void): void {
  port.onmessage = (event) => {
    port.onmessage = null;
    arrived.set(port, { message: event.data });
    // A pending joinAsync collects it; else the thread's "done" path does
    // (and reports an error nobody joins).
    const wake = waiting.get(port);
    if (wake !== undefined) wake();
    else done();
  };
}

/** Takes the next message from `port` without waiting, if there is one. */
export function takeMessage(
  port: MessagePort,
): { message: unknown } | undefined {
  const wt = nodeThreads();
  if (wt !== undefined) {
    return wt.receiveMessageOnPort(port as never) as
      | { message: unknown }
      | undefined;
  }
  const got = arrived.get(port);
  arrived.delete(port);
  return got;
}

/**
 * Resolves once {@linkcode takeMessage} can take the outcome off `port`, or
 * at `deadline` (performance.now() clock). Where ports are read synchronously
 * (Deno, Node, Bun) a posted outcome is there as soon as the thread's entry
 * is freed, so this resolves at once; in browsers the message is delivered
 * by the event loop, a little later.
 */
export function messageReady(
  port: MessagePort,
  deadline: number,
): Promise<void> {
  if (nodeThreads() !== undefined || arrived.has(port)) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = deadline === Infinity
      ? undefined
      : setTimeout(done, Math.max(0, deadline - performance.now()));
    function done(): void {
      clearTimeout(timer);
      waiting.delete(port);
      resolve();
    }
    waiting.set(port, done);
  });
}

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
