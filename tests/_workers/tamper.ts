// Copyright 2026 the threadkit authors. MIT license.
// Module target for tests/queue/tamper_test.ts: overwrites one header word
// of a live queue (each kind, each word the header names, a few bad values)
// and makes every later call. It runs in a thread so that the test can bound
// it: progress[0] counts the cases begun, so a case that hangs is named.
import { LifoQueue, PriorityQueue, Queue } from "../../mod.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";

type AnyQueue = Queue<unknown> | LifoQueue<unknown> | PriorityQueue<unknown>;

/** The queue kinds: [name, make, item maker]. */
const KINDS: [string, () => AnyQueue, (n: number) => unknown][] = [
  ["Queue<int32>", () => new Queue({ capacity: 8, type: "int32" }), (n) => n],
  ["Queue", () => new Queue({ capacity: 8 }), (n) => ({ n })],
  [
    "LifoQueue<int32>",
    () => new LifoQueue({ capacity: 8, type: "int32" }),
    (n) => n,
  ],
  ["LifoQueue", () => new LifoQueue({ capacity: 8 }), (n) => ({ n })],
  [
    "PriorityQueue<int32>",
    () => new PriorityQueue({ capacity: 8, type: "int32" }),
    (n) => n,
  ],
  ["PriorityQueue", () => new PriorityQueue({ capacity: 8 }), (n) => [n, "x"]],
];

/** Every header word _layout.ts names. */
export const SLOTS: Record<string, number> = {
  KIND: 0,
  CAPACITY: 1,
  SHUTDOWN: 2,
  GET_WAITERS: 3,
  PUT_WAITERS: 4,
  JOIN_WAITERS: 5,
  BYTES: 6,
  FLAGS: 7,
  MODULUS: 8,
  PHASE: 9,
  TAIL: 16,
  LAPS: 17,
  HEAD: 32,
  HLAPS: 34,
  DONE: 48,
  NOT_EMPTY: 64,
  NOT_FULL: 65,
  ALL_DONE: 66,
  LOCK: 80,
  COUNT: 81,
  A: 82,
  B: 83,
};
const VALUES = [-1, 0x7fffffff, 1 << 20];
// Lock words: a value with a lock bit set reads as a lock some thread holds
// (any nonzero LOCK word of the locked stores; the LOCKED/CONTENDED bits of
// TAIL and HEAD in the FIFO rings, _turn.ts and _head.ts), and waiting out
// a holder that never releases is the holder-death work on those locks, not
// a cheap header check: the locked stores' LOCK is left out, and the rings'
// TAIL and the structured ring's HEAD get values without the lock bits.
const LOCK_FREE_VALUES = [1 << 20, (1 << 28) - 1];

/** The cases: kind index, slot name, value. */
export function cases(): [number, string, number][] {
  const out: [number, string, number][] = [];
  KINDS.forEach((_, k) => {
    for (const slot of Object.keys(SLOTS)) {
      if (slot === "LOCK" && k >= 2) continue;
      // The numeric ring's HEAD (k 0) has no lock: any value there.
      const lockWord = (slot === "TAIL" && k < 2) ||
        (slot === "HEAD" && k === 1);
      for (const v of lockWord ? LOCK_FREE_VALUES : VALUES) {
        out.push([k, slot, v]);
      }
    }
  });
  return out;
}

/**
 * Runs every case; returns one line per case: what each call did. Each
 * call's waits are bounded by a 5 ms timeout.
 */
export function run(progress: Int32Array): string[] {
  const lines: string[] = [];
  const T = { timeout: 5 };
  for (const [k, slot, v] of cases()) {
    Atomics.add(progress, 0, 1);
    const [name, make, item] = KINDS[k];
    const q = make();
    for (let n = 1; n <= 3; n++) q.put(item(n));
    q.get();
    const d = q[TO_DESCRIPTOR]();
    Atomics.store(new Int32Array(d.buffer, d.byteOffset, 96), SLOTS[slot], v);
    const out: string[] = [];
    const call = (what: string, f: () => unknown) => {
      try {
        f();
        out.push(`${what}:ok`);
      } catch (e) {
        out.push(`${what}:${(e as Error).constructor.name}`);
      }
    };
    call("qsize", () => q.qsize());
    call("putNowait", () => q.putNowait(item(9)));
    call("getNowait", () => q.getNowait());
    call("put", () => q.put(item(9), T));
    call("get", () => q.get(T));
    call("putMany", () => q.putMany([item(1), item(2)], T));
    call("getMany", () => q.getMany(undefined, T));
    if (k % 2 === 0) { // numeric
      call("getManyInto", () => q.getManyInto(new Int32Array(4) as never, T));
    }
    call("taskDone", () => q.taskDone());
    call("join", () => q.join(T));
    call("shutdown", () => q.shutdown({ immediate: true }));
    call("get", () => q.get(T));
    lines.push(`${name} ${slot}=${v}: ${out.join(" ")}`);
  }
  return lines;
}
