// Copyright 2026 the threadkit authors. MIT license.
// Read-mostly crew (bench/rw_lock.ts): a persistent bench thread whose round
// is n operations on a shared table, 9 in 10 reads (sum the table) and 1 in
// 10 writes (bump one entry and COUNTER), under a Lock or an RWLock. At the
// end of a round the member adds its reads to COUNTER under the write lock,
// so the driver's exact check (size * n) fails if a write let anyone in.
import type { Lock, RWLock } from "../../mod.ts";
import { COUNTER, DONE, rounds } from "./contend.ts";

/** Entries in the shared table a read sums. */
export const TABLE = 256;
/** One write per this many operations. */
const WRITE_EVERY = 10;

function crew(
  ctl: Int32Array,
  table: Int32Array,
  read: (fn: () => number) => number,
  write: (fn: () => void) => void,
): number {
  let sink = 0;
  const sum = () => {
    let s = 0;
    for (let i = 0; i < TABLE; i++) s += table[i];
    return s;
  };
  const total = rounds(ctl, (n) => {
    let reads = 0;
    for (let i = 0; i < n; i++) {
      if (i % WRITE_EVERY === 0) {
        write(() => {
          table[i % TABLE]++;
          ctl[COUNTER] = ctl[COUNTER] + 1;
        });
      } else {
        sink += read(sum);
        reads++;
      }
    }
    write(() => {
      ctl[COUNTER] = ctl[COUNTER] + reads;
    });
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  });
  return total + (sink & 0);
}

/** Member using a Lock for reads and writes alike (the baseline). */
export function lockReadMostly(
  lock: Lock,
  ctl: Int32Array,
  table: Int32Array,
): number {
  return crew(ctl, table, (fn) => {
    lock.acquire();
    try {
      return fn();
    } finally {
      lock.release();
    }
  }, (fn) => {
    lock.acquire();
    fn();
    lock.release();
  });
}

/** Member using an RWLock: shared reads, exclusive writes. */
export function rwReadMostly(
  rw: RWLock,
  ctl: Int32Array,
  table: Int32Array,
): number {
  return crew(ctl, table, (fn) => {
    rw.acquireRead();
    try {
      return fn();
    } finally {
      rw.releaseRead();
    }
  }, (fn) => {
    rw.acquireWrite();
    fn();
    rw.releaseWrite();
  });
}
