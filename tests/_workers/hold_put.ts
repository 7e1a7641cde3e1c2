// Copyright 2026 the threadkit authors. MIT license.
// A thread that makes one put of an unbounded queue (SimpleQueue, or Queue
// without a capacity) while the test holds its newest segment's TAIL turn:
// tests/queue/unbounded_hold_test.ts. It shows how long it has waited on
// that TAIL word (Atomics.wait and Atomics.waitAsync wrapped in this thread).
import { QueueFullError } from "../../mod.ts";

type Unbounded = {
  put(x: string, o?: object): void;
  putNowait(x: string): void;
  putAsync?(x: string, o?: object): Promise<void>;
  putMany?(xs: string[], o?: object): number;
  putManyAsync?(xs: string[], o?: object): Promise<number>;
};

/** The put forms putBehind knows, by name. */
export const FORMS = {
  "put": (q: Unbounded) => q.put("z"),
  "put block false": (q: Unbounded) => q.put("z", { block: false }),
  "putNowait": (q: Unbounded) => q.putNowait("z"),
  "putAsync": (q: Unbounded) => q.putAsync!("z"),
  "putAsync block false": (q: Unbounded) => q.putAsync!("z", { block: false }),
  "putMany": (q: Unbounded) => q.putMany!(["z"]),
  "putMany block false": (q: Unbounded) => q.putMany!(["z"], { block: false }),
  "putManyAsync": (q: Unbounded) => q.putManyAsync!(["z"]),
  "putManyAsync block false": (q: Unbounded) =>
    q.putManyAsync!(["z"], { block: false }),
} as const;

/**
 * Sets flags[0] (and wakes it), then makes put form `form` (FORMS) on `q`,
 * whose newest segment's header is at byte `segment` of its buffer
 * `buffer`. While it runs, flags[1] is the ms since this thread first
 * waited on that segment's TAIL (slot 16), updated at each such wait's
 * start and end; flags[2] is 1 once the put ended. Returns "put", "Full"
 * or the error.
 */
export async function putBehind(
  q: Unbounded,
  form: keyof typeof FORMS,
  buffer: SharedArrayBuffer,
  segment: number,
  flags: Int32Array,
): Promise<string> {
  const wait = Atomics.wait, waitAsync = Atomics.waitAsync;
  let start = NaN;
  const seen = (view: Int32Array, index: number) => {
    if (index !== 16 || view.buffer !== buffer) return;
    if (view.byteOffset !== segment) return;
    const now = performance.now();
    if (start !== start) start = now;
    Atomics.store(flags, 1, Math.floor(now - start));
  };
  Atomics.wait = function (
    view: Int32Array,
    index: number,
    value: number,
    timeout?: number,
  ) {
    seen(view, index);
    try {
      return wait(view, index, value, timeout);
    } finally {
      seen(view, index);
    }
  } as typeof Atomics.wait;
  Atomics.waitAsync = function (
    view: Int32Array,
    index: number,
    value: number,
    timeout?: number,
  ) {
    seen(view, index);
    const r = waitAsync(view, index, value, timeout);
    if (r.async) r.value.then(() => seen(view, index));
    return r;
  } as typeof Atomics.waitAsync;
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  try {
    const n = await FORMS[form](q); // putMany's forms: the count put
    return n === undefined || n === 1 ? "put" : `put ${n}`;
  } catch (error) {
    return error instanceof QueueFullError ? "Full" : String(error);
  } finally {
    Atomics.wait = wait;
    Atomics.waitAsync = waitAsync;
    Atomics.store(flags, 2, 1);
  }
}
