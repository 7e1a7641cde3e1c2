// Copyright 2026 the threadkit authors. MIT license.
// One queue call swept over the end of the stack (tests/queue/_stack_end.ts
// sweep: at every depth from the end up, each attempt overflowing at
// whichever of its steps meets the end, until one returns), then the queue
// checked from the same thread: no turn left held (TAIL's or HEAD's lock
// bit, the store Lock), every item accepted comes out once, a call that
// threw took or put nothing. tests/queue/stack_end_turn_test.ts runs every
// case and checks from another thread as well; as a program it prints one
// JSON line a case:
//   deno run -A --no-check tests/queue/_turn_sweep.ts [kind] [form]
import { LifoQueue, PriorityQueue, Queue, SimpleQueue } from "../../mod.ts";
import { sweep } from "./_stack_end.ts";
import { HEAD, LOCK, TAIL } from "../../queue/_layout.ts";
import { LOCKED } from "../../queue/_turn.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import {
  HEADER_WORDS,
  LOCK as CHAIN_LOCK,
  OFFSET,
  SEGMENTS,
} from "../../queue/_chain_memory.ts";

/** The queue calls the sweep makes (any of the kinds below). */
export type Swept = {
  put(x: number, o?: { timeout?: number }): void;
  putNowait(x: number): void;
  putMany?(xs: number[], o?: { timeout?: number }): number;
  get(o?: { timeout?: number }): number;
  getNowait(): number;
  getMany?(max?: number, o?: { timeout?: number }): number[];
  qsize(): number;
  region: { buffer: SharedArrayBuffer; byteOffset: number };
};

/**
 * The queues swept: name, maker, whether its words are one header's (else
 * a chain of segments: an unbounded queue, SimpleQueue).
 */
export const KINDS: readonly (readonly [string, () => Swept, boolean])[] = [
  ["int32 Queue", () => q(new Queue({ capacity: 8, type: "int32" })), true],
  ["int32 unbounded Queue", () => q(new Queue({ type: "int32" })), false],
  [
    "int32 LifoQueue",
    () => q(new LifoQueue({ capacity: 8, type: "int32" })),
    true,
  ],
  ["structured Queue", () => q(new Queue({ capacity: 8 })), true],
  ["unbounded Queue", () => q(new Queue()), false],
  ["LifoQueue", () => q(new LifoQueue({ capacity: 8 })), true],
  ["PriorityQueue", () => q(new PriorityQueue({ capacity: 8 })), true],
  ["SimpleQueue", () => q(new SimpleQueue()), false],
];

/** The forms swept. */
export const FORMS = [
  "put",
  "putNowait",
  "putMany",
  "get",
  "getNowait",
  "getMany",
] as const;
export type Form = typeof FORMS[number];

function q(x: unknown): Swept {
  return x as Swept;
}

/** What one case found (`faults` empty: sound). */
export interface Found {
  kind: string;
  form: Form;
  tries: number;
  accepted: number;
  threw: number;
  faults: string[];
}

const BOUND = { timeout: 5_000 };

/**
 * The lock words of queue header `h` held, as names (`at`: their prefix).
 * A single-threaded sweep holds none between calls.
 */
function heldIn(h: Int32Array, at: string, out: string[]): void {
  if ((Atomics.load(h, TAIL) & LOCKED) !== 0) out[out.length] = `${at}TAIL`;
  if ((Atomics.load(h, HEAD) & LOCKED) !== 0) out[out.length] = `${at}HEAD`;
  if (Atomics.load(h, LOCK) !== 0) out[out.length] = `${at}LOCK`;
}

/**
 * The lock words of `x` held, as names: its header's (a bounded queue), or
 * its chain's Lock and every segment's words (an unbounded queue,
 * SimpleQueue: "segment 0 TAIL").
 */
export function heldTurns(x: Swept, oneHeader: boolean): string[] {
  const out: string[] = [];
  if (oneHeader) {
    const { buffer, byteOffset } = x.region;
    heldIn(new Int32Array(buffer, byteOffset, LOCK + 1), "", out);
    return out;
  }
  const { buffer, byteOffset } = (x as unknown as {
    [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
  })[TO_DESCRIPTOR]();
  const chain = new Int32Array(buffer, byteOffset, HEADER_WORDS);
  if (Atomics.load(chain, CHAIN_LOCK) !== 0) out[out.length] = "chain LOCK";
  const n = Atomics.load(chain, SEGMENTS);
  for (let s = 0; s < n; s++) {
    const at = Atomics.load(chain, OFFSET + s) >>> 0;
    heldIn(new Int32Array(buffer, at, LOCK + 1), `segment ${s} `, out);
  }
  return out;
}

/**
 * Sweeps `form` on a fresh queue of `kind` (see the file header) and
 * checks it from this thread; returns the queue (empty when sound) too.
 */
export function sweepCase(kind: string, form: Form): [Found, Swept] {
  const [, make, oneHeader] = KINDS.find(([name]) => name === kind)!;
  const x = make();
  const put = form.startsWith("put");
  // Warm (lazy loads at a shallow depth), then a state off the fast path:
  // a bounded ring whose hint says full (filled, then half taken).
  const start: number[] = []; // in the queue now (any order: Lifo, Priority)
  for (let i = 0; i < 8; i++) start.push(-1 - i), x.put(-1 - i);
  for (let i = 0; i < 4; i++) start.splice(start.indexOf(x.get(BOUND)), 1);
  if (!put) {
    for (let i = 0; i < 3; i++) start.push(100 + i), x.putNowait(100 + i);
  }
  const faults: string[] = [];
  if (heldTurns(x, oneHeader).length > 0) faults.push("held before");
  const accepted: number[] = [], threw: number[] = [];
  let other: unknown, next = 1000;
  // TAIL of the header (a bounded queue) or of the chain's newest segment
  // as of each attempt (an unbounded one: read before the attempt).
  let words: Int32Array<ArrayBufferLike> = new Int32Array(LOCK + 1);
  const chain = oneHeader ? undefined : (x as unknown as {
    [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
  })[TO_DESCRIPTOR]();
  if (oneHeader) {
    words = new Int32Array(x.region.buffer, x.region.byteOffset, LOCK + 1);
  }
  // No call of the test's between the queue call and the record of its
  // outcome but index stores (a call could overflow there and misfile it).
  const tries = sweep(() => {
    if (other !== undefined) return;
    // A turn left held by an earlier attempt would make a blocking call
    // wait for good (an unbounded queue's put waits for a held TAIL until
    // its deadline, a putNowait's without one): recorded, and the sweep
    // ends (bounded). Index loads only (no call, see below).
    if (chain !== undefined) {
      const c = new Int32Array(chain.buffer, chain.byteOffset, HEADER_WORDS);
      const last = Atomics.load(c, SEGMENTS) - 1;
      words = new Int32Array(
        chain.buffer,
        Atomics.load(c, OFFSET + last) >>> 0,
        LOCK + 1,
      );
    }
    if ((Atomics.load(words, TAIL) & LOCKED) !== 0) {
      other = "a turn held";
      return;
    }
    const v = next++;
    try {
      if (form === "put") {
        if (oneHeader) x.put(v);
        else x.put(v, BOUND);
        accepted[accepted.length] = v;
      } else if (form === "putNowait") {
        x.putNowait(v);
        accepted[accepted.length] = v;
      } else if (form === "putMany") {
        if (x.putMany === undefined) return;
        const n = x.putMany([v], BOUND);
        if (n === 1) accepted[accepted.length] = v;
      } else if (form === "get") {
        const g = oneHeader ? x.get() : x.get(BOUND);
        accepted[accepted.length] = g;
      } else if (form === "getNowait") {
        accepted[accepted.length] = x.getNowait();
      } else {
        if (x.getMany === undefined) return;
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
  if (other !== undefined) faults.push(`sweep ended on ${String(other)}`);
  // What the case found, with the queue for the caller's own checks.
  const found = (): [Found, Swept] => [{
    kind,
    form,
    tries,
    accepted: accepted.length,
    threw: threw.length,
    faults,
  }, x];
  const held = heldTurns(x, oneHeader);
  if (held.length > 0) faults.push(`held after: ${held.join(", ")}`);
  // A turn held by this thread: the checks below would wait on it (an
  // unbounded queue's putNowait waits for a held TAIL without a bound).
  if (held.length > 0 && !oneHeader) {
    return found();
  }
  // From this thread: a put and a get work now, and the items are exact.
  try {
    x.putNowait(7777);
  } catch (error) {
    faults.push(`putNowait after: ${String(error)}`);
  }
  const rest: number[] = [];
  for (let i = 0; i < 64 && x.qsize() > 0; i++) {
    try {
      rest.push(x.getNowait());
    } catch (error) {
      faults.push(`getNowait after: ${String(error)}`);
      break;
    }
  }
  const sorted = (a: number[]) => [...a].sort((p, r) => p - r).join(",");
  if (put) {
    // Out: the items there before, the puts that returned, 7777; a put
    // that threw put nothing.
    const want = [...start, ...accepted, 7777];
    if (sorted(rest) !== sorted(want)) {
      const extra = rest.filter((v) => threw.includes(v));
      faults.push(
        `items: got ${sorted(rest)}, want ${sorted(want)}` +
          (extra.length > 0 ? ` (${extra.length} of a put that threw)` : ""),
      );
    }
  } else {
    // Every item out once: by a get that returned, or after; a get that
    // threw took nothing.
    const want = [...start, 7777];
    if (sorted([...accepted, ...rest]) !== sorted(want)) {
      faults.push(
        `items: got ${sorted(accepted)} + ${sorted(rest)}, want ${
          sorted(want)
        }`,
      );
    }
  }
  if (x.qsize() !== 0) faults.push(`qsize ${x.qsize()} after the drain`);
  return found();
}

if (import.meta.main) {
  const [kind, form] = [Deno.args[0], Deno.args[1]];
  for (const [name] of KINDS) {
    if (kind !== undefined && kind !== name) continue;
    for (const f of FORMS) {
      if (form !== undefined && form !== f) continue;
      console.log(JSON.stringify(sweepCase(name, f)[0]));
    }
  }
}
