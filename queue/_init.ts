// Copyright 2026 the threadkit authors. MIT license.
// Options, validation and construction: checking a queue's init, sizing its
// memory, writing the header once, building the Store and a handle's
// QueueState (new or revived), and parsing put/get options.
//
// Header slots used here (full table: _layout.ts):
// | slot | name     | values                                      | written by        |
// |------|----------|---------------------------------------------|-------------------|
// | 0    | KIND     | MAGIC + discipline * 16 + element type code | constructor, once |
// | 1    | CAPACITY | most items                                  | constructor, once |
// | 6    | BYTES    | size of the byte region (structured)        | constructor, once |
// | 7    | FLAGS    | bit 0: items use a custom codec; bits 1-3:  | constructor, once |
// |      |          | the home code (_home.ts: why not the heap); |                   |
// |      |          | bits 8, 9: singleWriter, singleReader       |                   |
// | 8    | MODULUS  | M (<= 2^28): TAIL, HEAD, DONE count mod M   | constructor, once |
//
// Memory states: zeroed (fresh SharedArrayBuffer, or the caller's region
// filled with 0) -constructor-> header written (then a PriorityQueue of
// bytes inits its heap) -> in use; a revived handle checks KIND and the
// region's size, and writes nothing.

import { blockAlloc, holdBlock } from "../_core/heap.ts";
import { checkRegion } from "../_core/placement.ts";
import { runtime } from "../_core/runtime.ts";
import type { Descriptor } from "../_core/transfer.ts";
import {
  type Acquire,
  blockingOptions,
  checkOptions,
  refuseSpellings,
} from "../_core/wait.ts";
import type { QueueInit, QueueOptions } from "./_init_options.ts";
import { checkCodec, decoderOf } from "./_glue.ts";
import {
  HEAP_QUEUE_MAX,
  HOME_HEAP,
  HOME_LARGE,
  HOME_PLACED,
  HOME_SHIFT,
  refusal,
} from "./_home.ts";
import {
  align8,
  BYTES,
  CAPACITY,
  FIFO,
  FLAG_CODEC,
  FLAG_SINGLE_READER,
  FLAG_SINGLE_WRITER,
  FLAGS,
  HEADER_BYTES,
  HEADER_WORDS,
  KIND,
  LIFO,
  MAGIC,
  MAX_BYTES,
  MAX_CAPACITY,
  MODULUS,
  type NumericInfo,
  numericInfo,
  PRIORITY,
  type Store,
  STRUCTURED,
} from "./_layout.ts";
import { ByteHeap, ByteStack } from "./_bytes.ts";
import { BlockHeap, BlockStack } from "./_blocks.ts";
import {
  DATA,
  dataBytes,
  DISCIPLINE,
  FLAG_GROWS,
  growAlloc,
  growSizes,
  isUnbounded,
  KIND_GROWS,
} from "./_grow.ts";
import { NumHeap, NumStack } from "./_num_stores.ts";
import { Ring } from "./_ring.ts";
import { ringBytes, ringModulus } from "./_ring_head.ts";
import { SoloRing } from "./_solo.ts";
import { TextRing } from "./_text.ts";
import { textBytes } from "./_text_run.ts";
import type { QueueState } from "./_state.ts";

export type { QueueInit, QueueOptions } from "./_init_options.ts";

/** FLAGS bits for init's singleWriter/singleReader, checked (see QueueInit). */
export function sideFlags(
  discipline: number,
  init: QueueInit<unknown>,
  numeric: boolean,
): number {
  let flags = 0;
  for (const [key, bit] of SIDES) {
    const v = init[key];
    if (v === undefined || v === false) continue;
    if (v !== true) {
      throw new TypeError(
        `Cannot create queue: ${key} must be a boolean, got ${typeof v}`,
      );
    }
    if (discipline !== FIFO) {
      throw new TypeError(
        `Cannot create queue: ${key} applies to Queue only (a LifoQueue's or PriorityQueue's puts and gets share one lock, which one side alone cannot skip)`,
      );
    }
    if (!numeric) {
      throw new TypeError(
        `Cannot create queue: ${key} applies to numeric element types only (not yet to "structured")`,
      );
    }
    flags |= bit;
  }
  return flags;
}

/**
 * An unbounded queue's init (Queue without a capacity, SimpleQueue): the
 * single-side modes are the bounded ring's only (a chain's segments change
 * hands as it grows, _chain.ts), so any value but undefined or false is a
 * TypeError.
 */
export function refuseSides(init: object | undefined): void {
  if (init !== undefined && (typeof init !== "object" || init === null)) {
    throw new TypeError( // SimpleQueue(5)
      `Cannot create queue: options must be an object, got ${typeof init}`,
    );
  }
  refuseMaxsize(init);
  for (const [key] of SIDES) {
    const v = (init as Record<string, unknown> | undefined)?.[key];
    if (v !== undefined && v !== false) {
      throw new TypeError(
        `Cannot create queue: ${key} applies to bounded queues (give a capacity)`,
      );
    }
  }
}

// Python's keyword, which an unknown-key check would not name: Queue({
// maxsize: 4 }) made an unbounded queue before.
function refuseMaxsize(init: object | undefined): void {
  refuseSpellings("create queue", init, {
    maxsize: "{ capacity: n } for a bounded queue",
  });
}

const SIDES = [
  ["singleWriter", FLAG_SINGLE_WRITER],
  ["singleReader", FLAG_SINGLE_READER],
] as const;

const DEFAULT_OPTIONS: Acquire = {
  blocking: true,
  deadline: Infinity,
  signal: undefined,
};

/** A put's or get's options as the wait helper takes them. */
export function queueOptions(options: QueueOptions | undefined): Acquire {
  if (options === undefined) return DEFAULT_OPTIONS;
  checkOptions("wait", options, "block"); // q.get(false), q.put(x, 100)
  const { block = true, timeout, signal } = options;
  // As Python's Queue.put/get: with block false the timeout is ignored
  // (a lock's acquire refuses the pair, as Python's does).
  return blockingOptions(
    "wait",
    "block",
    block,
    block === false ? undefined : timeout,
    signal,
  );
}
export const NOWAIT: Acquire = queueOptions({ block: false }); // *Nowait()

/** getMany's `max`, checked; the capacity when not given. */
export function checkMax(max: number | undefined, capacity: number): number {
  if (max === undefined) return capacity;
  if (typeof max !== "number" || max % 1 !== 0 || max < 1) { // (NaN too)
    throw new RangeError(
      `Cannot get items: max must be a positive integer, got ${String(max)}`,
    );
  }
  return max;
}

// Where a new queue's memory comes from: the caller's region, else a heap
// block if it takes at most HEAP_QUEUE_MAX (8 MiB, a queue chunk's largest
// block, _core/heap_chunks.ts) and the queues' share of the heap still
// allows it (so that it can travel inside queue items as an offset), else
// (larger, the share taken, or the heap full) a SharedArrayBuffer of its
// own, which travels as a thread arg only and records why (_home.ts). Heap
// blocks are powers of two: a queue takes up to twice its size there.

/**
 * A handle's state: over `revived`'s memory (checked by checkRevivable), or
 * over new memory (the caller's region, a heap block or a fresh buffer) set
 * up for `init`. `owner`, the handle, is kept reachable by the state (every
 * wait holds the state), and holds the heap block's reference if any.
 */
export function createState(
  discipline: number,
  init: QueueInit<unknown> | undefined,
  revived: Descriptor | undefined,
  owner: object,
): QueueState {
  let h: Int32Array;
  let home = HOME_HEAP;
  if (revived !== undefined) {
    h = new Int32Array(revived.buffer, revived.byteOffset, HEADER_WORDS);
    h = new Int32Array(
      revived.buffer,
      revived.byteOffset,
      totalBytes(discipline, h) >> 2,
    );
  } else {
    const shape = checkInit(discipline, init);
    init ??= {}; // an unbounded LifoQueue or PriorityQueue
    // Every check before the first write: a bad codec must not leave a
    // caller's region zeroed.
    if (init!.codec !== undefined) checkCodec(init!.codec);
    const total = shape.total;
    let buffer: SharedArrayBuffer, byteOffset = 0, data = 0;
    if (shape.first > 0) { // unbounded (_grow.ts)
      const first = dataBytes(discipline, shape.code, shape.first);
      ({ at: byteOffset, data } = growAlloc(total, first, shape.first));
      buffer = runtime().buffer;
      holdBlock(owner, byteOffset);
    } else if (init!.buffer !== undefined || init!.byteOffset !== undefined) {
      if (init!.buffer === undefined) {
        throw new TypeError("Cannot place queue: byteOffset needs a buffer");
      }
      byteOffset = init!.byteOffset ?? 0;
      checkRegion("queue", init!.buffer, byteOffset, total, 8);
      buffer = init!.buffer;
      // The cheap check placement allows: a queue's first word is MAGIC +
      // kind from its constructor on, so a region that starts with it holds
      // a queue (maybe live: zeroing it would lose its items and strand its
      // waiters). Reusing the region is the caller's to say: zero it first.
      const kind = Atomics.load(new Int32Array(buffer, byteOffset, 1), 0);
      if ((kind & ~0xffff) === MAGIC) {
        throw new RangeError(
          `Cannot place queue: byteOffset ${byteOffset} holds a queue already; zero its first word to reuse the region`,
        );
      }
      new Uint8Array(buffer, byteOffset, total).fill(0);
      home = HOME_PLACED;
    } else {
      const at = total <= HEAP_QUEUE_MAX ? blockAlloc(total, true) : -1;
      if (at >= 0) {
        buffer = runtime().buffer; // zeroed by blockAlloc
        byteOffset = at;
        holdBlock(owner, at);
      } else {
        buffer = new SharedArrayBuffer(total);
        home = total > HEAP_QUEUE_MAX ? HOME_LARGE : refusal(total);
      }
    }
    h = new Int32Array(buffer, byteOffset, total >> 2);
    const d = discipline + (shape.first > 0 ? KIND_GROWS : 0);
    h[KIND] = MAGIC + d * 16 + shape.code;
    h[CAPACITY] = shape.capacity;
    h[BYTES] = shape.bytes;
    h[FLAGS] = (init!.codec !== undefined ? FLAG_CODEC : 0) |
      home << HOME_SHIFT | shape.sides;
    h[MODULUS] = discipline === FIFO ? ringModulus(shape.capacity) : 2 ** 28;
    if (shape.first > 0) {
      h[FLAGS] |= FLAG_GROWS;
      h[DATA] = data;
    }
  }
  const code = h[KIND] & 15;
  const info = numericInfo(code);
  const m = h[MODULUS];
  const store = makeStore(discipline, info, h);
  if (revived === undefined && store instanceof ByteHeap) store.init();
  const st: QueueState = {
    h,
    store,
    ring: store instanceof Ring ? store : undefined,
    info,
    discipline,
    m,
    wakePutters: info === undefined ? Infinity : 1,
    codec: init?.codec,
    decode: undefined,
    noCodec: false,
    put: 0,
    owner,
  };
  st.decode = decoderOf(st);
  st.noCodec = (h[FLAGS] & FLAG_CODEC) !== 0 && init?.codec === undefined;
  return st;
}

/** Checks that `d` holds a queue of `discipline` (QueueBase.revive). */
export function checkRevivable(discipline: number, d: Descriptor): void {
  checkRegion("queue", d.buffer, d.byteOffset, HEADER_BYTES, 8);
  const h = new Int32Array(d.buffer, d.byteOffset, HEADER_WORDS);
  const kind = Atomics.load(h, KIND);
  if ((kind & ~0xffff) !== MAGIC || ((kind >> 4) & DISCIPLINE) !== discipline) {
    throw new TypeError(
      "Cannot revive queue: the memory does not hold a queue of this class",
    );
  }
  checkRegion("queue", d.buffer, d.byteOffset, totalBytes(discipline, h), 8);
}

/** Bytes a queue with these options occupies when placed in a caller's buffer. */
export function queueByteLength(
  discipline: number,
  init: QueueInit<unknown>,
): number {
  if (isUnbounded(init)) {
    throw new TypeError(
      "Cannot size queue: an unbounded queue grows in the shared heap, it cannot be placed",
    );
  }
  return checkInit(discipline, init).total;
}

/** A structured queue's default byte region: 256 per item, 64 KiB to 64 MiB. */
export function defaultBytes(capacity: number): number {
  return Math.max(64 * 1024, Math.min(capacity * 256, 64 * 1024 * 1024));
}

interface Shape {
  readonly code: number;
  readonly capacity: number;
  readonly bytes: number;
  readonly total: number;
  readonly sides: number;
  /** Unbounded (_grow.ts): items of the first data block; else 0. */
  readonly first: number;
}

function checkInit(
  discipline: number,
  init: QueueInit<unknown> | undefined,
): Shape {
  // LifoQueue, PriorityQueue: no capacity is Python's unbounded maxsize.
  let first = 0;
  if (discipline !== FIFO && isUnbounded(init)) {
    const sizes = growSizes(init);
    first = sizes.first;
    init = { ...init, capacity: sizes.max };
  }
  if (typeof init !== "object" || init === null) {
    throw new TypeError(
      `Cannot create queue: options must be an object, got ${
        init === null ? "null" : typeof init
      }`,
    );
  }
  refuseMaxsize(init);
  const { capacity, type = "structured", bytes, codec } = init;
  if (typeof capacity !== "number") {
    throw new TypeError(
      `Cannot create queue: capacity must be a number, got ${typeof capacity}`,
    );
  }
  if (
    !Number.isInteger(capacity) ||
    capacity < 1 || capacity > MAX_CAPACITY
  ) {
    throw new RangeError(
      `Cannot create queue: capacity must be an integer from 1 to ${MAX_CAPACITY}, got ${
        String(capacity)
      }`,
    );
  }
  const info = type === "structured" ? undefined : numericInfo(type);
  if (
    type !== "structured" && (info === undefined || typeof type !== "string")
  ) {
    throw new TypeError(
      `Cannot create queue: unknown element type "${String(type)}"`,
    );
  }
  if (info !== undefined && (bytes !== undefined || codec !== undefined)) {
    throw new TypeError(
      `Cannot create queue: "bytes" and "codec" apply to structured queues, not ${type}`,
    );
  }
  let size = 0;
  if (info === undefined && first === 0) {
    size = bytes ?? defaultBytes(capacity);
    if (
      typeof size !== "number" || !Number.isInteger(size) || size < 16 ||
      size > MAX_BYTES
    ) {
      throw new RangeError(
        `Cannot create queue: bytes must be an integer from 16 to ${MAX_BYTES}, got ${
          String(size)
        }`,
      );
    }
    size = align8(size);
    if (discipline === PRIORITY && ByteHeap.slotBytes(capacity, size) < 8) {
      throw new RangeError(
        `Cannot create queue: bytes (${size}) leave less than 8 bytes per item for capacity ${capacity}`,
      );
    }
  }
  const code = info?.code ?? STRUCTURED;
  const sides = sideFlags(discipline, init, info !== undefined);
  if (first > 0) {
    return { code, capacity, bytes: 0, total: HEADER_BYTES, sides, first };
  }
  const shape = { code, capacity, bytes: size, total: 0, sides, first };
  return {
    ...shape,
    total: HEADER_BYTES + align8(storeBytes(discipline, info, capacity, size)),
  };
}

function storeBytes(
  discipline: number,
  info: NumericInfo | undefined,
  capacity: number,
  bytes: number,
): number {
  if (info !== undefined) {
    return discipline === FIFO
      ? ringBytes(info, capacity)
      : capacity * info.Array.BYTES_PER_ELEMENT;
  }
  if (discipline === FIFO) return textBytes(capacity, bytes);
  return discipline === PRIORITY ? ByteHeap.bytes(capacity, bytes) : bytes;
}

function totalBytes(discipline: number, h: Int32Array): number {
  if ((Atomics.load(h, FLAGS) & FLAG_GROWS) !== 0) return HEADER_BYTES;
  const info = numericInfo(Atomics.load(h, KIND) & 15);
  return HEADER_BYTES +
    align8(
      storeBytes(
        discipline,
        info,
        Atomics.load(h, CAPACITY),
        Atomics.load(h, BYTES),
      ),
    );
}

function makeStore(
  discipline: number,
  info: NumericInfo | undefined,
  h: Int32Array,
): Store {
  if (info !== undefined) {
    if (discipline === FIFO) {
      const sides = h[FLAGS] & (FLAG_SINGLE_WRITER | FLAG_SINGLE_READER);
      return sides === 0 ? new Ring(h, info) : new SoloRing(h, info, sides);
    }
    if (discipline === LIFO) return new NumStack(h, info);
    return new NumHeap(h, info);
  }
  if (discipline === FIFO) return new TextRing(h);
  if ((h[FLAGS] & FLAG_GROWS) !== 0) {
    return discipline === LIFO ? new BlockStack(h) : new BlockHeap(h);
  }
  if (discipline === LIFO) return new ByteStack(h);
  return new ByteHeap(h);
}
