// Copyright 2026 the threadkit authors. MIT license.
// Pool tasks for tests/pool/shared_drain_test.ts: what a pool thread's
// port holds unread (pool/_shared.ts posts), and a view task that says
// which thread ran it.
import { resultPort } from "../../_core/host.ts";
import { takeMessage } from "../../_core/adapter.ts";
import { type Barrier, currentThread } from "../../mod.ts";

/**
 * Takes every message home posted on this pool thread's port and not yet
 * read: [messages, how many hold a SharedArrayBuffer, this thread's ident].
 * Every pool thread runs one (`all`), so none takes two. It reads them
 * without applying them: run it last.
 */
export function backlog(all: Barrier): [number, number, number] {
  all.wait({ timeout: 30_000 });
  return takeBacklog();
}

/**
 * Takes what this pool thread's port holds unread, without applying it:
 * [messages, how many hold a SharedArrayBuffer, this thread's ident].
 */
export function takeBacklog(): [number, number, number] {
  const port = resultPort.port;
  if (port === undefined) return [-1, -1, -1];
  let messages = 0, buffers = 0;
  for (;;) {
    const got = takeMessage(port);
    if (got === undefined) break;
    messages++;
    const m = got.message as { buffer?: unknown };
    if (m.buffer instanceof SharedArrayBuffer) buffers++;
  }
  return [messages, buffers, currentThread().ident!];
}

/** Adds 1 to w[0] and x[0]: [this thread's ident, w[0] before, x[0] before]. */
export function addBoth(
  w: Int32Array,
  x: Int32Array,
): [number, number, number] {
  return [currentThread().ident!, Atomics.add(w, 0, 1), Atomics.add(x, 0, 1)];
}
