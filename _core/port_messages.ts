// Copyright 2026 the threadkit authors. MIT license.
// Reading a thread's result port: synchronously where the runtime can
// (receiveMessageOnPort: Deno, Node, Bun), else from the message the event
// loop delivered (browsers). Part of the runtime adapter (_core/adapter.ts
// re-exports it), split off to keep each file short.

import { nodeThreads } from "./host.ts";

// Messages of result ports on runtimes without receiveMessageOnPort.
const arrived = new WeakMap<MessagePort, { message: unknown }>();
const waiting = new WeakMap<MessagePort, () => void>();

/** Keeps the first message of `port` for takeMessage (browsers). */
export function watchPort(port: MessagePort, done: () => void): void {
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
