// Copyright 2026 the threadkit authors. MIT license.
// The shared header every queue starts with, and the element types.
//
// Queue header: Int32Array, 96 slots (384 B), then the store's region.
// Words that different threads write often sit on separate 64-byte lines:
// producers write TAIL, consumers write HEAD, taskDone writes DONE.
// | slot | name         | values                                       | written by                 |
// |------|--------------|----------------------------------------------|----------------------------|
// | 0    | KIND         | MAGIC + discipline * 16 + element type code  | constructor, once          |
// |      |              | (unbounded LIFO/PRIORITY: discipline + 8,    |                            |
// |      |              | _grow.ts KIND_GROWS)                         |                            |
// | 1    | CAPACITY     | most items                                   | constructor, once          |
// | 2    | SHUTDOWN     | 0 OPEN, 1 SHUT, 2 IMMEDIATE                  | shutdown()                 |
// | 3    | GET_WAITERS  | getters registered that no wake reached yet  | add/sub by getters; sub by |
// |      |              | (_state.ts, "Counted wakes")                 | the wakers that woke them  |
// | 4    | PUT_WAITERS  | putters registered that no wake reached yet  | add/sub by putters; sub by |
// |      |              | (_state.ts, "Counted wakes")                 | the wakers that woke them  |
// | 5    | JOIN_WAITERS | joiners waiting or about to wait             | Atomics.add/sub by joiners |
// | 6    | BYTES        | size of the byte region (structured)         | constructor, once          |
// | 7    | FLAGS        | bit 0: items use a custom codec; bits 1-3:   | constructor, once          |
// |      |              | home (_home.ts); 8/9: singleWriter/Reader    |                            |
// | 8    | MODULUS      | M (<= 2^28): TAIL, HEAD, DONE count mod M    | constructor, once          |
// | 9    | PHASE        | numeric FIFO ring: times TAIL crossed a      | putters, under TAIL's lock |
// |      |              | multiple of its stride (_ring.ts)            |                            |
// | 16   | TAIL         | items accepted, mod M; FIFO rings: plus the  | putters                    |
// |      |              | LOCKED/CONTENDED/CLOSED bits of _turn.ts     | putters, shutdown()        |
// |      |              | and SLEEPER (getters may sleep)              | getters (Atomics.or)       |
// | 17   | LAPS         | FIFO rings: times TAIL wrapped M -> 0        | putters, under TAIL's lock |
// | 18   | WRITER       | singleWriter: the writer's ident (_solo.ts)  | its first put, a takeover  |
// | 32   | HEAD         | FIFO rings: items taken, mod M (+ lock bits  | getters (rings only)       |
// |      |              | in the structured ring; SLEEPER: putters     | putters (Atomics.or)       |
// |      |              | may sleep, _turn.ts)                         |                            |
// | 33   | HOLDER       | the consumer lock's holder (_decoding.ts):     | its holder; waiters add    |
// |      |              | ident, DECODING bit, WAITING bit             | WAITING, take over a dead  |
// |      |              |                                              | one                        |
// | 34   | HLAPS        | structured FIFO ring: times HEAD wrapped     | getters, under HEAD's turn |
// |      |              | M -> 0                                       |                            |
// | 35   | PSLEEP       | structured FIFO ring: 1 when a putter may    | putters (1), getters (0)   |
// |      |              | sleep (_text.ts, "Waking putters")           |                            |
// | 36   | READER       | singleReader: the reader's ident (_solo.ts)  | its first get, a takeover  |
// | 48   | DONE         | tasks done (taskDone + immediate drain), mod M | taskDone, shutdown       |
// | 64   | NOT_EMPTY    | sequence, bumped to wake getters; notified   | putters, shutdown          |
// |      |              | only by wakeCounted or a counted abort flush |                            |
// |      |              | (_state.ts, "Counted wakes")                 |                            |
// | 65   | NOT_FULL     | sequence, bumped to wake putters; notified   | getters, shutdown          |
// |      |              | only by wakeCounted or a counted abort flush |                            |
// | 66   | ALL_DONE     | sequence, bumped to wake joiners             | taskDone, shutdown         |
// | 80   | LOCK         | Lock word of the locked stores               | sync/lock.ts               |
// | 81   | COUNT        | items held (locked stores)                   | under LOCK                 |
// | 82   | A            | store word (byte ring head, stack top)       | under LOCK                 |
// | 83   | B            | store word (byte ring tail; structured FIFO: | under LOCK (TAIL's lock)   |
// |      |              | next byte offset to write)                   |                            |
// | 84   | DATA         | unbounded LifoQueue / PriorityQueue: its     | constructor; a grow, under |
// |      |              | data block (_grow.ts; FLAGS bit 10 is set)   | LOCK                       |
// Unfinished tasks = TAIL - DONE (mod M): a put costs no extra atomic.

import type { Acquire } from "../_core/wait.ts";

export const KIND = 0;
export const CAPACITY = 1;
export const SHUTDOWN = 2;
export const GET_WAITERS = 3;
export const PUT_WAITERS = 4;
export const JOIN_WAITERS = 5;
export const BYTES = 6;
export const FLAGS = 7;
export const MODULUS = 8;
export const PHASE = 9;
export const TAIL = 16;
export const LAPS = 17;
export const WRITER = 18;
export const HEAD = 32;
export const HOLDER = 33;
export const HLAPS = 34;
export const PSLEEP = 35;
export const READER = 36;
export const DONE = 48;
export const NOT_EMPTY = 64;
export const NOT_FULL = 65;
export const ALL_DONE = 66;
export const LOCK = 80;
export const COUNT = 81;
export const A = 82;
export const B = 83;
export const HEADER_WORDS = 96;
export const HEADER_BYTES: number = HEADER_WORDS * 4;

export { CLOSED, POSITION } from "./_turn.ts";

export const OPEN = 0;
export const SHUT = 1;
export const IMMEDIATE = 2;
export const FLAG_CODEC = 1;
/** FLAGS: the queue has one writer (singleWriter; bits 1-3 are _home.ts's). */
export const FLAG_SINGLE_WRITER: number = 1 << 8;
/** FLAGS: the queue has one reader (singleReader). */
export const FLAG_SINGLE_READER: number = 1 << 9;
// The queue header's magic (KIND's high half). 0x5176 since counted wakes
// (_state.ts): GET_WAITERS counts only getters no wake reached, and every
// notify of NOT_EMPTY must take the woken off it; a copy of threadkit from
// before (0x5175) would subtract woken getters twice, so it refuses these
// queues (checkRevivable) instead of sharing them. 0x5177 since PUT_WAITERS
// counts the same way (putters' counted wakes): a copy of 0x5176 would
// subtract woken putters twice (and notify NOT_FULL uncounted).
export const MAGIC = 0x51770000;

/** Storage discipline: which item a get returns. */
export const FIFO = 0;
export const LIFO = 1;
export const PRIORITY = 2;

/** Most items a queue may hold. */
export const MAX_CAPACITY: number = 2 ** 26;
/** Largest byte region of a structured queue (1 GiB). */
export const MAX_BYTES: number = 2 ** 30;

/** The numeric element types of a queue: no encoding, one slot per item. */
export type NumericType =
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "float32"
  | "float64"
  | "bigint64"
  | "biguint64";

/** A queue's element type: a numeric slot type, or any structured value. */
export type ElementType = NumericType | "structured";

/** A typed array of any numeric element type. */
export type NumericArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** What a numeric element type needs: its array and its exact-value check. */
export interface NumericInfo {
  readonly name: NumericType;
  readonly code: number;
  readonly Array: {
    new (
      buffer: SharedArrayBuffer,
      byteOffset: number,
      length: number,
    ): NumericArray;
    readonly BYTES_PER_ELEMENT: number;
  };
  /** True when `x` is stored exactly (integers: -0 is stored as 0). */
  readonly exact: (x: unknown) => boolean;
  readonly bigint: boolean;
}

function int(bits: number, signed: boolean): (x: unknown) => boolean {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return (x) =>
    typeof x === "number" && Number.isInteger(x) && x >= min && x <= max;
}

const NUMERIC: readonly NumericInfo[] = [
  {
    name: "int8",
    code: 0,
    Array: Int8Array,
    exact: int(8, true),
    bigint: false,
  },
  {
    name: "uint8",
    code: 1,
    Array: Uint8Array,
    exact: int(8, false),
    bigint: false,
  },
  {
    name: "int16",
    code: 2,
    Array: Int16Array,
    exact: int(16, true),
    bigint: false,
  },
  {
    name: "uint16",
    code: 3,
    Array: Uint16Array,
    exact: int(16, false),
    bigint: false,
  },
  {
    name: "int32",
    code: 4,
    Array: Int32Array,
    exact: (x: unknown) => typeof x === "number" && (x | 0) === x,
    bigint: false,
  },
  {
    name: "uint32",
    code: 5,
    Array: Uint32Array,
    exact: (x: unknown) => typeof x === "number" && x >>> 0 === x,
    bigint: false,
  },
  {
    name: "float32",
    code: 6,
    Array: Float32Array,
    exact: (x: unknown) =>
      typeof x === "number" && (Math.fround(x) === x || x !== x),
    bigint: false,
  },
  {
    name: "float64",
    code: 7,
    Array: Float64Array,
    exact: (x: unknown) => typeof x === "number",
    bigint: false,
  },
  {
    name: "bigint64",
    code: 8,
    Array: BigInt64Array,
    exact: (x: unknown) => typeof x === "bigint" && BigInt.asIntN(64, x) === x,
    bigint: true,
  },
  {
    name: "biguint64",
    code: 9,
    Array: BigUint64Array,
    exact: (x: unknown) => typeof x === "bigint" && BigInt.asUintN(64, x) === x,
    bigint: true,
  },
] as never;

/** The code of the structured element type. */
export const STRUCTURED = 15;

/** Info of a numeric type by name or code. */
export function numericInfo(type: string | number): NumericInfo | undefined {
  return NUMERIC.find((t) => t.name === type || t.code === type);
}

/** Why `x` cannot go in a queue of `info`'s type. */
export function numericError(info: NumericInfo, x: unknown): Error {
  const want = info.bigint ? "bigint" : "number";
  if (
    (typeof x === "bigint") !== info.bigint ||
    typeof x !== "number" && typeof x !== "bigint"
  ) {
    return new TypeError(
      `Cannot put item in ${info.name} queue: expected a ${want}, got ${typeof x}`,
    );
  }
  return new RangeError(
    `Cannot put item in ${info.name} queue: ${
      String(x)
    } is not exactly representable as ${info.name}`,
  );
}

/** Rounds `n` up to a multiple of 8. */
export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Signed distance a - b of two counters modulo `m` (|a - b| < m / 2). */
export function distance(a: number, b: number, m: number): number {
  const d = a - b;
  const half = m / 2;
  return d >= half ? d - m : d < -half ? d + m : d;
}

/**
 * A structured queue's item decoder (the custom codec's, or the default
 * JSON one). Stores call it while they still hold the item, and take the item
 * only after it returned: a decoder that throws leaves the queue unchanged.
 */
export type Decode = (bytes: Uint8Array) => unknown;

/** Returned by a store's tryGet when it holds no item. */
export const EMPTY: unique symbol = Symbol("threadkit.queue.empty") as never;

/**
 * Returned by a store's tryGet (and -2 by the other try methods) when
 * another thread held the consumer lock inside a custom decode past the
 * call's `until` (see _decoding.ts).
 */
export const BUSY: unique symbol = Symbol("threadkit.queue.busy") as never;
/** The count a try method returns for BUSY. */
export const BUSY_COUNT = -2;
/**
 * The `until` of a nowait call's try: waits for another thread's custom
 * decode GRACE ms at most (_decoding.ts), as no deadline (>= 0) could.
 */
export const NOWAIT_UNTIL = -1;

/**
 * The wait of an async call's store try: never for another thread's
 * decode, nor for a turn held by one that copies past the try's spin (the
 * call then awaits either without blocking the event loop: _held_turn.ts).
 */
export const NO_WAIT: Acquire = Object.freeze({
  blocking: false,
  deadline: -Infinity,
  signal: undefined,
});

/**
 * The `until` of a store try (see Store.tryPut) with wait `w`: the call's
 * options, NO_WAIT, or undefined (wait as long as it takes). Read only on a
 * slow path: the tries take `w` as it is, an object, so that the hot path
 * neither computes nor boxes a number.
 */
export function waitUntil(w: Acquire | undefined): number {
  if (w === undefined) return Infinity;
  if (w === NO_WAIT) return -Infinity;
  return w.blocking ? w.deadline : NOWAIT_UNTIL;
}

/**
 * A queue's storage discipline over its shared region. `raw` items are
 * numbers/bigints (numeric stores), Uint8Arrays (byte stores) or
 * { key, bytes } (byte heap). Every method is safe to call from any thread at
 * any time; none waits (the core does the waiting).
 */
export interface Store {
  /**
   * The header slot of the lock both sides take (LOCK: the locked stores);
   * absent for the rings, whose puts take TAIL's turn and gets HEAD's
   * (_held_turn.ts).
   */
  readonly lockWord?: number;
  /**
   * True for the rings: they wake the other side's waiters themselves, in
   * the release of their counter (SLEEPER, _turn.ts), so the core's
   * afterPut/afterGet do nothing; a waiter calls flagSleeper once it has
   * registered and read its sequence (_state.ts). Absent in the locked
   * stores: the core wakes by the waiter counts.
   */
  readonly wakes?: boolean;
  /** Rings: a putter (`put`) or getter is about to try again and sleep. */
  flagSleeper?(put: boolean): void;
  /**
   * The numeric FIFO ring: removes up to `max` items into target[from...]
   * (its element type's typed array) and returns how many; without it, the
   * core copies what tryGetMany returns.
   */
  tryGetInto?(target: NumericArray, from: number, max: number): number;
  /** Items held now (a snapshot). */
  count(): number;
  /**
   * A waiting putter's slice-end check (_room.ts): whether the put of
   * `raws` (one item when `single`, else its item at `from`) may fit now,
   * judged from a snapshot without the store's lock. Absent: by count().
   */
  roomFor?(raws: unknown, from: number, single: boolean): boolean;
  /** Throws a RangeError if `raw` can never fit, whatever the queue holds. */
  check(raw: unknown, from?: number): void;
  /**
   * Adds `raw`: 1 when added, 0 when there is no room, -1 when shut down,
   * BUSY_COUNT when the store lock was held in a custom decode past `until`.
   *
   * `w`, the call's wait (here and below: its options, NO_WAIT, or none),
   * gives `until` (waitUntil), which bounds the wait for a store or consumer
   * lock that another thread holds inside a custom codec's decode: the
   * call's deadline; NOWAIT_UNTIL (nowait calls): a grace of GRACE ms
   * (_decoding.ts), so that a fast decode is waited out; -Infinity (NO_WAIT,
   * the tries of async calls): not at all; Infinity (none, or a blocking
   * call without a timeout): as long as it takes. Holders that only copy
   * words and bytes are waited for, as Python's queue calls wait for the
   * queue's mutex (idleUntil, _decoding.ts), except by NO_WAIT, which
   * spins and returns BUSY_COUNT (_held_turn.ts); a dead holder is taken
   * over (_decoding.ts).
   */
  tryPut(raw: unknown, w?: Acquire): number;
  /**
   * Removes and returns the next item, EMPTY, or BUSY. Byte stores decode it
   * with `decode` first (the structured FIFO ring uses its own JSON fast path
   * when `decode` is undefined) and take it only if that succeeded; a throw
   * propagates with the item left in place.
   */
  tryGet(decode?: Decode, w?: Acquire): unknown;
  /**
   * Adds raws[from...] while there is room; returns how many it added, -1
   * (having added none) when shut down, or BUSY_COUNT.
   */
  tryPutMany(raws: ArrayLike<unknown>, from: number, w?: Acquire): number;
  /**
   * Shutdown: refuses every later put, waits until a put in progress has
   * landed, then calls `publish` (which stores SHUTDOWN). When `publish`
   * runs, no put is in flight and none can land any more: the rings have set
   * CLOSED in TAIL and waited out TAIL's lock holder; the locked stores call
   * it while holding their lock, under which puts read SHUTDOWN. Never waits
   * interruptibly: it completes in a cancelled thread too.
   */
  close(publish: () => void): void;
  /**
   * Removes up to `max` items into `out` (decoded as tryGet does); returns
   * how many. When decoding the k-th item throws, the first k - 1 are taken
   * and returned; for k = 1 the error propagates and nothing is taken.
   * `decode` null means "discard without decoding" (immediate shutdown).
   * BUSY_COUNT: nothing taken (see tryPut's `until`).
   */
  tryGetMany(
    max: number,
    out: unknown[],
    decode?: Decode | null,
    w?: Acquire,
  ): number;
}
