// Copyright 2026 the threadkit authors. MIT license.
// The runtime adapter: the only place that knows how to start a worker on
// each runtime and where the worker entry file is. The npm build keeps this
// file as it is: the entry's extension comes from this module's own URL
// (".ts" in the sources, ".js" in the build).
//
// Which worker runs a thread:
// | runtime | daemon | worker                    | why                                 |
// |---------|--------|---------------------------|-------------------------------------|
// | Deno    | no     | web Worker                | starts about 2.3x faster than the   |
// |         |        |                           | node:worker_threads one in Deno     |
// | Deno    | yes    | node:worker_threads + unref | web workers cannot be unref'd, and |
// |         |        |                           | a live web worker keeps Deno alive  |
// | Node    | either | node:worker_threads (unref for daemon) | the only worker Node has |

import type * as WorkerThreads from "node:worker_threads";

/**
 * node:worker_threads, loaded on first use. A static import costs a Deno web
 * worker 4-6 ms of start time (measured), and a thread that never starts or
 * joins threads needs none of it. process.getBuiltinModule is synchronous, so
 * a blocking join can still use receiveMessageOnPort (Deno 2, Node >= 20.16).
 */
export function workerThreads(): typeof WorkerThreads {
  return nodeWorkerThreads ??= (globalThis as unknown as {
    process: { getBuiltinModule(id: string): typeof WorkerThreads };
  }).process.getBuiltinModule("node:worker_threads");
}
let nodeWorkerThreads: typeof WorkerThreads | undefined;

/** The worker entry, next to this file in source and in the build. */
export const ENTRY: URL = new URL(
  import.meta.url.endsWith(".ts")
    ? "../thread/_worker.ts"
    : "../thread/_worker.js",
  import.meta.url,
);

/** The key under which a node:worker_threads worker finds its start message. */
export const START_KEY = "threadkit.start";

/** Events of a started worker that the owning thread listens to. */
export interface WorkerEvents {
  /** The thread posted its outcome on its port ("done" ping). */
  done(): void;
  /** The worker failed outside the target, or exited without an outcome. */
  failed(error: unknown): void;
}

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/**
 * Starts a worker that runs the entry with `start` as its start message.
 * `transfer` lists the MessagePorts inside `start`.
 */
export function startWorker(
  start: Record<string, unknown>,
  transfer: MessagePort[],
  daemon: boolean,
  name: string,
  events: WorkerEvents,
): void {
  if (isDeno && !daemon) {
    const worker = new Worker(ENTRY, { type: "module", name });
    worker.onmessage = () => events.done();
    worker.onerror = (e) => {
      e.preventDefault();
      events.failed(e.error ?? new Error(e.message));
    };
    worker.postMessage(start, transfer);
    return;
  }
  const worker = new (workerThreads().Worker)(ENTRY, {
    workerData: { [START_KEY]: start },
    transferList: transfer as never[],
    name,
  });
  worker.on("message", () => events.done());
  worker.on("error", (error) => events.failed(error));
  worker.on("exit", (code) => {
    if (code !== 0) {
      events.failed(new Error(`Thread "${name}" exited with code ${code}`));
    }
  });
  // After the listeners: on Node, adding a "message" listener refs the
  // worker's port again, which would keep the process alive.
  if (daemon) worker.unref();
}

/** Takes the next message from `port` without waiting, if there is one. */
export function takeMessage(
  port: MessagePort,
): { message: unknown } | undefined {
  return workerThreads().receiveMessageOnPort(port as never) as
    | { message: unknown }
    | undefined;
}
