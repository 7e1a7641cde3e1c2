// Copyright 2026 the threadkit authors. MIT license.
// The holder of tests/pool/stale_holder_test.ts: a thread the executor was
// passed to (pool/_mesh.ts) that registers its own buffers.
import type { Event, ThreadPoolExecutor } from "../../mod.ts";
import { staleMarks } from "../../pool/_stale.ts";

const add = (w: Int32Array, count: Int32Array) => {
  Atomics.add(count, 0, 1);
  return Atomics.add(w, 0, 1);
};

/**
 * Registers `count` (one task, awaited), sets `ready`, then at `go`
 * submits `n` tasks in flight, each over a fresh 64 KiB buffer and
 * `count`, and sets `sent`. `wait`: awaits them all, then sets `release`;
 * else ends with them in flight. Returns [the marks this thread made
 * (pool/_stale.ts holderMark), the tasks' results that were not 0].
 */
export async function burst(
  pool: ThreadPoolExecutor,
  count: Int32Array,
  ready: Event,
  go: Event,
  n: number,
  wait: boolean,
  sent?: Event,
  release?: Event,
): Promise<[number, number]> {
  await pool.submit(add, new Int32Array(new SharedArrayBuffer(8)), count);
  ready.set();
  if (!await go.waitAsync({ timeout: 30_000 })) throw new Error("no go");
  const before = staleMarks().marked;
  const fs = Array.from(
    { length: n },
    () =>
      pool.submit(add, new Int32Array(new SharedArrayBuffer(1 << 16)), count),
  );
  const marks = staleMarks().marked - before;
  sent?.set();
  if (!wait) return [marks, 0];
  try {
    const got = await Promise.all(fs);
    return [marks, got.filter((x) => x !== 0).length];
  } finally {
    release?.set();
  }
}
