// Copyright 2026 the threadkit authors. MIT license.
// The structured stores of unbounded LifoQueue and PriorityQueue
// (LockedStore, _locked.ts; the growing data block: _grow.ts). Each item's
// encoding is in a heap block of its own, [len: int32][payload], so items
// of any size up to UNBOUNDED_MAX_BYTES - 1 mix freely (a queue block:
// within the queues' share of the heap). The data block holds the index:
//   stack (LIFO): BLOCK[SLOTS] (i32), BLOCK[0 .. COUNT) the items' blocks,
//     the top at COUNT - 1;
//   heap (PRIORITY): ORDER (f64), KEYS[SLOTS] (f64), ORDS[SLOTS] (f64),
//     BLOCK[SLOTS] (i32): a binary min-heap on (key, insertion order), as
//     the bounded byte heap (_bytes.ts) with a block offset for a slot.
// A put takes the item's block in `room` (under the lock, after a grow if
// one is due): a heap that refuses it is no room (the put waits, and
// nothing changed). A get copies the item's bytes out (peek), and its drop
// (or an immediate shutdown's discard) lists the block in #freed, released
// once the call has stored COUNT (tryGetMany): a custom-codec getMany's
// drops make no call (LockedStore.dropMany).

import { blockAlloc, blockRelease, isBlock } from "../_core/heap.ts";
import { U8 } from "../_core/primordials.ts";
import type { Acquire } from "../_core/wait.ts";
import { dropRoots, firstK, type Keyed, popRoot, siftUp } from "./_bytes.ts";
import { UNBOUNDED_MAX_BYTES } from "./_grow.ts";
import type { Decode } from "./_layout.ts";
import { LockedStore } from "./_locked.ts";

const I32 = Int32Array; // as at load

abstract class BlockStore extends LockedStore {
  protected blocks!: Int32Array;
  // The block `room` took for the put's next push.
  protected next = 0;
  // Blocks of dropped items, released after the get's call (see above).
  protected readonly freed: number[] = [];

  protected u8(at: number): Uint8Array {
    const buf = this.h.buffer as SharedArrayBuffer;
    const len = new I32(buf, at, 1)[0];
    return new U8(new U8(buf, at + 4, len)); // a copy
  }
  protected store(bytes: Uint8Array): number {
    const at = this.next, buf = this.h.buffer as SharedArrayBuffer;
    new I32(buf, at, 1)[0] = bytes.length;
    new U8(buf, at + 4, bytes.length).set(bytes);
    return at;
  }
  override check(raw: unknown): void {
    const n = bytesOf(raw).length;
    if (n >= UNBOUNDED_MAX_BYTES) {
      throw new RangeError(
        `Cannot put item in queue: it encodes to ${n} bytes, but an unbounded queue holds items of at most ${
          UNBOUNDED_MAX_BYTES - 1
        } bytes`,
      );
    }
  }
  protected fits(): boolean {
    return true;
  }
  protected override room(raw: unknown, count: number): boolean {
    if (!super.room(raw, count)) return false;
    this.next = blockAlloc(4 + bytesOf(raw).length, true);
    return this.next >= 0;
  }
  override tryGetMany(
    max: number,
    out: unknown[],
    decode?: Decode | null,
    w?: Acquire,
  ): number {
    const freed = this.freed;
    let n: number;
    try {
      n = super.tryGetMany(max, out, decode, w);
    } catch (error) {
      // Nothing was taken (a throw after drops left COUNT as it was, the
      // items in place): their blocks stay theirs.
      freed.length = 0;
      throw error;
    }
    while (freed.length > 0) {
      const at = freed.pop()!;
      if (isBlock(at)) blockRelease(at);
    }
    return n;
  }
}

function bytesOf(raw: unknown): Uint8Array {
  return raw instanceof Uint8Array ? raw : (raw as Keyed).bytes;
}

/** Unbounded structured LIFO: a stack of item blocks. */
export class BlockStack extends BlockStore {
  constructor(h: Int32Array) {
    super(h);
    this.map(this.base, this.slots, 0);
  }
  protected override map(base: number, slots: number, count: number): void {
    const blocks = new Int32Array(this.h.buffer, base, slots);
    if (count > 0) blocks.set(this.blocks.subarray(0, count));
    this.blocks = blocks;
  }
  protected push(raw: Uint8Array, count: number): void {
    this.blocks[count] = this.store(raw);
  }
  protected peek(count: number): Uint8Array {
    return this.u8(this.blocks[count - 1]);
  }
  protected peekMany(count: number, k: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = count - 1; out.length < k; i--) {
      out[out.length] = this.u8(this.blocks[i]);
    }
    return out;
  }
  protected drop(count: number): void {
    this.freed[this.freed.length] = this.blocks[count - 1];
  }
  // No call (LockedStore.dropMany): index writes only.
  protected dropMany(count: number, k: number): void {
    const blocks = this.blocks, freed = this.freed;
    for (let j = 0; j < k; j++) freed[freed.length] = blocks[count - 1 - j];
  }
}

/** Unbounded structured priority queue: a heap of item blocks. */
export class BlockHeap extends BlockStore {
  #order!: Float64Array;
  #keys!: Float64Array;
  #ords!: Float64Array;

  constructor(h: Int32Array) {
    super(h);
    this.map(this.base, this.slots, 0);
  }
  protected override map(base: number, slots: number, count: number): void {
    const buf = this.h.buffer as SharedArrayBuffer;
    const order = new Float64Array(buf, base, 1);
    const keys = new Float64Array(buf, base + 8, slots);
    const ords = new Float64Array(buf, base + 8 + 8 * slots, slots);
    const blocks = new Int32Array(buf, base + 8 + 16 * slots, slots);
    if (count > 0) {
      order[0] = this.#order[0];
      keys.set(this.#keys.subarray(0, count));
      ords.set(this.#ords.subarray(0, count));
      blocks.set(this.blocks.subarray(0, count));
    }
    this.#order = order;
    this.#keys = keys;
    this.#ords = ords;
    this.blocks = blocks;
  }
  protected push(raw: Keyed, count: number): void {
    const at = this.store(raw.bytes);
    const ord = this.#order[0]++;
    siftUp(this.#keys, this.#ords, this.blocks, raw.key, ord, at, count);
  }
  protected peek(): Uint8Array {
    return this.u8(this.blocks[0]);
  }
  protected peekMany(count: number, k: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const at of firstK(this.#keys, this.#ords, this.blocks, count, k)) {
      out[out.length] = this.u8(at);
    }
    return out;
  }
  protected drop(count: number): void {
    this.freed[this.freed.length] = this.blocks[0];
    popRoot(this.#keys, this.#ords, this.blocks, count);
  }
  // dropRoots (LockedStore.dropMany): the popped blocks go to #freed.
  protected dropMany(count: number, k: number): void {
    const freed = this.freed, top = freed.length + count;
    dropRoots(this.#keys, this.#ords, this.blocks, freed, top, count, k);
  }
}
