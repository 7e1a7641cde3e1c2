// Copyright 2026 the threadkit authors. MIT license.
// Thread sides of bench/limits.ts: producers and consumers that run rounds
// when the driver (bench/_team.ts) bumps GEN, over a threadkit Queue or a
// baseline (bench/_ring.ts, ringbuf.js). Each round moves ITERS items;
// consumers leave an int32 checksum in RESULT + id, which the driver checks.
// Runtime-neutral: Deno runs this file, Node its build (npm/bench/).
import { RingBuffer } from "ringbuf.js";
import type { Queue } from "../../mod.ts";
import { IntRing, type RingStorage, TextRing } from "../_ring.ts";
import { DONE, RESULT, rounds } from "./contend.ts";

/** The structured item every structured row moves. */
export interface Item {
  id: number;
  payload: string;
}
/** 32 ASCII characters. */
export const PAYLOAD = "abcdefghijklmnopqrstuvwxyz012345";

/** Runs rounds: `work(n)` returns the round's result (a checksum or 0). */
export function serve(
  ctl: Int32Array,
  id: number,
  work: (n: number) => number,
): number {
  return rounds(ctl, (n) => {
    Atomics.store(ctl, RESULT + id, work(n));
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  });
}

/** The int32 checksum of 0..n-1, as consumers compute it. */
export function intSum(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i) | 0;
  return s;
}

/** The checksum of n structured items (id + payload length). */
export function objSum(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i + PAYLOAD.length) | 0;
  return s;
}

// ---- int32, one item at a time ----

export function ringProduce(s: RingStorage, ctl: Int32Array, id: number) {
  const ring = new IntRing(s);
  return serve(ctl, id, (n) => {
    for (let i = 0; i < n; i++) ring.put(i);
    return 0;
  });
}

export function ringConsume(s: RingStorage, ctl: Int32Array, id: number) {
  const ring = new IntRing(s);
  return serve(ctl, id, (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum = (sum + ring.get()) | 0;
    return sum;
  });
}

export function queueProduce(q: Queue<number>, ctl: Int32Array, id: number) {
  return serve(ctl, id, (n) => {
    for (let i = 0; i < n; i++) q.put(i);
    return 0;
  });
}

export function queueConsume(q: Queue<number>, ctl: Int32Array, id: number) {
  return serve(ctl, id, (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum = (sum + q.get()) | 0;
    return sum;
  });
}

// ---- int32 in batches ----

/** Fills `chunk` with base, base+1, ...: the same work on every side. */
function fill(chunk: Int32Array, base: number, len: number): Int32Array {
  for (let j = 0; j < len; j++) chunk[j] = base + j;
  return len === chunk.length ? chunk : chunk.subarray(0, len);
}

export function queueProduceMany(
  q: Queue<number>,
  batch: number,
  ctl: Int32Array,
  id: number,
) {
  const chunk = new Int32Array(batch);
  return serve(ctl, id, (n) => {
    for (let i = 0; i < n; i += batch) {
      q.putMany(fill(chunk, i, Math.min(batch, n - i)));
    }
    return 0;
  });
}

export function queueConsumeMany(
  q: Queue<number>,
  batch: number,
  ctl: Int32Array,
  id: number,
) {
  return serve(ctl, id, (n) => {
    let sum = 0;
    for (let got = 0; got < n;) {
      const xs = q.getMany(Math.min(batch, n - got));
      for (let j = 0; j < xs.length; j++) sum = (sum + xs[j]) | 0;
      got += xs.length;
    }
    return sum;
  });
}

/** As queueConsumeMany, taking into a typed array (as ringbuf.js pops). */
export function queueConsumeInto(
  q: Queue<number>,
  batch: number,
  ctl: Int32Array,
  id: number,
) {
  const scratch = new Int32Array(batch);
  return serve(ctl, id, (n) => {
    let sum = 0;
    for (let got = 0; got < n;) {
      const k = q.getManyInto(
        got + batch <= n ? scratch : scratch.subarray(0, n - got),
      );
      for (let j = 0; j < k; j++) sum = (sum + scratch[j]) | 0;
      got += k;
    }
    return sum;
  });
}

// ringbuf.js is wait-free and has no way to wait: a side that finds the
// ring full or empty can only poll. Pure polling loses badly on a loaded
// machine (the spinner holds the core its peer needs), so the baseline adds
// the careful ring's protocol around it: SPIN retries, then raise a PARKED
// flag and Atomics.wait on that flag; the other side, after its push or pop
// (which store ringbuf.js's cursor with Atomics.store), lowers the flag with
// one exchange and notifies only if it lowered it (one wake per park). Why no
// lost wakeup: as in bench/_ring.ts (the flag is stored before the ring is
// re-checked, the sleep compares the flag, and a flag is lowered before its
// notify).
const RB_CPARK = 0, RB_PPARK = 1, RB_SPIN = 256;

function rbPark(flags: Int32Array, flag: number, ready: () => boolean): void {
  Atomics.store(flags, flag, 1);
  if (!ready()) {
    if (Atomics.wait(flags, flag, 1, 60_000) === "timed-out") {
      throw new Error("ringbuf.js baseline: peer silent for 60 s");
    }
  }
  Atomics.store(flags, flag, 0);
}

// The peer may be parked on `flag`: lower it and wake it, once.
function rbWake(flags: Int32Array, flag: number): void {
  if (
    Atomics.load(flags, flag) !== 0 && Atomics.exchange(flags, flag, 0) !== 0
  ) Atomics.notify(flags, flag);
}

// A new JS array of the first k items of `from`, 8 stores a step.
function toArray(from: Int32Array, k: number): number[] {
  const out: number[] = new Array(k);
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    out[j] = from[j];
    out[j + 1] = from[j + 1];
    out[j + 2] = from[j + 2];
    out[j + 3] = from[j + 3];
    out[j + 4] = from[j + 4];
    out[j + 5] = from[j + 5];
    out[j + 6] = from[j + 6];
    out[j + 7] = from[j + 7];
  }
  for (; j < k; j++) out[j] = from[j];
  return out;
}

/** ringbuf.js producer: push() in batches, parking while full. */
export function ringbufProduce(
  sab: SharedArrayBuffer,
  flags: Int32Array,
  batch: number,
  ctl: Int32Array,
  id: number,
) {
  const rb = new RingBuffer(sab, Int32Array);
  const chunk = new Int32Array(batch);
  return serve(ctl, id, (n) => {
    for (let i = 0; i < n; i += batch) {
      const len = Math.min(batch, n - i);
      fill(chunk, i, len);
      for (let done = 0, spins = 0; done < len;) {
        const k = rb.push(chunk, len - done, done);
        done += k;
        if (k > 0) {
          spins = 0;
          rbWake(flags, RB_CPARK);
        } else if (++spins > RB_SPIN) {
          rbPark(flags, RB_PPARK, () => rb.available_write() > 0);
        }
      }
    }
    return 0;
  });
}

/**
 * ringbuf.js consumer: pop() into a scratch array, parking while empty.
 * With `fresh`, each batch then goes into a new JS array of its length (8
 * stores a step), which the sum reads: what getMany returns (the like for
 * like of the int-many row).
 */
export function ringbufConsume(
  sab: SharedArrayBuffer,
  flags: Int32Array,
  batch: number,
  fresh: boolean,
  ctl: Int32Array,
  id: number,
) {
  const rb = new RingBuffer(sab, Int32Array);
  const scratch = new Int32Array(batch);
  return serve(ctl, id, (n) => {
    let sum = 0;
    for (let got = 0, spins = 0; got < n;) {
      const k = rb.pop(scratch, Math.min(batch, n - got));
      if (fresh) {
        const xs = toArray(scratch, k);
        for (let j = 0; j < xs.length; j++) sum = (sum + xs[j]) | 0;
      } else for (let j = 0; j < k; j++) sum = (sum + scratch[j]) | 0;
      got += k;
      if (k > 0) {
        spins = 0;
        rbWake(flags, RB_PPARK);
      } else if (++spins > RB_SPIN) {
        rbPark(flags, RB_CPARK, () => rb.available_read() > 0);
      }
    }
    return sum;
  });
}

// ---- structured items ----

export function objQueueProduce(
  q: Queue<Item>,
  batch: number,
  ctl: Int32Array,
  id: number,
) {
  return serve(ctl, id, (n) => {
    if (batch === 1) {
      for (let i = 0; i < n; i++) q.put({ id: i, payload: PAYLOAD });
      return 0;
    }
    for (let i = 0; i < n; i += batch) {
      const items: Item[] = [];
      for (let j = i; j < Math.min(i + batch, n); j++) {
        items.push({ id: j, payload: PAYLOAD });
      }
      q.putMany(items);
    }
    return 0;
  });
}

export function objQueueConsume(
  q: Queue<Item>,
  batch: number,
  ctl: Int32Array,
  id: number,
) {
  return serve(ctl, id, (n) => {
    let sum = 0;
    if (batch === 1) {
      for (let i = 0; i < n; i++) {
        const x = q.get();
        sum = (sum + x.id + x.payload.length) | 0;
      }
      return sum;
    }
    for (let got = 0; got < n;) {
      const xs = q.getMany(Math.min(batch, n - got));
      for (const x of xs) sum = (sum + x.id + x.payload.length) | 0;
      got += xs.length;
    }
    return sum;
  });
}

export function textProduce(s: RingStorage, ctl: Int32Array, id: number) {
  const ring = new TextRing(s);
  return serve(ctl, id, (n) => {
    for (let i = 0; i < n; i++) ring.put({ id: i, payload: PAYLOAD });
    return 0;
  });
}

export function textConsume(s: RingStorage, ctl: Int32Array, id: number) {
  const ring = new TextRing(s);
  return serve(ctl, id, (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = ring.get() as Item;
      sum = (sum + x.id + x.payload.length) | 0;
    }
    return sum;
  });
}
