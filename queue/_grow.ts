// Copyright 2026 the threadkit authors. MIT license.
// Unbounded LifoQueue and PriorityQueue (no capacity, or capacity <= 0:
// Python's maxsize <= 0): a locked store (_locked.ts) whose items live in a
// data block of the shared heap that grows, moved under the store's lock.
//
// Header slots used here (full table: _layout.ts):
// | slot | name     | values                                     | written by           |
// |------|----------|--------------------------------------------|----------------------|
// | 1    | CAPACITY | maxCapacity: most items (puts wait there)  | constructor, once    |
// | 0    | KIND     | MAGIC + (discipline + KIND_GROWS) * 16 +   | constructor, once    |
// |      |          | element type code (older copies refuse it) |                      |
// | 7    | FLAGS    | FLAG_GROWS (bit 10): the data block grows  | constructor, once    |
// | 84   | DATA     | the data block's payload offset in the     | constructor; a grow, |
// |      |          | runtime block                              | under LOCK           |
// | 81   | COUNT    | items held (as every locked store)         | under LOCK           |
//
// Memory: the header is a queue block of kind GROW_KIND; the data block, a
// queue block with one reference, the header's (released by the grow that
// replaces it, or by GROW_KIND's release hook). The data block's first
// word is SLOTS, the items it has room for (written before DATA names the
// block, never after), then from byte 8 the store's arrays for SLOTS items
// (numeric: the items; structured: each item's own heap block offset, and
// a priority queue's keys and orders, _blocks.ts); the first has
// SLOTS = initialCapacity.
//
// States of the data block: MAPPED (named by DATA) -a put under LOCK finds
// COUNT = SLOTS < CAPACITY: allocate a block for min(2 SLOTS, CAPACITY),
// write its SLOTS, copy COUNT items, store DATA (one word: a holder that
// dies before it leaves the old block in use, after it the new one; the
// other at worst leaks), release the old one-> MAPPED (the new one). A heap
// that refuses the block leaves everything as it was: the put finds no
// room and waits, as at CAPACITY (a slice-end look, roomFor, tries again
// within 50 ms; a get's wake too).
//
// Why a handle never touches a freed data block: every read and write of
// the data block is made under LOCK (no lock-free path reads it: count()
// reads COUNT, roomFor reads COUNT; a new handle, made without the lock,
// has empty views and reads neither DATA nor the block: a grow in another
// thread may release that block at once), and each such access first compares
// DATA and the SLOTS word at DATA with the offset and SLOTS this handle's
// views were made for, remaking them when either changed
// (LockedStore.#mapped). Both: a block's offset comes back (the block a
// grow released is the next grow's when both fit one size class: a queue
// chunk's smallest blocks), with a larger SLOTS, so a handle that compared
// DATA alone would keep its views of the smaller block. A grow runs under
// LOCK too, so a handle in another thread that still has views of the old
// block reads DATA after the grow's release of LOCK and remaps before any
// access. So the old block is released at the grow itself, and its bytes
// may be reused at once. An item's own block (structured) is named only by the
// data block: released when its item is dropped (or discarded), and by
// the release hook for the items still held when the queue's last handle
// goes (their held primitives' references leak, as in any dropped queue).
//
// Order across growth: a grow copies the arrays as they are (the stack's
// order, the heap's array and its insertion counter), so LIFO order and
// priority order (ties in put order) do not change.

import {
  blockAlloc,
  blockRelease,
  isBlock,
  registerRelease,
} from "../_core/heap.ts";
import { runtime } from "../_core/runtime.ts";
import { QueueMemoryError } from "./errors.ts";
import { HEAP_FREES } from "./_home.ts";
import {
  CAPACITY,
  COUNT,
  HEADER_WORDS,
  KIND,
  LIFO,
  numericInfo,
} from "./_layout.ts";

/** Header slot: the data block's payload offset. */
export const DATA = 84;
/** Bytes before the data block's arrays: its SLOTS word and a pad. */
export const DATA_HEAD = 8;
/** FLAGS: the queue is unbounded, its data block grows (this file). */
export const FLAG_GROWS: number = 1 << 10;
/**
 * Added to an unbounded queue's discipline in KIND (bits 4-7): a copy of
 * threadkit from before unbounded LifoQueue/PriorityQueue finds no
 * discipline of its own there and refuses the queue (checkRevivable),
 * instead of reading it as a bounded queue of maxCapacity items laid after
 * the header (it would write past the header block). Readers mask it off
 * (DISCIPLINE).
 */
export const KIND_GROWS = 8;
/** The discipline bits of KIND >> 4, without KIND_GROWS. */
export const DISCIPLINE = 7;
/** The heap block kind of an unbounded LifoQueue's or PriorityQueue's header. */
export const GROW_KIND = 2;
/** Items the first data block holds when no initialCapacity is given. */
export const GROW_FIRST = 64;
/** Default maximum (items) of an unbounded queue (Queue's too). */
export const UNBOUNDED_MAX: number = 2 ** 20;
/** An unbounded structured item encodes to at most this minus 1 bytes. */
export const UNBOUNDED_MAX_BYTES: number = 2 ** 26;

/** initialCapacity or maxCapacity, checked: an integer from 1 to 2^26. */
export function checkSize(
  what: string,
  value: unknown,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > 2 ** 26
  ) {
    throw new RangeError(
      `Cannot create queue: ${what} must be an integer from 1 to ${
        2 ** 26
      }, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Whether `init` asks for an unbounded queue: an options object (or none)
 * without a capacity, or with a number <= 0 (Python's maxsize <= 0). It
 * refuses what an unbounded queue cannot have: a placement, `bytes`.
 */
export function isUnbounded(init: unknown): boolean {
  if (init !== undefined && (typeof init !== "object" || init === null)) {
    return false; // not an options object: the bounded path's TypeError
  }
  const o = init as
    | { capacity?: unknown; buffer?: unknown; byteOffset?: unknown }
    | undefined;
  const capacity = o?.capacity;
  if (
    capacity !== undefined && !(typeof capacity === "number" && capacity <= 0)
  ) {
    return false;
  }
  if (o?.buffer !== undefined || o?.byteOffset !== undefined) {
    throw new TypeError(
      "Cannot place queue: an unbounded queue grows in the shared heap; give a capacity to place it",
    );
  }
  if ((init as { bytes?: unknown } | undefined)?.bytes !== undefined) {
    throw new TypeError(
      'Cannot create queue: "bytes" applies to bounded queues (an unbounded queue sizes its memory as it grows)',
    );
  }
  return true;
}

/**
 * First and most items of an unbounded queue: a LifoQueue's or
 * PriorityQueue's (first by default GROW_FIRST), or a FIFO chain's (its
 * caller gives its own default first segment).
 */
export function growSizes(
  init: { initialCapacity?: unknown; maxCapacity?: unknown } | undefined,
  firstDefault: number = GROW_FIRST,
): { first: number; max: number } {
  const first = checkSize(
    "initialCapacity",
    init?.initialCapacity,
    firstDefault,
  );
  const max = checkSize(
    "maxCapacity",
    init?.maxCapacity,
    Math.max(UNBOUNDED_MAX, first),
  );
  if (max < first) {
    throw new RangeError(
      `Cannot create queue: maxCapacity (${max}) is below initialCapacity (${first})`,
    );
  }
  return { first, max };
}

/**
 * Bytes of a data block for `slots` items: its SLOTS word (DATA_HEAD),
 * then numeric, the items; structured LIFO, an Int32 block offset each;
 * structured priority, the insertion counter (f64) then keys (f64), orders
 * (f64) and block offsets (i32).
 */
export function dataBytes(
  discipline: number,
  code: number,
  slots: number,
): number {
  const info = numericInfo(code);
  if (info !== undefined) {
    return DATA_HEAD + slots * info.Array.BYTES_PER_ELEMENT;
  }
  return DATA_HEAD + (discipline === LIFO ? 4 * slots : 8 + 20 * slots);
}

/** The SLOTS word of the data block at `data`. */
export function slotsWord(buffer: ArrayBufferLike, data: number): Int32Array {
  return new Int32Array(buffer, data, 1);
}

/**
 * The header and first data block of a new unbounded queue, as heap
 * blocks (the header zeroed; the caller writes it and DATA; the data
 * block's SLOTS word is `slots`).
 * @throws {RangeError} when the heap cannot give them.
 */
export function growAlloc(
  total: number,
  first: number,
  slots: number,
): { at: number; data: number } {
  const at = blockAlloc(total, true, GROW_KIND);
  const data = at < 0 ? -1 : blockAlloc(first, true);
  if (data >= 0) slotsWord(runtime().buffer, data)[0] = slots;
  if (data < 0) {
    if (at >= 0) blockRelease(at); // names no data block yet
    throw new RangeError(
      "Cannot create queue: the shared heap cannot hold an unbounded queue now (queues have taken their share of it); give a capacity",
    );
  }
  return { at, data };
}

// The header's last reference went: no thread can reach its data block nor
// the items' blocks (see above), so they go back.
registerRelease(GROW_KIND, (at) => {
  const h = new Int32Array(runtime().buffer, at, HEADER_WORDS);
  const data = Atomics.load(h, DATA);
  if (data === 0 || !isBlock(data)) return;
  const kind = Atomics.load(h, 0);
  if (numericInfo(kind & 15) === undefined) {
    const slots = Atomics.load(slotsWord(runtime().buffer, data), 0);
    const count = Math.min(Atomics.load(h, COUNT), slots);
    const lifo = ((kind >> 4) & DISCIPLINE) === LIFO;
    const at = data + DATA_HEAD + (lifo ? 0 : 8 + 16 * slots);
    const blocks = new Int32Array(runtime().buffer, at, slots);
    for (let i = 0; i < count; i++) {
      if (isBlock(blocks[i])) blockRelease(blocks[i]);
    }
  }
  blockRelease(data);
});

/**
 * The grow (under LOCK, COUNT = SLOTS = `slots`): a data block for
 * min(2 SLOTS, CAPACITY) items, its SLOTS word written, `map` makes the
 * store's views over its arrays and copies the items, then DATA names it
 * and the old block `old` is released. Returns the new block's offset, or
 * -1 (nothing changed) when SLOTS is at CAPACITY or the heap refuses the
 * block.
 */
export function grow(
  h: Int32Array,
  old: number,
  slots: number,
  map: (arrays: number, slots: number) => void,
): number {
  const next = Math.min(slots * 2, h[CAPACITY]);
  if (next <= slots) return -1;
  const kind = h[KIND];
  const discipline = (kind >> 4) & DISCIPLINE;
  const at = blockAlloc(dataBytes(discipline, kind & 15, next), true);
  if (at < 0) return -1;
  try {
    slotsWord(h.buffer, at)[0] = next;
    map(at + DATA_HEAD, next);
  } catch (error) {
    blockRelease(at); // DATA still names the old block; views remade next call
    throw error;
  }
  Atomics.store(h, DATA, at);
  blockRelease(old);
  return at;
}

/**
 * A put's room refused below CAPACITY in an unbounded LockedStore (`grows`):
 * the heap refused the data block's grow or (structured) the item's block.
 * A put never waits for heap memory (_chain_memory.ts says why): throws a
 * QueueMemoryError (under the lock, nothing changed: the store's finally
 * releases it) when the call has put nothing (`n` 0); else false, and the
 * batch returns the n it put. A bounded store (`grows` false) waits as ever.
 */
export function refused(grows: boolean, n: number): false {
  if (grows && n === 0) {
    throw new QueueMemoryError(
      `Cannot put item in unbounded queue: threadkit's shared heap has no memory for it now (queues have taken their share of it, or the heap is full); nothing was put. ${HEAP_FREES}`,
    );
  }
  return false;
}

/**
 * The heap refusal's one retry, for every async put form of every kind (a
 * single put's first try, a batch's try before it has put anything, an
 * unbounded queue's grow): given the error of a first try, it rethrows it
 * unless the heap refused (QueueMemoryError); else it runs `keep` (a put
 * owns its encoding there: own()), waits one macrotask turn of the event
 * loop, and returns what `attempt()` (the same try) gives; a second refusal
 * rejects. A dropped queue's heap blocks come back through its finalizer, a
 * task of this thread's loop that cannot run while the put's caller keeps
 * the thread busy (blocking forms have no such turn: they throw at once).
 * Called only from a catch, so a first try that succeeds makes no closure.
 */
export async function retryRefused<R>(
  error: unknown,
  attempt: () => R | Promise<R>,
  keep?: () => void,
): Promise<R> {
  if (!(error instanceof QueueMemoryError)) throw error;
  keep?.();
  await new Promise((resolve) => setTimeout(resolve, 0));
  return await attempt();
}
