// Copyright 2026 the threadkit authors. MIT license.
// A putter's slice-end check (_state.ts, "A waker that stops"; _core/
// wait.ts): whether the put it waits to make may go in now. The numeric
// stores hold items of one size, so the count says it. The byte stores
// (structured queues) hold items of any size up to their `bytes`: a queue
// with item room to spare may have no room for this putter's bytes, and a
// check by count alone said yes at every slice end while that lasted, so
// the putter left, tried and registered again every slice (23 tries in a
// 500 ms wait: tests/queue/byte_room_test.ts). Here the check asks for the
// bytes of the item the putter puts next (one item, or a batch's item at
// `from`), from a snapshot read without the store's lock:
// - a yes that comes too early (the snapshot moved, or a text item not yet
//   encoded, counted one byte a unit: a lower bound) costs one more try;
// - a no while room is there lasts at most until the next slice's look:
//   the snapshot settles once nothing moves (a getter that stopped before
//   its wake moves nothing more), and a getter that frees room wakes the
//   putters anyway (PSLEEP, NOT_FULL).
// So the putter still gets in within a slice of a stopped getter's free,
// and tries again only when the room it needs may be there. Runs only at a
// slice end of a putter that sleeps: no cost on a put that does not wait.

import { mod } from "./_text_run.ts";
import { type Batch, TextItem } from "./_text_batch.ts";
import { TextRing } from "./_text.ts";
import {
  B,
  BYTES,
  CAPACITY,
  HEAD,
  HEADER_BYTES,
  MODULUS,
  TAIL,
} from "./_layout.ts";
import { POSITION } from "./_turn.ts";
import type { QueueState } from "./_state.ts";

/** A putter's slice-end check for the put of `raws` from `from`. */
export function roomThere(
  st: QueueState,
  raws: unknown,
  from: number,
  single: boolean,
): () => boolean {
  const { store, h } = st;
  if (store instanceof TextRing) {
    return () => textRoom(h, need(raws, from, single));
  }
  if (store.roomFor !== undefined) {
    return () => store.roomFor!(raws, from, single);
  }
  return () => store.count() < h[CAPACITY];
}

// The bytes a record of the next item takes in the structured ring: its
// bytes and the "," after them.
function need(raws: unknown, from: number, single: boolean): number {
  if (!single) return (raws as Batch).recordBytes(from); // unsplit kept so
  if (raws instanceof TextItem) {
    return (raws.utf8?.length ?? raws.text.length) + 1;
  }
  return (raws as Uint8Array).length + 1;
}

const sides = new WeakMap<Int32Array, Int32Array>();

// Whether a record of `need` bytes fits in the structured ring of header
// `h` now: the rule of TextRing's #place (_text.ts), read as a snapshot
// (HEAD, TAIL and B by Atomics loads, the side word of HEAD's record).
// Exported for tests/queue/byte_room_test.ts, which pins it to the ring.
export function textRoom(h: Int32Array, need: number): boolean {
  const cap = h[CAPACITY], size = h[BYTES];
  const head = Atomics.load(h, HEAD) & POSITION;
  const t = Atomics.load(h, TAIL) & POSITION;
  if (mod(t - head, h[MODULUS]) >= cap) return false; // no item room
  if (t === head) return need <= size; // empty: a put starts at 0
  let side = sides.get(h);
  if (side === undefined) {
    side = new Int32Array(h.buffer, h.byteOffset + HEADER_BYTES, 2 * cap);
    sides.set(h, side);
  }
  const f = side[2 * (head % cap)];
  const first = f < 0 ? ~f : f; // an unsplit run's head
  const b = Atomics.load(h, B);
  return b > first ? b + need <= size || need <= first : b + need <= first;
}
