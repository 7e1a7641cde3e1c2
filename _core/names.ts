// Copyright 2026 the threadkit authors. MIT license.
// Thread names in the thread table (_core/runtime.ts): Python never cuts a
// Thread's name, so neither does the table.
//
// Name words of a thread table entry (offsets from the entry's first slot;
// the table is in runtime.ts):
// | slot | name     | values                                              | written by                     |
// |------|----------|-----------------------------------------------------|--------------------------------|
// | +3   | NAME_LEN | UTF-8 bytes of the whole name (any length)          | the starter, while RESERVED    |
// | +5   | NAME_AT  | a long name's heap block (payload byte offset), else 0; kept after the entry is freed | the starter, while RESERVED |
// | +6   | NAME     | a name of up to NAME_BYTES (104) UTF-8 bytes        | the starter, while RESERVED    |
//
// A name of up to 104 bytes sits in NAME; a longer one, whole, in a heap
// block of its own (_core/heap.ts through the starter's NameStore,
// thread/_start.ts; blockAlloc gives 2^k bytes, so it takes under twice its
// size), allocated and filled before the entry is reserved. A name the heap
// cannot hold is refused at start() with a RuntimeError.
//
// Who frees a long name's block: the entry holds its one reference. It is
// not released when the entry is freed (endEntry and endIdent run in
// threads that may not have the heap module loaded: the worker entry's
// bundle), but by the next reserveEntry of the same entry, which has the
// starter's NameStore and owns the entry then (RESERVED: no other writer).
// So the long names kept are bounded: at most one block per entry
// (MAX_THREADS), the one of its live or last thread.
//
// Readers (runtime.ts readEntry) use TID as a seqlock, as for the rest of
// the entry: every name word is written while the entry is RESERVED and
// published by the TID store, so a reader that sees the same ident in TID
// before and after read one owner's words. A reader whose entry was freed
// (and maybe reused) meanwhile may read a block already released and
// reused, or NAME_LEN of one owner with NAME_AT of another: readName checks
// the bounds (heap memory is never given back, so an in-bounds read of a
// reused block is harmless), and the TID re-check discards what it read.

import { RuntimeError } from "./errors.ts";

const NAME_LEN = 3;
const NAME_AT = 5;
const NAME = 6;
/** Bytes of a name kept in the table itself (the rest of a 32-slot entry). */
export const NAME_BYTES = (32 - NAME) * 4;

/**
 * Where reserveEntry keeps a name longer than the table's field: the shared
 * heap (thread/_start.ts passes _core/heap.ts's blocks). `alloc` returns a
 * block's payload byte offset in the runtime block (-1: no room), and
 * `release` gives a block's one reference back.
 */
export interface NameStore {
  alloc(bytes: number): number;
  release(byteOffset: number): void;
}

// Made on first use: constructing them took 0.065 ms of every thread's
// start on Deno 2.9.6, and a thread that names no thread needs neither.
let encoder: TextEncoder | undefined;
let decoder: TextDecoder | undefined;
const scratch = new Uint8Array(NAME_BYTES);

/**
 * The name's UTF-8 bytes, unshared (browsers refuse TextEncoder.encodeInto
 * into shared memory, so they are copied in after). A short name (the usual
 * case) is encoded into a reused scratch buffer: valid until the next call.
 * encodeInto stops at a character boundary, so a name it could not finish
 * is a long one, encoded whole.
 */
export function encodeName(name: string): Uint8Array {
  const enc = encoder ??= new TextEncoder();
  const { read, written } = enc.encodeInto(name, scratch);
  return read === name.length ? scratch.subarray(0, written) : enc.encode(name);
}

/**
 * For a long name, a heap block holding its bytes (0 for a short one). The
 * caller releases it if the start is refused.
 * @throws {RuntimeError} when the heap cannot hold it (or no store).
 */
export function storeLongName(
  view: Int32Array,
  bytes: Uint8Array,
  store: NameStore | undefined,
): number {
  if (bytes.length <= NAME_BYTES) return 0;
  const at = store?.alloc(bytes.length) ?? -1;
  if (at < 0) {
    throw new RuntimeError(
      `Cannot start thread: its name (${bytes.length} UTF-8 bytes) does not fit in the shared heap`,
    );
  }
  new Uint8Array(view.buffer, at, bytes.length).set(bytes);
  return at;
}

/**
 * Writes the name words of the entry at slot `base` (RESERVED: plain
 * stores, published by the TID store that follows). Returns the last
 * owner's long-name block (0: none), for the caller to release.
 */
export function writeName(
  view: Int32Array,
  base: number,
  bytes: Uint8Array,
  at: number,
): number {
  const stale = view[base + NAME_AT];
  // A long name's bytes are in its block; the field is left as it was.
  if (at === 0) {
    new Uint8Array(view.buffer, (base + NAME) * 4, NAME_BYTES).set(bytes);
  }
  view[base + NAME_AT] = at;
  view[base + NAME_LEN] = bytes.length;
  return stale;
}

/**
 * The name of the entry at slot `base`, or undefined when its words do not
 * fit together (a torn read: the caller's TID re-check discards it anyway).
 */
export function readName(view: Int32Array, base: number): string | undefined {
  const len = Atomics.load(view, base + NAME_LEN);
  const at = Atomics.load(view, base + NAME_AT);
  const from = len > NAME_BYTES ? at : (base + NAME) * 4;
  if (from <= 0 || from + len > view.buffer.byteLength) return undefined;
  return (decoder ??= new TextDecoder()).decode(
    new Uint8Array(view.buffer, from, len).slice(),
  );
}
