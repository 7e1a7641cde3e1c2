// Copyright 2026 the threadkit authors. MIT license.
// Real-thread stress helpers of the queue tests: start a producer or
// consumer of tests/_workers/queue_stress.ts, and check what the consumers
// took against what the producers put (exact counts, FIFO per producer).

import assert from "node:assert/strict";
import { moduleTarget, type Queue, Thread } from "../../mod.ts";
import type * as work from "../_workers/queue_stress.ts";

const WORK = new URL("../_workers/queue_stress.ts", import.meta.url);
/** Bound on every join of a stress thread. */
export const JOIN = { timeout: 120_000 };

/** Starts the worker function `name` of queue_stress.ts with `args`. */
export function start(name: keyof typeof work, args: unknown[]): Thread {
  const t = new Thread({
    target: moduleTarget(WORK, name),
    args: args as never,
    name,
  });
  t.start();
  return t;
}

/**
 * Joins the consumers; each took every producer's items in order. Returns
 * how many items they took in all.
 */
export async function consumed(consumers: Thread[]): Promise<number> {
  let total = 0;
  for (const c of consumers) {
    const r = await c.joinAsync(JOIN) as work.Consumed;
    assert.equal(r.ordered, true, "a producer's items arrived out of order");
    total += r.count;
  }
  return total;
}

/**
 * Joins the producers (each put all its `n` items), shuts `q` down (the
 * consumers drain what is left, then end), joins the consumers: every item
 * was delivered exactly once (`seen`: one counter per item).
 */
export async function deliveredOnce(
  q: Queue<unknown> | Queue<number>,
  producers: Thread[],
  consumers: Thread[],
  seen: Uint8Array,
  n: number,
): Promise<void> {
  for (const p of producers) assert.equal(await p.joinAsync(JOIN), n);
  q.shutdown();
  assert.equal(await consumed(consumers), producers.length * n);
  const bad = seen.findIndex((x) => x !== 1);
  assert.equal(bad, -1, `item ${bad} delivered ${seen[bad]} times`);
}

/**
 * After a shutdown in the middle of the producers' puts: joins them (each
 * returns how many of its `n` items were accepted) and the consumers: the
 * accepted items, and only those, were delivered, each exactly once.
 * Returns what each producer had accepted.
 */
export async function acceptedOnce(
  producers: Thread[],
  consumers: Thread[],
  seen: Uint8Array,
  n: number,
): Promise<number[]> {
  const accepted: number[] = [];
  for (const p of producers) accepted.push(await p.joinAsync(JOIN) as number);
  const total = accepted.reduce((a, b) => a + b, 0);
  assert.equal(await consumed(consumers), total);
  for (let p = 0; p < producers.length; p++) {
    for (let i = 0; i < n; i++) {
      const want = i < accepted[p] ? 1 : 0;
      if (seen[p * n + i] !== want) {
        assert.fail(
          `producer ${p} item ${i}: seen ${
            seen[p * n + i]
          } times, want ${want}`,
        );
      }
    }
  }
  return accepted;
}
