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
  TAIL: 16,
  LAPS: 17,
  HEAD: 32,
  HOLDER: 33,
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
const LOCKED = 1 << 28;
const CONTENDED = 1 << 29;
const BIT31 = 1 << 31;
// Lock words (queue/_corrupt.ts): the FIFO rings' TAIL and the structured
// ring's HEAD carry LOCKED/CONTENDED bits (_turn.ts, _head.ts); the locked
// stores' LOCK is a Lock word (holder ident | CONTENDED); HOLDER names the
// consumer lock's holder (_decoding.ts). Each gets values without the lock
// bit (the counter alone, CONTENDED alone), values no operation writes (bit
// 31 with LOCKED, -1, idents never issued: a RangeError), and holders that
// stopped (`stopped`, an ident from the stop ring: taken over). Not here:
// a lock word with valid bits that names no holder (TAIL or HEAD LOCKED
// with a valid position) or a live one: that is what a producer or consumer
// mid-copy leaves, and it is waited for as a held lock (queue/_corrupt.ts).
function lockValues(k: number, slot: string, stopped: number): number[] {
  const ring = k < 2;
  if (slot === "TAIL" && ring) {
    return [1 << 20, (1 << 28) - 1, CONTENDED | 3, -1, BIT31 | LOCKED | 3];
  }
  if (slot === "HEAD" && k === 1) {
    return [1 << 20, (1 << 28) - 1, CONTENDED | 2, -1, BIT31 | LOCKED | 2];
  }
  if (slot === "LOCK") return [...VALUES, stopped, stopped | (1 << 30)];
  if (slot === "HOLDER") {
    return [...VALUES, BIT31 | 5, stopped, stopped | (1 << 30)];
  }
  return VALUES;
}

/** The cases: kind index, slot name, value. */
export function cases(stopped: number): [number, string, number][] {
  const out: [number, string, number][] = [];
  KINDS.forEach((_, k) => {
    for (const slot of Object.keys(SLOTS)) {
      if (slot === "LOCK" && k < 2) continue; // the rings have no LOCK
      if (slot === "HOLDER" && k === 0) continue; // nor the numeric ring HOLDER
      for (const v of lockValues(k, slot, stopped)) out.push([k, slot, v]);
    }
  });
  return out;
}

/**
 * Runs every case; returns one line per case: what each call did. Each
 * call's waits are bounded by a 5 ms timeout.
 */
export function run(progress: Int32Array, stopped: number): string[] {
  const lines: string[] = [];
  const T = { timeout: 5 };
  for (const [k, slot, v] of cases(stopped)) {
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
    call("taskDone", () => q.taskDone());
    call("join", () => q.join(T));
    call("shutdown", () => q.shutdown({ immediate: true }));
    call("get", () => q.get(T));
    lines.push(`${name} ${slot}=${v}: ${out.join(" ")}`);
  }
  return lines;
}
