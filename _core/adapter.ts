// Copyright 2026 the threadkit authors. MIT license.
// The runtime adapter: the only place that knows which runtime this is, how
// to start a worker on it, where the worker entry file is, whether this
// thread may block, how a worker ends itself, and how a timer is ref'd. No
// other file looks at `Deno`, `process`, `Bun` or `Worker` (but its parts:
// host.ts, whether a thread may block and timers; web_ref.ts).
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
// On the main thread (Deno, Node, Bun) a non-daemon worker is unref'd at its
// start and ref'd at the main thread's end (holdOnMain, _core/lifetime.ts);
// a spare taken by such a thread follows the same rule (it is unref'd until
// taken, so it is ref'd explicitly wherever it must hold the process).
//
// The entry URL is written `new Worker(new URL("../thread/_worker.ts",
// import.meta.url), { type: "module" })`, the form bundlers (Vite, webpack,
// Parcel) recognise and follow; the npm build rewrites ".ts" to ".js" in it.
// | Deno, Node    | either, with   | node:worker_threads under a   | limits are enforced per worker; the  |
// |               | resourceLimits | watcher (_core/_watch.ts)     | watcher sees an out-of-memory death  |

import type * as WorkerThreads from "node:worker_threads";
import { workerEntry } from "./entry.ts";
import { ThreadsUnavailableError } from "./errors.ts";
import { holdWorker, loopEmpty, mainEnded } from "./lifetime.ts";
import { currentIdent, recordStopSeen, runtime } from "./runtime.ts";
import {
  host,
  LAST_PING,
  nodeThreads,
  refTimer,
  RUNTIME,
  START_KEY,
  workerThreads,
} from "./host.ts";
import { webWorkerRef } from "./web_ref.ts";
import { roomForWorker } from "./overflow.ts";
import { B } from "./primordials_record.ts";

export {
  CAN_BLOCK,
  exitWorker,
  LAST_PING,
  refTimer,
  RUNTIME,
  START_KEY,
  workerKind,
  workerThreads,
} from "./host.ts";

import { webWorkersUnref } from "./web_ref.ts";
export { findWebRef, webWorkersUnref } from "./web_ref.ts";
import { watchPort } from "./port_messages.ts";
export { messageReady, takeMessage } from "./port_messages.ts";
import {
  handOver,
  refillLater,
  SPARE_KEY,
  spareHost,
  type StartRecord,
  takeSpare,
  type WorkerListeners,
} from "./spare.ts";
import { newBlock, type SpareData } from "./spare_block.ts";

export {
  prestartWorkers,
  readySpares,
  SPARE_KEY,
  type SpareData,
} from "./spare.ts";

// The worker entry: from the TypeScript sources (Deno, JSR) thread/_worker.ts
// bundled into one file (scripts/bundle_entry.ts says why), which the npm
// build ships for Node and Bun; elsewhere thread/_worker.js (the literal below,
// which bundlers follow; the bundle's name is no literal, so that no bundler
// takes it for an asset). URL as at load (URL_): this module may load in a
// thread after a URL polyfill of the thread's own, which must not name it.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const BUNDLE = "../thread/_worker_bundle.js";

const { URL_ } = B;
/** The worker entry's URL, next to this file in source and in the build. */
const ENTRY: URL = FROM_SOURCE || RUNTIME === "node" || RUNTIME === "bun"
  ? new URL_(BUNDLE, import.meta.url)
  : new URL_("../thread/_worker.ts", import.meta.url);

/** The default worker entry's URL (tests: naming it with setWorkerEntry). */
export function defaultEntry(): URL {
  return ENTRY;
}

/** The watcher of threads with resourceLimits (_core/_watch.ts). */
const WATCH_ENTRY: URL = new URL_(
  import.meta.url.endsWith(".ts") ? "./_watch.ts" : "./_watch.js",
  import.meta.url,
);

/** The key under which the watcher finds what to start. */
export const WATCH_KEY = "threadkit.watch";

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

/** What startWorker gives the starting thread. */
export interface Started {
  /** The thread's result port (its outcome or death arrives here). */
  readonly port: MessagePort;
  /**
   * With resourceLimits: where the watcher reports a death (read it after
   * the result port).
   */
  readonly report: MessagePort | undefined;
  /** Where a small result may come instead of the port (read it first). */
  readonly block?: Int32Array;
}

/**
 * Starts a worker that runs the entry with `start` as its start record, and
 * returns the thread's result port: a fresh channel's (its other end goes in
 * `start.port`), or a spare's own port for a thread on a spare worker (the
 * spare posts on the port it was started with; `start` then carries none).
 * The port is read here where ports are not read synchronously (takeMessage).
 * @throws {ThreadsUnavailableError} where the runtime has no worker. With
 * `limits`, a watcher starts the worker (_core/_watch.ts says why).
 */
export function startWorker(
  start: Record<string, unknown>,
  daemon: boolean,
  name: string,
  events: WorkerEvents,
  limits?: Record<string, number>,
): Started {
  if (!threadsAvailable()) throw new ThreadsUnavailableError();
  const entryOverride = workerEntry();
  if (entryOverride !== undefined) start.entryUrl = entryOverride.href;
  if (limits !== undefined && RUNTIME === "web") {
    throw new TypeError(
      "Cannot start thread: resourceLimits need node:worker_threads (Deno, Node, Bun); browsers do not enforce them per worker",
    );
  }
  // A hold past the commit needs the main thread's loop hook (an owed hold
  // runs there): hooked before anything is taken or made.
  if (!daemon && onProcessMain()) hookLoop();
  if (limits === undefined) {
    // A spare on the current entry (takeSpare stops those of another).
    const spare = takeSpare();
    if (spare !== undefined) {
      // The spare wakes first, then the hold (handOver). Only words until
      // its commit: a throw before leaves the spare ready in the list.
      handOver(
        spare,
        start as unknown as StartRecord,
        () => ({ [START_KEY]: start }),
        () => workerListeners(start, events, true),
        // A daemon's: none (a spare is unref'd until taken).
        daemon ? undefined : () => hold(spare.worker, daemon, true),
      );
      return {
        port: spare.port as unknown as MessagePort,
        report: undefined,
        block: spare.ready,
      };
    }
  }
  // Before anything exists (_core/overflow.ts: a worker or a channel made
  // near the stack's end is left half made), with what the steps after the
  // construction load on first use (node:worker_threads, whose load on
  // Deno asks for more room than this, _core/host.ts; the web Worker's ref).
  if (onProcessMain() && RUNTIME === "deno") webWorkersUnref();
  roomForWorker();
  const { port1: port, port2 } = new MessageChannel();
  start.port = port2;
  // A plain result comes back in a block, as a spare's (spare_block.ts says
  // why; not in browsers: the port's message is "done" too). A Thread's
  // MessagePort args (ports.ts) go in each transfer list.
  if (RUNTIME !== "web") start.block = newBlock();
  const send = [port2, ...(start.ports as MessagePort[] | undefined ?? [])];
  try {
    return startFresh(start, send, daemon, name, events, port, limits);
  } catch (error) {
    port.close();
    throw error;
  }
}

// startWorker without a spare: a new worker, on the fresh channel `port`.
function startFresh(
  start: Record<string, unknown>,
  transfer: MessagePort[],
  daemon: boolean,
  name: string,
  events: WorkerEvents,
  port: MessagePort,
  resourceLimits: Record<string, number> | undefined,
): Started {
  const entryOverride = workerEntry();
  if (
    RUNTIME === "web" ||
    (RUNTIME === "deno" && !daemon && resourceLimits === undefined)
  ) {
    // The literal form bundlers recognise (see the top of this file).
    const worker = entryOverride !== undefined || FROM_SOURCE
      ? new Worker(entryOverride ?? ENTRY, { type: "module", name })
      : new Worker(new URL("../thread/_worker.ts", import.meta.url), {
        type: "module",
        name,
      });
    // Deno: forgets the worker once it has ended (_core/lifetime.ts).
    let forget: (() => void) | undefined;
    try {
      if (RUNTIME === "deno") forget = holdOnMain(webWorkerRef(worker));
      if (RUNTIME === "web") {
        // No receiveMessageOnPort here: the outcome message itself is the
        // "done" signal, kept until the thread collects it.
        watchPort(port, events.done);
      } else {
        // 1: the worker entry's last message before it closes (LAST_PING).
        worker.onmessage = (e) =>
          e.data === LAST_PING ? forget?.() : events.done();
      }
      worker.onerror = (e) => {
        e.preventDefault();
        forget?.();
        events.failed(e.error ?? new Error(e.message));
      };
      worker.postMessage(start, transfer);
    } catch (error) {
      // Not started: the worker closes itself on a null first message
      // (thread/_worker.ts; terminate() does not stop it, PLATFORM.md).
      forget?.();
      worker.postMessage(null);
      throw error;
    }
    return { port, report: undefined, block: start.block as Int32Array };
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
  const worker = new (workerThreads().Worker)(
    report === undefined ? nodeEntry() : nodeEntry(WATCH_ENTRY),
    { workerData, transferList: transfer as never[], name },
  );
  const listeners = workerListeners(start, events, false);
  worker.on("message", listeners.message);
  worker.on("error", listeners.error);
  worker.on("exit", listeners.exit);
  // After the listeners: on Node, adding a "message" listener refs the
  // worker's port again, which would keep the process alive.
  hold(worker, daemon, false);
  return { port, report, block: start.block as Int32Array | undefined };
}

// The starting thread's listeners on a node:worker_threads worker (a new one
// or a taken spare, _core/spare.ts).
function workerListeners(
  start: Record<string, unknown>,
  events: WorkerEvents,
  spare: boolean,
): WorkerListeners {
  // A thread on a spare: its replacement starts once it has posted its
  // outcome or ended (see refillLater).
  const refill = spare ? refillLater() : undefined;
  // The worker pings once its outcome (or its recorded death) is posted,
  // before it ends: a worker that exits before the ping, with any code,
  // died without a word (a close() or exit nothing hooked), and code 0 is
  // no proof of a normal end.
  let pinged = false;
  return {
    message: () => {
      pinged = true;
      events.done();
      refill?.();
    },
    error: (error) => {
      events.failed(error);
      refill?.();
    },
    exit: (code) => {
      if (code !== 0 || !pinged) {
        // The worker has stopped: a stop the thread could not record itself
        // (thread/_worker.ts lists the sites) is recorded here, as a
        // failure. An "error" event alone is not taken as a stop.
        recordStopSeen(start.ident as number);
        events.failed(undefined, code);
      }
      refill?.();
    },
  };
}

// A node:worker_threads worker's hold on the process: none for a daemon.
function hold(
  worker: WorkerThreads.Worker,
  daemon: boolean,
  spare: boolean,
): void {
  if (daemon) worker.unref();
  else {
    // The main thread's: unref'd while its code runs, tracked so that it is
    // ref'd when its loop runs dry (holdOnMain). A spare is unref'd until
    // taken, where a new worker starts ref'd: it is ref'd here when it must
    // hold the process at once (another thread's, or the main thread's
    // after its end, which holdWorker takes as ref'd already).
    const forget = holdOnMain(worker);
    if (forget !== undefined) worker.on("exit", forget);
    if (spare && (forget === undefined || mainEnded())) worker.ref();
  }
}

// The main thread's non-daemon workers hold the process only from the main
// thread's end on (_core/lifetime.ts says why and how). Here: unref them
// while the main thread runs, and tell lifetime when the main thread's event
// loop has nothing left to do. Returns the function that forgets the worker,
// or undefined when it stays ref'd as it was started (not the main thread,
// or a worker that cannot be unref'd).
function holdOnMain(
  worker: { ref(): void; unref(): void } | undefined,
): (() => void) | undefined {
  if (worker === undefined || !onProcessMain()) return undefined;
  hookLoop();
  if (!mainEnded()) worker.unref();
  return holdWorker(worker);
}

// The main thread's hook on its loop running dry. Marked hooked only once
// the listener is added: a start stopped by an overflow in between hooks
// at the next one (a spare's start hooks before its commit, startWorker).
function hookLoop(): void {
  // A page has no loop end to hook (and no process): its workers live on.
  if (loopHooked || RUNTIME === "web") return;
  const g = globalThis as unknown as {
    process?: { on?(event: string, listener: () => void): void };
    addEventListener?(type: string, listener: (e: Event) => void): void;
  };
  // Deno runs "beforeunload" listeners when its loop is empty, and keeps
  // running if one calls preventDefault (measured, Deno 2.9.6: scheduling
  // work alone does not keep it); Node and Bun emit "beforeExit" and keep
  // running while the listener left something ref'd (measured, Node 20,
  // Bun 1.4).
  if (RUNTIME === "deno") {
    g.addEventListener!("beforeunload", (e) => {
      if (loopEmpty()) e.preventDefault();
    });
  } else g.process!.on!("beforeExit", () => loopEmpty());
  loopHooked = true;
}
let loopHooked = false;

// Whether this is the process's main thread: threadkit's main thread (ident
// 1) in no worker. In a worker that threadkit did not start (the program's
// own web or node:worker_threads worker) threadkit builds a runtime of its
// own, whose main thread is ident 1 too; but that worker's end is not the
// process's (no "beforeunload" there, and Deno's and Node's "beforeExit" of
// a worker is not the loop-empty signal lifetime.ts relies on), so its
// threads' workers stay ref'd from their start, as a started thread's do. A
// web worker has WorkerGlobalScope (node:worker_threads says isMainThread
// true in a Deno web worker, measured); a node:worker_threads worker has
// isMainThread false. Checked in this order: the first is free, the second
// loads node:worker_threads (which a join loads anyway).
function onProcessMain(): boolean {
  return onMain ??= currentIdent() === 1 &&
    host.WorkerGlobalScope === undefined &&
    nodeThreads()?.isMainThread !== false;
}
let onMain: boolean | undefined;

// Spare workers (_core/spare.ts): the adapter constructs them.
// A spare gets this thread's runtime block and the entry override (for the
// threads its thread starts) when it is constructed, so that its start
// record carries neither (_core/spare_block.ts). It is taken only while the
// entry it loads is still the current one (spareEntry).
spareHost(
  () => {
    if (nodeThreads() === undefined) return undefined;
    const ready = newBlock();
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    // A spare loads its entry off any start's path: the unbundled entry
    // (unless another was set), whose modules the package it preloads shares.
    const entry = nodeEntry(
      workerEntry() === undefined
        ? new URL_("../thread/_worker.ts", import.meta.url)
        : undefined,
    );
    const data: SpareData = {
      word: ready,
      port: port2 as unknown as MessagePort,
      runtime: runtime().buffer,
      entryUrl: workerEntry()?.href,
    };
    const worker = new (workerThreads().Worker)(entry, {
      workerData: { [SPARE_KEY]: data },
      transferList: [port2],
      name: "threadkit spare",
    });
    return {
      worker,
      ready,
      port: port1,
      entry: spareEntry(),
      runtime: data.runtime,
    };
  },
  spareEntry,
  (timer) => refTimer(timer, false),
);

// Which entry a spare constructed now loads, and which threads it may serve:
// the override's href (also the default entry named with setWorkerEntry: the
// same href), or the default.
function spareEntry(): string {
  return (workerEntry() ?? ENTRY).href;
}

// Deno's node:worker_threads Worker accepts only file: and data: URLs, so an
// entry loaded over https (the package imported from JSR, or by URL) starts
// through a one-line data: module that imports it (measured: it needs no
// read permission, only the import permission the program already has).
function nodeEntry(of?: URL): URL {
  const entry = of ?? workerEntry() ?? ENTRY;
  if (entry.protocol === "file:" || RUNTIME !== "deno") return entry;
  return new URL_(
    `data:text/javascript,${
      encodeURIComponent(`import ${JSON.stringify(entry.href)};`)
    }`,
  );
}
