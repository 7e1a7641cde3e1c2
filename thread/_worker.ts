// Copyright 2026 the threadkit authors. MIT license.
// The worker entry: every threadkit thread starts here (_core/adapter.ts
// knows its URL). It adopts the runtime block before any user code runs,
// resolves and runs the target, posts the outcome on the result port, frees
// its thread table entry (which wakes joiners), pings the starting thread,
// waits for the non-daemon threads it started itself, and then ends.

import {
  exitWorker,
  START_KEY,
  workerKind,
  workerThreads,
} from "../_core/adapter.ts";
import { setWorkerEntry } from "../_core/entry.ts";
import type { Outcome } from "../_core/outcome.ts";
import { adoptRuntime, endEntry } from "../_core/runtime.ts";
import {
  type AnyFunction,
  explainMissing,
  resolveTarget,
  type WireTarget,
} from "../_core/target.ts";
import { loadScope } from "../_core/scope.ts";

// Module targets of threadkit itself, by internal specifier, imported with
// static specifiers that bundlers follow (thread/timer.ts names the first).
const INTERNAL: Record<string, () => Promise<unknown>> = {
  "threadkit:timer": () => import("./_timer_target.ts"),
};

interface Start {
  runtime: SharedArrayBuffer;
  ident: number;
  entry: number;
  target: WireTarget;
  args: unknown[];
  /** Whether args hold threadkit primitives (encoded descriptors). */
  primitives: boolean;
  port: MessagePort;
  /** The worker entry's URL when set with setWorkerEntry (bundles). */
  entryUrl?: string;
}

interface WebWorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as WebWorkerScope;
// A web worker (Deno non-daemon, browsers) or a node:worker_threads worker
// (Deno daemon, Node, Bun). Only the latter loads node modules.
const kind = workerKind();

if (kind === "node") {
  const { workerData } = workerThreads();
  run((workerData as Record<string, Start>)[START_KEY], "node");
} else {
  // A web worker gets its start message as its first message.
  scope.onmessage = (event) => {
    scope.onmessage = null;
    run(event.data as Start, "web");
  };
}

// Start-up cost matters (thread start is benchmarked against a raw worker),
// so the critical path from start message to posted outcome loads only this
// file, _core/runtime, _core/adapter and _core/target. The package itself (every primitive,
// so every transfer tag) is loaded when the args carry primitives or a source
// target needs threadkit's names in scope; the rest loads after the outcome
// is posted, or on the error path.
async function run(start: Start, kind: "node" | "web"): Promise<void> {
  adoptRuntime(start.runtime, start.ident, start.entry);
  if (start.entryUrl !== undefined) setWorkerEntry(start.entryUrl);
  let outcome: Outcome;
  try {
    // Source targets load the package in resolveTarget (names in scope).
    if (start.primitives) await loadScope();
    const wire = start.target;
    const internal = wire.kind === "module" ? INTERNAL[wire.module] : undefined;
    const target = wire.kind === "module" && internal !== undefined
      ? (await internal() as Record<string, AnyFunction>)[wire.export]
      : await resolveTarget(wire);
    const args = start.primitives
      ? (await import("../_core/transfer.ts")).decodeTransfer(
        start.args,
      ) as unknown[]
      : start.args;
    outcome = { ok: true, value: await call(target, args, start.target) };
  } catch (error) {
    outcome = { ok: false, error: error };
  }
  await post(start.port, outcome);
  // Why no lost wakeup for joiners: see endEntry (write, then notify).
  endEntry(start.entry, start.ident);
  if (kind === "node") workerThreads().parentPort!.postMessage(0);
  else scope.postMessage(0);
  // Python threads outlive the thread that started them: stay until the
  // non-daemon threads started here have ended.
  await (await import("./_handles.ts")).awaitOwnedThreads();
  start.port.close();
  exitWorker(kind);
}

async function call(
  fn: AnyFunction,
  args: unknown[],
  target: WireTarget,
): Promise<unknown> {
  try {
    const value = await fn(...args);
    // Primitives can exist here only if some primitive module registered its
    // tag in this thread; but any object may hold a key that needs escaping
    // (the marker key, _core/transfer.ts), so objects are always encoded.
    return registryInUse() || (typeof value === "object" && value !== null)
      ? (await import("../_core/transfer.ts")).encodeTransfer(value)
      : value;
  } catch (error) {
    throw target.kind === "source"
      ? explainMissing(error, `Thread target "${target.name || "anonymous"}"`)
      : error;
  }
}

async function post(port: MessagePort, outcome: Outcome): Promise<void> {
  if (outcome.ok) {
    try {
      port.postMessage(outcome);
      return;
    } catch (cause) {
      outcome = {
        ok: false,
        error: new TypeError(
          `Cannot return the thread's result: it cannot be sent to another thread (${
            (cause as Error).message
          })`,
          { cause },
        ),
      };
    }
  }
  const { encodeError } = await import("../_core/outcome.ts");
  try {
    port.postMessage({ ok: false, error: encodeError(outcome.error) });
  } catch (cause) {
    port.postMessage({
      ok: false,
      error: encodeError(
        new TypeError(
          `Cannot return the thread's error: it cannot be sent to another thread (${
            (cause as Error).message
          })`,
          { cause },
        ),
      ),
    });
  }
}

function registryInUse(): boolean {
  const registry = (globalThis as Record<symbol, Map<string, unknown>>)[
    Symbol.for("threadkit.transfer.registry.v1")
  ];
  return registry !== undefined && registry.size > 0;
}
