// Copyright 2026 the threadkit authors. MIT license.
// Module targets for the RWLock stress test. Each reader and writer checks,
// inside its critical section, that nobody it must exclude is inside too,
// and counts what it did in shared words the test reads at the end.
import type { Barrier, RWLock } from "../../mod.ts";

/** Words of the shared Int32Array. */
export const READING = 0; // readers inside now
export const WRITING = 1; // writers inside now
export const VIOLATIONS = 2; // exclusions broken
export const MAX_READING = 3; // most readers seen inside at once
export const VALUE = 4; // written only by writers, non-atomically
export const READS = 5; // read sections completed
export const SLOTS = 6;

const LIMIT = 20_000;

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what} timed out`);
}

function enterRead(s: Int32Array): void {
  const inside = Atomics.add(s, READING, 1) + 1;
  if (Atomics.load(s, WRITING) !== 0) Atomics.add(s, VIOLATIONS, 1);
  let max = Atomics.load(s, MAX_READING);
  while (inside > max) {
    const seen = Atomics.compareExchange(s, MAX_READING, max, inside);
    if (seen === max) break;
    max = seen;
  }
}

function leaveRead(s: Int32Array): void {
  // Read the value writers change: it must not move under a reader.
  const before = s[VALUE];
  for (let i = 0; i < 50; i++) {
    if (s[VALUE] !== before) Atomics.add(s, VIOLATIONS, 1);
  }
  Atomics.sub(s, READING, 1);
  Atomics.add(s, READS, 1);
}

/**
 * n read sections. First all readers (and the test) meet at `barrier` while
 * each reader holds a read lock: the barrier only opens if the read locks
 * overlap.
 */
export async function reader(
  rw: RWLock,
  s: Int32Array,
  barrier: Barrier,
  n: number,
  mode: "blocking" | "async" | "mixed",
): Promise<number> {
  must(rw.acquireRead({ timeout: LIMIT }), "first read");
  enterRead(s);
  barrier.wait({ timeout: LIMIT }); // throws BrokenBarrierError on timeout
  leaveRead(s);
  rw.releaseRead();
  for (let i = 1; i < n; i++) {
    const useAsync = mode === "async" || (mode === "mixed" && i % 2 === 1);
    must(
      useAsync
        ? await rw.acquireReadAsync({ timeout: LIMIT })
        : rw.acquireRead({ timeout: LIMIT }),
      "read",
    );
    enterRead(s);
    leaveRead(s);
    rw.releaseRead();
  }
  return n;
}

/** n write sections, each a non-atomic increment of VALUE. */
export async function writer(
  rw: RWLock,
  s: Int32Array,
  n: number,
  mode: "blocking" | "async" | "mixed",
): Promise<number> {
  for (let i = 0; i < n; i++) {
    const useAsync = mode === "async" || (mode === "mixed" && i % 2 === 1);
    must(
      useAsync
        ? await rw.acquireWriteAsync({ timeout: LIMIT })
        : rw.acquireWrite({ timeout: LIMIT }),
      "write",
    );
    if (Atomics.add(s, WRITING, 1) !== 0) Atomics.add(s, VIOLATIONS, 1);
    if (Atomics.load(s, READING) !== 0) Atomics.add(s, VIOLATIONS, 1);
    const v = s[VALUE];
    s[VALUE] = v + 1;
    Atomics.sub(s, WRITING, 1);
    rw.releaseWrite();
  }
  return n;
}
