// Copyright 2026 the threadkit authors. MIT license.
// Threads and pool tasks for tests/pool/shared_mesh_test.ts: holders
// (threads the executor reached in a Thread's args, pool/_mesh.ts) that
// submit over their own buffers, one that passes the executor on to its
// child, and how many holders a pool thread keeps.
import { meshHolders } from "../../pool/_mesh.ts";
import { Thread, type ThreadPoolExecutor } from "../../mod.ts";

const words = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n));
const addAt = (w: Int32Array, i: number) => Atomics.add(w, i, 1);

/** Reads the view (its task's begin reads every port): the holders kept. */
export function holders(w: Int32Array): number {
  Atomics.add(w, 0, 1);
  return meshHolders().holders;
}

/** A holder: one task over a buffer of its own; returns its word. */
export async function holder(pool: ThreadPoolExecutor): Promise<number> {
  const w = words(1);
  await pool.submit(addAt, w, 0);
  return w[0];
}

/**
 * A holder that passes the executor on to its child (module `self`), then
 * submits over its own buffer again: [its words, the child's].
 */
export async function parent(
  pool: ThreadPoolExecutor,
  self: string,
): Promise<number[][]> {
  const mine = words(1);
  await pool.submit(addAt, mine, 0);
  const t = new Thread({
    target: { module: self, export: "child" },
    args: [pool],
  });
  t.start();
  const fromChild = await t.joinAsync({ timeout: 60_000 }) as number[][];
  await pool.submit(addAt, mine, 0);
  return [[...mine], ...fromChild];
}

/** 200 tasks over two buffers of its own: their words. */
export async function child(pool: ThreadPoolExecutor): Promise<number[][]> {
  const bufs = [words(2), words(2)];
  const fs = [];
  for (let i = 0; i < 200; i++) {
    fs.push(pool.submit(addAt, bufs[i % 2], (i >> 1) & 1));
  }
  await Promise.all(fs);
  return bufs.map((w) => [...w]);
}

/** Adds 1 to w[1], then ends its pool thread (exit code 3) mid-task. */
export function dies(w: Int32Array): never {
  Atomics.add(w, 1, 1);
  const g = globalThis as unknown as {
    Deno?: { exit(code: number): never };
    process?: { exit(code: number): never };
  };
  return g.Deno ? g.Deno.exit(3) : g.process!.exit(3);
}

// For the nested-holder race (shared_mesh_test.ts, from the review's
// probe). Words of `w`: 0 GO (the linker starts its child), 1 LINKED, 2 GO2
// (the child submits), 3 RESULT (2: its add landed, -1: its task failed),
// 4 END (the ender returns), 5 SUBMITTED.

/** A holder that ends when told (w[4]). */
export function ender(_pool: ThreadPoolExecutor, w: Int32Array): string {
  Atomics.wait(w, 4, 0, 30_000);
  return "ended";
}

/** A holder that, when told (w[0]), starts a child holder, then says so. */
export async function linker(
  pool: ThreadPoolExecutor,
  w: Int32Array,
  self: string,
): Promise<string> {
  Atomics.wait(w, 0, 0, 30_000);
  const t = new Thread({
    target: { module: self, export: "linked" },
    args: [pool, w],
  });
  t.start();
  Atomics.store(w, 1, 1);
  Atomics.notify(w, 1);
  await t.joinAsync({ timeout: 60_000 });
  return "done";
}

/** The linker's child: when told (w[2]), one task over its own buffer. */
export async function linked(
  pool: ThreadPoolExecutor,
  w: Int32Array,
): Promise<void> {
  Atomics.wait(w, 2, 0, 30_000);
  const mine = words(2);
  const f = pool.submit((a: Int32Array) => Atomics.add(a, 0, 1), mine);
  Atomics.store(w, 5, 1);
  try {
    await f;
    Atomics.store(w, 3, 1 + Atomics.load(mine, 0));
  } catch {
    Atomics.store(w, 3, -1);
  }
  Atomics.notify(w, 3);
}
