// Copyright 2026 the threadkit authors. MIT license.
// The worker entry: every threadkit thread starts here (_core/adapter.ts
// knows its URL). It adopts the runtime block before any user code runs,
// resolves and runs the target, posts the outcome on the result port, frees
// its thread table entry (which wakes joiners), pings the starting thread,
// waits for the non-daemon threads it started itself, and then ends.
//
// A thread can also end without its target returning or throwing: it calls
// Deno.exit()/process.exit(), closes its worker (self.close()), or an
// uncaught error or rejection outside the target kills the worker. Such a
// death is recorded here, by the dying thread itself, synchronously, before
// the worker goes (measured on Deno 2.9.6 and Node 20, see PLATFORM.md): it
// posts a "died" outcome on the result port (which the starting thread
// receives even though the worker is gone), adds itself to the stop ring
// (first, see below) and frees its table entry (which wakes blocking joiners and lets waiters on
// what it held see the death), then pings the starter. Hooks:
// | runtime, worker          | exit, process.exit      | self.close   | uncaught error, rejection               |
// |--------------------------|-------------------------|--------------|-----------------------------------------|
// | Deno web worker          | Deno.exit wrapped (Deno's process.exit calls it) | close wrapped | "error"/"unhandledrejection" listeners, kept last |
// | node:worker_threads, Node | process "exit" event (synchronous) | none there | "uncaughtExceptionMonitor", then "exit" |
// | node:worker_threads, Deno | Deno.exit wrapped      | close wrapped | as on Node                             |
// Running out of memory leaves the worker no chance to run anything: the
// starting thread learns it from the worker's "error" event
// (_core/adapter.ts, thread/thread.ts). Deaths after the target ended (the
// worker waiting for threads it started) are left to the starter, which
// reports them through the excepthook.
//
// Ended is not stopped. The table entry says "ended" (isAlive, join); the
// stop ring (_core/runtime.ts) says "runs no more JavaScript", and only a
// stop lets a lock waiter take a dead holder's lock over (sync/_holder.ts).
// The entry is freed when the target ends, while the event loop still runs
// leftover async work and waits for the thread's own threads; and a dying
// thread frees its threads' entries (endOrphans) although the runtime stops
// them only at their next event-loop turn, and Deno >= 2.8.3 may never stop
// them (PLATFORM.md): those are presumed ends, never stops. A stop is
// recorded (recordStop) only at these sites, each either after the thread's
// JS has stopped or just before a call that stops it with none of the
// thread's JS in between:
// | site                                   | what follows the record                       |
// |----------------------------------------|-----------------------------------------------|
// | died(), from the Deno.exit wrapper     | Deno.exit: no statement after it, no pending   |
// |                                        | timer or microtask runs (measured, Deno 2.9.6, |
// |                                        | web and node:worker_threads workers)           |
// | died(), from the close wrapper or the  | close(): the same, measured on Deno 2.9.6. A   |
// | error/unhandledrejection listeners     | browser finishes the current task after        |
// |                                        | close() (HTML spec): there the rest of the     |
// |                                        | task may still run (README states it)          |
// | died(), from process "exit"            | the thread's own later "exit" listeners, then  |
// |                                        | nothing (measured, Node 20 and Deno 2.9.6)      |
// | run(), just before exitWorker          | close() / process.exit(0), as above            |
// | the starter, on a node:worker_threads  | the worker has stopped (the event comes after  |
// |   worker's "exit" with code != 0       | its thread ended); _core/adapter.ts            |
// | _core/_watch.ts, on the worker's exit  | the worker has stopped                         |
// A web worker's "error" event in its starter is not taken as a stop (the
// thread's own listeners record an uncaught error first). A stopped thread
// is named in the ring at most twice (its hook and its starter); a thread
// its starter presumed ended but that runs on records its own stop later,
// when it really stops. One that the runtime stops with its starter records
// nothing: a lock it held is never taken over (README "When threads fail").

import {
  exitWorker,
  LAST_PING,
  LoadTimeURL as URL, // (as at load: the lazy imports name our own modules)
  refTimer,
  resultPort,
  RUNTIME,
  START_KEY,
  workerKind,
  workerThreads,
} from "../_core/host.ts";
import { writeStdioDirectly } from "./_stdio.ts";
// Not the adapter: the entry loads only what a thread's start needs.
import {
  SPARE_KEY,
  type SpareData,
  stopKeptSpares,
  writeResult,
} from "../_core/spare_block.ts";
import { runStopHooks } from "../_core/at_stop.ts";
import { setWorkerEntry } from "../_core/entry.ts";
import {
  adoptRuntime,
  endEntry,
  endIdent,
  recordStop,
} from "../_core/runtime.ts";
// Imports only host.ts at run time: no cost on the start-up path.
import { awaitOwnedThreads, owned } from "./_handles.ts";
import type * as OutcomeModule from "../_core/outcome.ts";
import type { Died } from "./_death.ts";
import type * as SpareModule from "./_spare.ts";
import {
  type AnyFunction,
  compilePlain,
  resolveTarget,
} from "../_core/target.ts";
import { call, claims, finalName, post, type Start } from "./_call.ts";
import { loadScope } from "../_core/scope.ts";

// Module targets of threadkit itself, by internal specifier (thread/timer.ts
// names the first, pool/_pool.ts the second: the one import of a layer
// above, see ALLOWED_DYNAMIC). Every dynamic import here names its module by
// URL: Deno loads every module a literal dynamic import names, transitively,
// when a worker starts (Deno 2.9.6: _core/scope.ts's alone made a start about
// 1.2x slower). The npm build turns each back into a literal for bundlers.
const INTERNAL: Record<string, () => Promise<unknown>> = {
  "threadkit:timer": () =>
    import(new URL("./_timer_target.ts", import.meta.url).href),
  "threadkit:pool": () =>
    import(new URL("../pool/_thread.ts", import.meta.url).href),
};

interface WebWorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: string, listener: (e: Event) => void): void;
  removeEventListener(type: string, listener: (e: Event) => void): void;
}

const scope = globalThis as unknown as WebWorkerScope;
// A web worker (Deno non-daemon, browsers) or a node:worker_threads one
const kind = workerKind(); // (Deno daemon, Node, Bun): loads node modules

// The thread this worker runs, once read (the death hooks act for it):
let current: Start | undefined;
let died: // the hooks' death report, once installed (see watchDeath)
  | ((reason: Died["died"]["reason"], code?: number, e?: unknown) => void)
  | undefined;
// process.exit unwrapped (the hooks wrap it; node:worker_threads workers).
let processExit: ((code?: number) => never) | undefined;
// Whether the thread's end is recorded (outcome posted or death recorded).
let ended = false;
// Whether its stop is recorded (also by a death after the target's end).
let stopped = false;
let pinged = false; // whether the web worker's last message is posted
// The error codec, once loaded (a death may come before it is), and whether
// its load has begun (see loadCodec).
let codec: typeof OutcomeModule | undefined;
let codecLoading = false;

if (kind === "node") {
  if (RUNTIME === "node" || RUNTIME === "bun") writeStdioDirectly(); // first
  const { workerData } = workerThreads();
  const data = workerData as Record<string, unknown>;
  const spare = data[SPARE_KEY] as SpareData | undefined;
  if (spare === undefined) run(data[START_KEY] as Start, "node");
  else {
    // A spare (_core/spare.ts): its side, loaded only in spares.
    (import(new URL("./_spare.ts", import.meta.url).href) as Promise<
      typeof SpareModule
    >).then((m) => m.serveAsSpare(spare, { run, watchDeath }));
  }
} else {
  // A web worker gets its start message as its first message; null when
  // its start failed after the worker was made (_core/adapter.ts): it
  // closes itself, as nothing else stops it.
  scope.onmessage = (event) => {
    scope.onmessage = null;
    if (event.data === null) scope.close();
    else run(event.data as Start, "web");
  };
}

// Start-up cost matters (thread start is benchmarked against a raw worker),
// so the critical path from start message to posted outcome loads only this
// file, _core/runtime, _core/host, _core/spare_block and _core/target. The package
// (every primitive, so every transfer tag) is loaded when the args carry
// primitives or a source target needs threadkit's names in scope; the rest
// loads after the outcome is posted, or on the error path.

async function run(
  start: Start | undefined,
  kind: "node" | "web",
): Promise<void> {
  // None: a spare's warm-up, which only makes V8 compile this function
  // (it compiles a function on its first call; 0.1-0.2 ms here).
  if (start === undefined) return;
  adoptRuntime(start.runtime, start.ident, start.entry);
  if (start.entryUrl !== undefined) setWorkerEntry(start.entryUrl);
  current = start;
  resultPort.port = start.port; // its starter may post to it (host.ts)
  watchDeath(kind);
  let outcome: OutcomeModule.Outcome;
  try {
    // A source target that may name the package's exports loads it in
    // resolveTarget; others compile at once. Args with primitives need the
    // package (every tag) first, unless the target is threadkit's own and
    // its module registered their tags (a Timer's word: claim.ts tagsKnown).
    // The codec loads before the first step that may wait (loadCodec).
    const wire = start.target;
    const mod = wire.kind === "module" ? INTERNAL[wire.module] : undefined;
    if (mod !== undefined || start.claim !== undefined) loadCodec();
    const own = mod && (await mod() as Record<string, AnyFunction>)[
      (wire as { export: string }).export
    ];
    const c = start.claim !== undefined ? await claims() : undefined;
    if (c !== undefined && !(own && c.tagsKnown(start.args))) await loadScope();
    let target = own ?? compilePlain(wire);
    if (target === undefined) {
      // After the target's own import: loaded alongside it, the codec's
      // modules held the target's import up (loadCodec).
      target = await resolveTarget(wire);
      loadCodec();
    }
    const args = c?.decodeClaimed(start.claim!, start.args) ?? start.args;
    outcome = {
      ok: true,
      value: await call(target, args as unknown[], wire, loadCodec),
    };
  } catch (error) {
    outcome = { ok: false, error: error };
    // Args never decoded (the target failed to load) give their references
    // back (a no-op once decodeClaimed took them; they leak if claim.ts
    // cannot load).
    const claim = start.claim;
    if (claim !== undefined) {
      await claims().then((c) => c.giveUpClaim(claim, start.args), () => {});
    }
  }
  if (ended) return; // died meanwhile (an exit in a callback, say)
  // Result and final name: the block, else the port (spare_block.ts, _call.ts).
  if (
    !outcome.ok || start.block === undefined ||
    !writeResult(start.block, outcome.value, finalName(start))
  ) {
    const posting = post(start.port, outcome, start);
    if (posting !== undefined) await posting;
  }
  ended = true;
  // Why no lost wakeup for joiners: see endEntry (write, then notify).
  endEntry(start.entry, start.ident);
  ping(kind);
  // Two timer turns, so that the microtasks the target left run (and the
  // threads they start are waited for), and a rejection they or its 0-ms
  // timers left unhandled kills the worker, which its starter reports (after
  // the outcome: thread.ts #failed). One is not enough on Deno: it looks for
  // unhandled rejections once per event-loop iteration, after the tick that
  // runs due timers; microtasks run after a module's evaluation or import
  // (a node worker's run(), a spare's) are seen only next iteration, whose
  // tick ran our due timer and exit first (tests/thread/late_rejection_test.ts
  // lost it every run); one set from a tick fires after that look (README).
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setTimeout(resolve, 0));
  // Python threads outlive the thread that started them: stay until the
  // non-daemon threads started here have ended.
  await awaitOwnedThreads();
  endOrphans(false);
  start.port.close();
  // Stopped from here: exitWorker runs no more of this thread's JS (see the
  // table above). Leftover async work ran until now, unrecorded.
  stop(start.ident, !outcome.ok);
  stopKeptSpares(); // on Deno they would outlive this worker
  lastPing(kind);
  exitWorker(kind);
}

// A web worker has no "exit" event: its last message tells the starter that
// it is ending, so that the starter forgets it (_core/lifetime.ts). Posted
// once, whichever way the worker ends (after the done ping, when there is
// one: same channel, in order).
function lastPing(kind: "node" | "web"): void {
  if (kind !== "web" || pinged) return;
  pinged = true;
  scope.postMessage(LAST_PING);
}

function stop(ident: number, failed: boolean): void {
  if (stopped) return;
  stopped = true;
  runStopHooks(); // what names this thread, given back (_core/at_stop.ts)
  recordStop(ident, failed);
}

// The runtime tears down the workers this worker started when it goes, and
// they record nothing then: end the entries of those still alive (daemons
// after a normal end, any after a death). Ends, not stops: they may still run
// (see "Ended is not stopped" above), so a lock they hold is never taken over
// on this record. endIdent frees each at most once (compareExchange on the
// ident), and wakes their joiners. Threads that they started in turn are not
// known here (a stated gap, README "When threads fail").
function endOrphans(all: boolean): void {
  for (const [ident, handle] of owned) {
    if (all || handle.daemon) endIdent(ident);
  }
}

function ping(kind: "node" | "web"): void {
  if (kind === "node") workerThreads().parentPort!.postMessage(0);
  else scope.postMessage(0);
}

// Installs the death hooks (see the table at the top), once, and for a
// limited thread on Deno the heap-limit watch. The worker's own end
// (exitWorker) comes after its outcome is posted: the hooks see `ended`. A
// spare installs its hooks before it sleeps, off the start path; they act
// only once `current` names the thread handed over (a spare dies before
// that as a worker of threadkit's own: its taker never saw it).
function watchDeath(kind: "node" | "web"): void {
  if (died === undefined) installHooks(kind);
  if (current?.limited && kind === "node" && "Deno" in globalThis) {
    watchHeapLimit(() => {
      died!("out-of-memory");
      processExit!(1);
    });
  }
}

// Starts loading the error codec, which a death by an uncaught error or
// rejection encodes its error with (its class name and own properties;
// without it the error goes as it is). Such a death is an event, so it can
// come only at a task boundary: never while the start runs synchronously,
// nor in the chain of microtasks from a target that returned a primitive to
// its posted outcome (after which the hooks send no error). So the codec
// starts loading at the first step that may wait (run(): a module, the
// claim, the package, a target's promise or object result), not with the
// hooks: the import() call alone took 0.4-3.5 ms of a cold start, at once
// (Deno 2.9.6, load 8-10), and a plain source target returning a number never
// needs it. For a module target it starts once the module has loaded: loaded
// alongside, it delayed the target's call by a third (same process, Deno
// 2.9.6, load 7-10: 0.60-0.67x the time from start() to the call without
// it). The cost: a death by an error that the module's own top-level code
// raised later (a timer, a rejection), while the module still loads, is
// reported with the error as structured clone carries it (message and stack;
// its class name lost), as any death before the codec has loaded always was.
// A spare loads the codec before it sleeps (installHooks).
function loadCodec(): void {
  if (codecLoading) return;
  codecLoading = true;
  (import(new URL("../_core/outcome.ts", import.meta.url).href) as Promise<
    typeof OutcomeModule
  >).then((m) => codec = m, () => {});
}

function installHooks(kind: "node" | "web"): void {
  // A spare's warm-up (no thread yet): off any start's path.
  if (current === undefined) loadCodec();
  const die = (reason: Died["died"]["reason"], code?: number, e?: unknown) => {
    const start = current;
    if (start === undefined) return;
    // The stop is recorded first, also after the target's end: the call
    // that stops the thread follows this hook with none of the thread's own
    // JS in between (see the table at the top); and before the entry is
    // freed, so whoever sees the entry change and then reads the ring finds
    // it. The worker goes now (closed, exited, or killed by the error), even
    // after a normal end (a late callback's close() while the worker waits
    // for its threads): it posts its last message either way.
    stop(start.ident, true);
    if (ended) {
      stopKeptSpares(); // on Deno they would outlive this worker
      return lastPing(kind);
    }
    ended = true;
    // The message (final name in it) first, then the entry freed, out of
    // memory too: a starter that sees the entry free finds the message.
    // A runtime's stop (only a limited thread's, which has a watcher,
    // _core/_watch.ts) may cut this short: before the post, the watcher
    // posts the death with the entry's name (still this thread's) and
    // frees it; after, the watcher frees it (its report goes unread).
    const final = finalName(start);
    const message: Died = { ok: false, died: { reason, code }, final };
    if (reason === "error") {
      message.error = codec ? codec.encodeError(e) : e;
      message.encoded = codec !== undefined;
    }
    try {
      start.port.postMessage(message);
    } catch {
      // An error that cannot be cloned: the reason alone still goes.
      start.port.postMessage({ ok: false, died: { reason, code }, final });
    }
    // Why no lost wakeup for joiners: see endEntry (write, then notify).
    endEntry(start.entry, start.ident);
    endOrphans(true);
    ping(kind);
    // The spares this thread kept (on Deno they would outlive this worker):
    // last, after the entry is freed, so that a pending stop (out of memory)
    // that cuts this short cannot leave the entry live.
    stopKeptSpares();
    lastPing(kind);
  };
  died = die;
  const g = globalThis as unknown as {
    Deno?: { exit(code?: number): never; exitCode?: number };
    process: {
      exit(code?: number): never;
      exitCode?: number;
      on(event: string, listener: (...args: never[]) => void): void;
    };
  };
  const deno = g.Deno;
  const denoExit = deno?.exit.bind(deno);
  if (deno !== undefined) {
    deno.exit = (code?: number) => {
      die("exit", code ?? deno.exitCode ?? 0); // Deno.exit() uses exitCode
      return denoExit!(code);
    };
  }
  if (kind === "node") {
    let uncaught: { error: unknown } | undefined;
    g.process.on("uncaughtExceptionMonitor", (error: never) => {
      uncaught = { error };
    });
    // process.exit is wrapped to tell an exit from a stop: on Deno a worker
    // stopped for running out of memory emits "exit" with code 0 and no
    // "error" event reaches its parent (measured, Deno 2.9.6); on Node it
    // emits no "exit" and the watcher (_core/_watch.ts) records the death.
    let exiting: number | undefined;
    // On Node a thread's event loop that simply ran dry emits "beforeExit"
    // first (measured, Node 20); a stop for memory does not. On Deno 2.9.6
    // the worker emits no "beforeExit" (measured): a limited thread whose
    // loop ran dry is still reported as out of memory there (README).
    let drained = false;
    g.process.on("beforeExit", () => drained = true);
    const exit = processExit = g.process.exit.bind(g.process);
    g.process.exit = (code?: number) => {
      exiting = code ?? 0;
      return exit(code);
    };
    g.process.on("exit", (code: never) => {
      if (uncaught !== undefined) die("error", code, uncaught.error);
      else if (exiting === undefined && current?.limited && !drained) {
        die("out-of-memory");
      } else die("exit", code);
    });
    // Deno gives node:worker_threads workers a global close() too, which
    // ends the worker with code 0 and emits no "exit" event in it
    // (measured, Deno 2.9.6): wrapped as a web worker's.
    const nodeClose = (globalThis as { close?: () => void }).close;
    if (typeof nodeClose === "function") {
      (globalThis as { close?: () => void }).close = () => {
        die("close");
        nodeClose.call(globalThis);
      };
    }
    return;
  }
  const close = scope.close.bind(scope);
  scope.close = () => {
    die("close");
    close();
  };
  // Our listeners stay the last ones, so they see whether a listener of the
  // thread's own prevented the error (then the worker lives on). Otherwise
  // the worker ends as Deno would end it, but without Deno's own print of
  // the error: the starter reports it once, through the excepthook, unless
  // a join takes it (as on Node, which does not print a worker's error).
  const fail = (e: Event, error: unknown) => {
    if (e.defaultPrevented || ended) return;
    e.preventDefault();
    die("error", undefined, error);
    close();
  };
  const onError = (e: Event) => fail(e, (e as ErrorEvent).error);
  const onRejection = (e: Event) =>
    fail(e, (e as PromiseRejectionEvent).reason);
  const add = scope.addEventListener.bind(scope);
  const remove = scope.removeEventListener.bind(scope);
  const keepLast = () => {
    remove("error", onError);
    remove("unhandledrejection", onRejection);
    add("error", onError);
    add("unhandledrejection", onRejection);
  };
  scope.addEventListener = (type, listener, ...rest: unknown[]) => {
    (add as (...a: unknown[]) => void)(type, listener, ...rest);
    if (type === "error" || type === "unhandledrejection") keepLast();
  };
  keepLast();
}

// Deno 2.9.6 stops a limited worker that runs out of memory by terminating
// its JS and raising its heap limit; but a stop that hits inside a promise
// continuation (code after an await) is swallowed: the worker lives on, its
// target's promise chain dropped, its timers still running, and it never ends
// while anything keeps its event loop alive (a pending threadkit async wait,
// any timer or port), so nobody learns of the death (measured: no "error",
// no "exit" at the watcher; the heap limit grew from 144 to 192 MiB for a
// 48 MiB old space). A stop in a plain task ends the worker, as on Node. So
// a limited thread on Deno looks at its heap limit ten times a second (an
// unref'd timer: it keeps nothing alive) and, once it grew, ends itself as
// out of memory.
function watchHeapLimit(stopped: () => void): void {
  const g = globalThis as unknown as {
    process: { getBuiltinModule(id: string): unknown };
  };
  const v8 = g.process.getBuiltinModule("node:v8") as {
    getHeapStatistics(): { heap_size_limit: number };
  };
  const limit = v8.getHeapStatistics().heap_size_limit;
  const timer = setInterval(() => {
    if (!ended && v8.getHeapStatistics().heap_size_limit <= limit) return;
    clearInterval(timer);
    if (!ended) stopped();
  }, 100);
  refTimer(timer, false);
}
