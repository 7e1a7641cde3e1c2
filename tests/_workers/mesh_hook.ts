// Copyright 2026 the threadkit authors. MIT license.
// A holder that keeps its mesh's port from home (captured at the
// executor's revive, by wrapping its reviver), registers nothing for a
// while, then counts what home posted on it that is still unread
// (tests/pool/shared_mesh_test.ts; from the review's probe).
import { threadState } from "../../_core/host.ts";
import { takeMessage } from "../../_core/adapter.ts";
import "../../pool/executor.ts";
import type { ThreadPoolExecutor } from "../../mod.ts";

const TAG = "threadkit.ThreadPoolExecutor";
const registry = threadState(
  "transfer",
  () => new Map<string, (d: unknown) => unknown>(),
);
let home: MessagePort | undefined;
const orig = registry.get(TAG)!;
registry.set(TAG, (d: unknown) => {
  home = (d as { extra?: { mesh?: { home?: MessagePort } } }).extra?.mesh
    ?.home;
  return orig(d);
});

/**
 * Says it started (w[1] = 1 with a mesh), waits for w[0] without blocking
 * its event loop, then counts the messages unread on its port from home.
 */
export async function idle(
  _pool: ThreadPoolExecutor,
  w: Int32Array,
): Promise<number> {
  Atomics.store(w, 1, home === undefined ? -1 : 1);
  Atomics.notify(w, 1);
  // A pending waitAsync keeps no event loop alive (Node ends the thread):
  // a ref'd timer does, until w[0] is set.
  const keep = setInterval(() => {}, 1000);
  try {
    while (Atomics.load(w, 0) === 0) {
      const r = Atomics.waitAsync(w, 0, 0, 60_000);
      if (r.async) await r.value;
    }
  } finally {
    clearInterval(keep);
  }
  let n = 0;
  while (takeMessage(home!) !== undefined) n++;
  return n;
}
