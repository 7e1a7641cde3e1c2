// Copyright 2026 the threadkit authors. MIT license.
// A program: one queue call swept over the end of the stack (as
// tests/queue/_turn_sweep.ts) with the other side's marks set before every
// attempt, so that each call takes its waking path there: a put sees
// SLEEPER on TAIL (rings) and a getter counted; a get sees SLEEPER on HEAD
// (numeric ring), PSLEEP (structured ring) and a putter counted. The marks
// are set with Atomics only (no call before the queue call but builtins).
// Then: no lock word held, every item accepted comes out once, a call that
// threw took or put nothing. Run one case a process (the wake code cold:
// its first call is compiled at the depth of the sweep):
//   deno run -A tests/queue/_marked_sweep.ts <kind> <form>
// (node: the built file). Prints one JSON line.
import { LifoQueue, PriorityQueue, Queue } from "../../mod.ts";
import { sweep } from "./_stack_end.ts";
import {
  GET_WAITERS,
  HEAD,
  LOCK,
  PSLEEP,
  PUT_WAITERS,
  TAIL,
} from "../../queue/_layout.ts";
import { LOCKED, SLEEPER } from "../../queue/_turn.ts";

type Swept = {
  put(x: number, o?: { timeout?: number }): void;
  putNowait(x: number): void;
  putMany(xs: number[], o?: { timeout?: number }): number;
  get(o?: { timeout?: number }): number;
  getNowait(): number;
  getMany(max?: number, o?: { timeout?: number }): number[];
  qsize(): number;
  region: { buffer: SharedArrayBuffer; byteOffset: number };
};

const int32 = { capacity: 8, type: "int32" } as const;
/** The kinds: name, maker, its store ("num", "text", "locked"). */
export const MARKED_KINDS: readonly [string, () => unknown, string][] = [
  ["int32 Queue", () => new Queue(int32), "num"],
  [
    "int32 Queue singleWriter",
    () => new Queue({ ...int32, singleWriter: true }),
    "num",
  ],
  [
    "int32 Queue singleReader",
    () => new Queue({ ...int32, singleReader: true }),
    "num",
  ],
  ["structured Queue", () => new Queue({ capacity: 8 }), "text"],
  ["int32 LifoQueue", () => new LifoQueue(int32), "locked"],
  ["LifoQueue", () => new LifoQueue({ capacity: 8 }), "locked"],
  ["PriorityQueue", () => new PriorityQueue({ capacity: 8 }), "locked"],
];
/** The forms swept. */
export const MARKED_FORMS = [
  "put",
  "putNowait",
  "putMany",
  "get",
  "getNowait",
  "getMany",
] as const;

const BOUND = { timeout: 5_000 };

function markedCase(kind: string, form: string): string[] {
  const [, make, store] = MARKED_KINDS.find(([name]) => name === kind)!;
  const x = make() as Swept;
  const h = new Int32Array(x.region.buffer, x.region.byteOffset, LOCK + 1);
  const put = form.startsWith("put");
  const start: number[] = []; // in the queue now (any order)
  for (let i = 0; i < 8; i++) start.push(-1 - i), x.put(-1 - i);
  // Puts: half full (a hint that says full); gets: full.
  if (put) {
    for (let i = 0; i < 4; i++) start.splice(start.indexOf(x.get(BOUND)), 1);
  }
  const accepted: number[] = [], threw: number[] = [];
  let other: unknown, next = 1000;
  // No call of this program's between the queue call and the record of its
  // outcome but index stores (a call could overflow there and misfile it).
  sweep(() => {
    if (other !== undefined) return;
    if (
      (Atomics.load(h, TAIL) & LOCKED) !== 0 ||
      (Atomics.load(h, HEAD) & LOCKED) !== 0 || Atomics.load(h, LOCK) !== 0
    ) {
      other = "a lock word held";
      return;
    }
    if (put) {
      if (store !== "locked") Atomics.or(h, TAIL, SLEEPER);
      Atomics.store(h, GET_WAITERS, 1);
    } else {
      if (store === "num") Atomics.or(h, HEAD, SLEEPER);
      if (store === "text") Atomics.store(h, PSLEEP, 1);
      Atomics.store(h, PUT_WAITERS, 1);
    }
    const v = next++;
    try {
      if (form === "put") {
        x.put(v, BOUND);
        accepted[accepted.length] = v;
      } else if (form === "putNowait") {
        x.putNowait(v);
        accepted[accepted.length] = v;
      } else if (form === "putMany") {
        if (x.putMany([v], BOUND) === 1) accepted[accepted.length] = v;
      } else if (form === "get") {
        accepted[accepted.length] = x.get(BOUND);
      } else if (form === "getNowait") {
        accepted[accepted.length] = x.getNowait();
      } else {
        const g = x.getMany(1, BOUND);
        for (let i = 0; i < g.length; i++) accepted[accepted.length] = g[i];
      }
    } catch (error) {
      if (error instanceof RangeError) {
        threw[threw.length] = v;
        throw error;
      }
      other = error;
    }
  });
  const faults: string[] = [];
  if (other !== undefined) faults.push(`sweep ended on ${String(other)}`);
  Atomics.store(h, GET_WAITERS, 0);
  Atomics.store(h, PUT_WAITERS, 0);
  if ((Atomics.load(h, TAIL) & LOCKED) !== 0) faults.push("TAIL held after");
  if ((Atomics.load(h, HEAD) & LOCKED) !== 0) faults.push("HEAD held after");
  if (Atomics.load(h, LOCK) !== 0) faults.push("LOCK held after");
  if (faults.length > 0) return faults; // the drain below could wait on it
  const rest: number[] = [];
  for (let i = 0; i < 64 && x.qsize() > 0; i++) rest.push(x.getNowait());
  const sorted = (a: number[]) => [...a].sort((p, r) => p - r).join(",");
  if (put) {
    // Out: the items there before and the puts that returned.
    const want = [...start, ...accepted];
    if (sorted(rest) !== sorted(want)) {
      const extra = rest.filter((v) => threw.includes(v)).length;
      faults.push(
        `items: got ${sorted(rest)}, want ${
          sorted(want)
        } (${extra} of a put that threw)`,
      );
    }
  } else if (sorted([...accepted, ...rest]) !== sorted(start)) {
    faults.push(
      `items: got ${sorted(accepted)} + ${sorted(rest)}, want ${sorted(start)}`,
    );
  }
  if (threw.length === 0) faults.push("no attempt overflowed");
  return faults;
}

const g = globalThis as unknown as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
if (argv.length === 2) {
  console.log(JSON.stringify({ faults: markedCase(argv[0], argv[1]) }));
}
