// Copyright 2026 the threadkit authors. MIT license.
// The worker entry: every threadkit thread starts here (thread/_adapter.ts
// knows its URL). It adopts the runtime block before any user code runs,
// resolves and runs the target, posts the outcome on the result port, frees
// its thread table entry (which wakes joiners), pings the starting thread,
// waits for the non-daemon threads it started itself, and then ends.

import process from "node:process";
import { parentPort, workerData } from "node:worker_threads";
import { decodeTransfer, encodeTransfer } from "../_transfer.ts";
import { START_KEY } from "./_adapter.ts";
import { encodeError, type Outcome } from "./_outcome.ts";
import { adoptRuntime, endEntry } from "./_runtime.ts";
import {
  type AnyFunction,
  explainMissing,
  resolveTarget,
  type WireTarget,
} from "./_target.ts";
import { awaitOwnedThreads } from "./thread.ts";

interface Start {
  runtime: SharedArrayBuffer;
  ident: number;
  entry: number;
  target: WireTarget;
  args: unknown[];
  port: MessagePort;
}

interface WebWorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as WebWorkerScope;
const MOD = import.meta.url.endsWith(".ts") ? "../mod.ts" : "../mod.js";
const nodeStart = (workerData as Record<string, Start> | null)?.[START_KEY];

if (nodeStart !== undefined) {
  run(nodeStart, "node");
} else {
  // A Deno web worker gets its start message as its first message.
  scope.onmessage = (event) => {
    scope.onmessage = null;
    run(event.data as Start, "web");
  };
}

async function run(start: Start, kind: "node" | "web"): Promise<void> {
  adoptRuntime(start.runtime, start.ident, start.entry);
  let outcome: Outcome;
  try {
    // Loads every primitive module, so every transfer tag is registered
    // before args (and later queue items) are revived here, whatever the
    // target module itself imports.
    await import(MOD);
    const target = await resolveTarget(start.target);
    const args = decodeTransfer(start.args) as unknown[];
    outcome = { ok: true, value: await call(target, args, start.target) };
  } catch (error) {
    outcome = { ok: false, error: error };
  }
  post(start.port, outcome);
  // Why no lost wakeup for joiners: see endEntry (write, then notify).
  endEntry(start.entry, start.ident);
  if (kind === "node") parentPort!.postMessage(0);
  else scope.postMessage(0);
  // Python threads outlive the thread that started them: stay until the
  // non-daemon threads started here have ended.
  await awaitOwnedThreads();
  start.port.close();
  if (kind === "node") process.exit(0);
  else scope.close();
}

async function call(
  fn: AnyFunction,
  args: unknown[],
  target: WireTarget,
): Promise<unknown> {
  try {
    return encodeTransfer(await fn(...args));
  } catch (error) {
    throw target.kind === "source"
      ? explainMissing(error, `Thread target "${target.name || "anonymous"}"`)
      : error;
  }
}

function post(port: MessagePort, outcome: Outcome): void {
  const wire = outcome.ok
    ? outcome
    : { ok: false, error: encodeError(outcome.error) };
  try {
    port.postMessage(wire);
  } catch (cause) {
    port.postMessage({
      ok: false,
      error: encodeError(
        new TypeError(
          `Cannot return the thread's ${
            outcome.ok ? "result" : "error"
          }: it cannot be sent to another thread (${(cause as Error).message})`,
          { cause },
        ),
      ),
    });
  }
}
