// Copyright 2026 the threadkit authors. MIT license.
// The watcher: a small node:worker_threads worker that starts a thread with
// resourceLimits and stays beside it (_core/adapter.ts starts it).
//
// Why: a thread that runs out of memory under its limits cannot record its
// own death (no JS runs in it again), and the runtime tells only the
// worker's parent, on the parent's event loop. When the parent is the
// starting thread blocked in join(), nobody would ever free the thread's
// table entry. The watcher's event loop is never blocked (it runs nothing
// else), so it always hears the "error" and "exit" events: when the thread
// ended without freeing its entry, it posts the death on its report port
// (which the starter reads after the result port), then frees the entry
// (which wakes joiners and lets lock waiters see the death), and pings the
// starter. The other deaths the thread records itself (thread/_worker.ts);
// then the entry is already free and this does nothing.
// It costs one more worker start, for limited threads only.

import { START_KEY, WATCH_KEY, workerThreads } from "./adapter.ts";
import {
  adoptRuntime,
  endEntry,
  entryAlive,
  entryName,
  recordStopSeen,
} from "./runtime.ts";

interface Watch {
  start: {
    runtime: SharedArrayBuffer;
    ident: number;
    entry: number;
    nameSeq: number;
    port: MessagePort;
    ports?: MessagePort[]; // a Thread's MessagePort args (_core/ports.ts)
  };
  limits: Record<string, number>;
  name: string;
  report: MessagePort;
  /** The thread's worker entry, as the starter would have started it. */
  entry: string;
}

const wt = workerThreads();
const watch = (wt.workerData as Record<string, Watch>)[WATCH_KEY];
const { start, report } = watch;
// Only for endEntry, recordStop and the name: it runs no threadkit code of its own.
adoptRuntime(start.runtime, start.ident, start.entry);
const exit = (code: number) =>
  (globalThis as unknown as { process: { exit(code: number): never } })
    .process.exit(code);

const worker = new wt.Worker(new URL(watch.entry), {
  workerData: { [START_KEY]: start },
  transferList: [start.port, ...start.ports ?? []] as never[],
  name: watch.name,
  resourceLimits: watch.limits,
});
worker.on("message", () => wt.parentPort!.postMessage(0));
worker.on("error", (error: Error & { code?: string }) => {
  if (error?.code === "ERR_WORKER_OUT_OF_MEMORY") record(error, 1);
  wt.parentPort!.postMessage(0);
});
worker.on("exit", (code: number) => {
  // A thread that ends frees its entry first; one stopped by the runtime
  // may not have, even if it began to record its death (on Deno the stop
  // can cut its "exit" listener short): this is the only such stop here.
  record(undefined, code);
  // The worker has stopped. A thread records its own stop before it ends
  // (thread/_worker.ts); a stop for memory may cut that short: then it is
  // recorded here, as a failure.
  recordStopSeen(start.ident);
  report.close();
  exit(code);
});

function record(error: (Error & { code?: string }) | undefined, code: number) {
  if (!entryAlive(start.entry, start.ident)) return;
  report.postMessage({
    ok: false,
    died: { reason: "out-of-memory", code },
    // Its final name (_core/names.ts): the entry is still its own here.
    final: entryName(start.entry, start.ident, start.nameSeq),
    error: error &&
      { name: error.name, message: error.message, code: error.code },
  });
  // Why no lost wakeup for joiners: see endEntry (write, then notify).
  endEntry(start.entry, start.ident);
  wt.parentPort!.postMessage(0);
}
