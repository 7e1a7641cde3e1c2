// Copyright 2026 the threadkit authors. MIT license.
// Thread names in the thread table (_core/runtime.ts): Python never cuts a
// Thread's name, so neither does the table.
//
// Name words of a thread table entry (offsets from the entry's first slot;
// the table is in runtime.ts, whose TID is at +0):
// | slot | name     | values                                              | written by                     |
// |------|----------|-----------------------------------------------------|--------------------------------|
// | +3   | NAME_LEN | UTF-8 bytes of the whole name (any length)          | a writer holding NAME_SEQ      |
// | +5   | NAME_AT  | a long name's heap block (payload byte offset), else 0; kept after the entry is freed | a writer holding NAME_SEQ |
// | +6   | NAME_SEQ | even: no writer; odd: a writer is writing the words | Atomics: CAS even -> odd, store odd + 1 |
// | +7   | NAME_OWNER | the ident whose name the words hold (kept after its end, until the entry's next reservation) | a writer holding NAME_SEQ |
// | +8   | NAME     | a name of up to NAME_BYTES (96) UTF-8 bytes         | a writer holding NAME_SEQ      |
//
// Writers: the starter, while the entry is RESERVED (writeName from
// reserveEntry: NAME_OWNER = the new ident), and a rename after start
// (Thread's name setter, from any thread that has a handle: renameName).
// Both take NAME_SEQ from even s to s + 1 (compareExchange; spinning while
// it is odd), write, and store s + 2. A rename checks, holding it, that
// NAME_OWNER is still its thread's ident, and writes nothing otherwise (the
// entry went to another thread: the rename stays in the handle). The name
// words outlive the thread's end until the entry's next reservation. A
// reservation takes NAME_SEQ too: a rename
// that checked NAME_OWNER before may still be writing, and finishes before
// the new owner's words are written. The section allocates nothing and
// calls nothing that can throw (views are made before it), so a writer
// leaves it unless its thread is stopped from outside between two
// statements (worker.terminate(), which threadkit never calls on a running
// thread). The waits for a section are bounded all the same
// (SECTION_BOUND_MS): a reader then reads no name (readEntry: as a torn
// read), a rename stays in the handle, and a reservation leaves the entry
// RESERVED for good (lost to starts, never to a torn name) and takes the
// next one.
//
// Final names (what the starter's thread.name says after join, Python's
// current_thread().name = ... just before the target returns): the words
// may be another thread's by the time the starter reads them (a start
// reused the entry), so the name also travels with the outcome. NAME_SEQ
// grows by 2 with each writer, so its value says which of two names of one
// entry was written last (newerSeq, mod 2^32). The starter keeps the value
// of its reservation (reserveEntry) and the thread gets it in its start
// record; at its end (thread/_worker.ts, with no wait between that read and
// its endEntry) the thread loads NAME_SEQ and, only if it moved (a rename,
// or a refused one), reads its name (readNameSeq) and sends it with the
// seq beside its result (the result block or the port, _core/spare_block.ts,
// thread/_call.ts), or in a death's message (the thread's hook reads it
// before it frees its entry, also for out of memory; the watcher of a
// limited thread, _core/_watch.ts, and the starter's failure event,
// thread.ts #failed, read it before their endEntry). The starter's handle
// keeps the seq of the name it holds (its reservation, its own renames,
// what it read in the entry) and takes a name, read or carried, only with
// a later seq; a rename of its own that found the entry gone comes after
// the thread's end, so it wins over anything carried. So thread.name after
// join() is the last name written by the thread itself or its starter.
// Still lost when a start reuses the entry before the starter reads it: a
// rename from a third thread that lands between the thread's last read and
// its end (or, on a thrown error, by a microtask chain of the thread's own
// that runs past the read until the outcome is posted); it changed the
// table, not the starter's handle. (Out of memory is no longer among them:
// the thread's hook posts before it frees its entry, as every death does,
// and the watcher posts the name from the entry when the runtime's stop cut
// the hook before its post: thread/_worker.ts. A read of the name that
// throws, out of memory say, still sends none: finalName.) And only the starter's handle gets the
// carried name: a handle of the thread sent to another thread (which has no
// outcome to collect) reads the table, so after a reuse it keeps the last
// name it read.
//
// State of NAME_SEQ: EVEN(s) -writer CAS s -> s + 1-> ODD(s + 1) -store s + 2->
// EVEN(s + 2). It wraps through Int32 (the parity of the two's complement
// stays right).
//
// A name of up to 100 bytes sits in NAME; a longer one, whole, in a heap
// block of its own (_core/heap.ts through the starter's NameStore,
// thread/_start.ts; blockAlloc gives 2^k bytes, so it takes under twice its
// size), allocated and filled before the entry is reserved. A name the heap
// cannot hold is refused at start() with a RuntimeError.
//
// Who frees a long name's block: the entry holds its one reference. The
// writer that replaces it (a rename, or the entry's next reservation: both
// have the starter's NameStore) releases it after its section. It is not
// released when the entry is freed (endEntry and endIdent run in threads
// that may not have the heap module loaded: the worker entry's bundle). So
// the long names kept are bounded: at most one block per entry
// (MAX_THREADS), the one of its live or last thread.
//
// Readers (readName) use NAME_SEQ as a seqlock: s1 = NAME_SEQ (odd: retry),
// read NAME_OWNER, NAME_LEN, NAME_AT and the bytes (each word by
// Atomics.load: a plain read may be satisfied after a later seq-cst load
// on arm64, so only atomic reads are ordered before s2), s2 = NAME_SEQ;
// s1 !== s2: retry.
// Why a read with s1 === s2 is one writer's whole name: a writer's words and
// its release of the block it replaced lie between its CAS and its store on
// NAME_SEQ (the release after the store, see below). With s1 === s2 no CAS
// came between the reader's two loads, so every writer either stored its
// s + 2 before s1 (the reader's seq-cst load of that value makes the
// writer's plain stores visible) or takes NAME_SEQ after s2 (its stores
// come after the reader's reads). A block a writer releases after its store
// was replaced before it: a reader that loaded NAME_AT after s1 sees the
// replacement, not the released block. Across owners: NAME_OWNER is read
// inside the same section, so a name is taken only for its own ident (and
// runtime.ts readEntry still re-checks TID). readName checks the bounds all
// the same (heap memory is never given back).

import { OWED } from "./overflow.ts";
import { RuntimeError } from "./errors.ts";
import { B } from "./primordials_record.ts";

const NAME_LEN = 3;
/** Slot of the entry's long-name block (0: none), from its first slot. */
export const NAME_AT = 5;
const NAME_SEQ = 6;
const NAME_OWNER = 7;
const NAME = 8;
/** renameName's result when the entry went to another thread (odd: no seq). */
export const GONE = -1;
/** How long a writer or reader waits for another writer's section. */
const SECTION_BOUND_MS = 1000;
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
// (Uint8Array as at load: the package's copy may load after a thread's own
// code replaced it.)
const scratch = new B.U8(NAME_BYTES);
const scratchBuffer = B.apply(B.taBuffer, scratch, []) as ArrayBuffer;
// The NAME_SEQ value of this thread's last writeName (renameName's result).
let written = 0;

/**
 * The name's UTF-8 bytes, unshared (browsers refuse TextEncoder.encodeInto
 * into shared memory, so they are copied in after). A short name (the usual
 * case) is encoded into a reused scratch buffer: valid until the next call.
 * encodeInto stops at a character boundary, so a name it could not finish
 * is a long one, encoded whole.
 */
export function encodeName(name: string): Uint8Array {
  // TextEncoder and its methods as at load (_core/primordials_record.ts): a
  // thread's own code may have replaced them before it renames itself.
  const enc = encoder ??= new B.TextEncoder_();
  const done = B.apply(B.teEncodeInto, enc, [name, scratch]) as {
    read: number;
    written: number;
  };
  return done.read === name.length
    ? new B.U8(scratchBuffer, 0, done.written)
    : B.apply(B.teEncode, enc, [name]) as Uint8Array;
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
  what = "start",
): number {
  if (bytes.length <= NAME_BYTES) return 0;
  const at = store?.alloc(bytes.length) ?? -1;
  if (at < 0) {
    throw new RuntimeError(
      `Cannot ${what} thread: its name (${bytes.length} UTF-8 bytes) does not fit in the shared heap`,
    );
  }
  try {
    new Uint8Array(view.buffer, at, bytes.length).set(bytes);
  } catch (error) {
    // Near the stack's end (the copy overflows): the block back, or owed.
    try {
      store!.release(at);
    } catch {
      OWED[OWED.length] = () => store!.release(at);
    }
    throw error;
  }
  return at;
}

// Spins until NAME_SEQ is even (no writer in), at most SECTION_BOUND_MS;
// returns it, or -1 (odd values are never returned, so -1 is free).
function evenSeq(view: Int32Array, seq: number): number {
  let deadline = 0;
  for (let i = 0;; i++) {
    const s = Atomics.load(view, seq);
    if ((s & 1) === 0) return s;
    if ((i & 1023) !== 1023) continue;
    const now = performance.now();
    if (deadline === 0) deadline = now + SECTION_BOUND_MS;
    else if (now > deadline) return -1;
  }
}

/**
 * Writes the name words of the entry at slot `base` holding NAME_SEQ (see
 * the top of this file), for the thread `owner`. A reservation (`rename`
 * false) takes the words; a rename writes only while NAME_OWNER is `owner`.
 * Returns the long-name block it replaced (0: none), for the caller to
 * release; -1 when a rename found another owner, -2 when the section was
 * not free within its bound (nothing written either way).
 */
export function writeName(
  view: Int32Array,
  base: number,
  bytes: Uint8Array,
  at: number,
  owner: number,
  rename: boolean,
): number {
  // Made before the section: it allocates; and the length read before it
  // (a getter: inside, a call that may overflow).
  const field = new Uint8Array(view.buffer, (base + NAME) * 4, NAME_BYTES);
  const n = bytes.length;
  const seq = base + NAME_SEQ;
  let s: number;
  do {
    s = evenSeq(view, seq);
    if (s === -1) return -2;
  } while (Atomics.compareExchange(view, seq, s, s + 1) !== s);
  let stale = -1;
  // Inside the section no call and no getter (a stack overflow here would
  // leave NAME_SEQ odd, the section taken for good): plain slot accesses
  // and a loop for the bytes (Uint8Array.prototype.set overflows near the
  // stack's end on Node). The catch closes the section all the same: a
  // reservation's words are read by nobody (the entry is RESERVED), a
  // rename's belong to their owner.
  try {
    if (!rename || Atomics.load(view, base + NAME_OWNER) === owner) {
      stale = view[base + NAME_AT];
      view[base + NAME_OWNER] = owner;
      // A long name's bytes are in its block; the field is left as it was.
      if (at === 0) { for (let i = 0; i < n; i++) field[i] = bytes[i]; }
      view[base + NAME_AT] = at;
      view[base + NAME_LEN] = n;
    }
  } catch (error) {
    Atomics.store(view, seq, s + 2);
    throw error;
  }
  // Publishes the words above to every reader that loads s + 2.
  Atomics.store(view, seq, s + 2);
  written = (s + 2) | 0;
  return stale;
}

/**
 * Publishes a rename of the thread `ident` whose entry is at slot `base`.
 * Returns the NAME_SEQ value that published it (even), or, changing
 * nothing, GONE once the entry went to another thread, undefined when its
 * section stayed taken past its bound.
 * @throws {RuntimeError} when the heap cannot hold a long name.
 */
export function renameName(
  view: Int32Array,
  base: number,
  ident: number,
  name: string,
  store: NameStore,
): number | undefined {
  const bytes = encodeName(name);
  const at = storeLongName(view, bytes, store, "rename");
  const stale = writeName(view, base, bytes, at, ident, true);
  if (stale < 0) {
    if (at > 0) store.release(at);
    return stale === -1 ? GONE : undefined;
  }
  if (stale > 0) store.release(stale);
  return written;
}

/**
 * The name the entry at slot `base` holds for the thread `owner` (alive or
 * ended, until the entry's next reservation), or undefined: another
 * owner's words, a torn read across owners, or a section not free within
 * its bound.
 */
export function readName(
  view: Int32Array,
  base: number,
  owner: number,
): string | undefined {
  return readNameSeq(view, base, owner)?.name;
}

/**
 * A thread's name with the NAME_SEQ value it was read at: which of two
 * names of one entry was written last (see "Final names" at the top).
 */
export interface SeqName {
  readonly name: string;
  readonly seq: number;
}

/** The NAME_SEQ value that published this thread's last writeName. */
export function writtenSeq(): number {
  return written;
}

/**
 * Whether a name written at NAME_SEQ `seq` replaces one a handle holds from
 * `held` (see "Final names"): any, when `held` is unknown (undefined); none
 * over a handle's own rename after the entry was gone (Infinity); else a
 * later or equal one (NAME_SEQ wraps: compared mod 2^32).
 */
export function newerSeq(seq: number, held: number | undefined): boolean {
  return held === undefined ||
    (held !== Infinity && ((seq - held) | 0) >= 0);
}

/**
 * readName with the NAME_SEQ value it read at; with `since`, undefined when
 * NAME_SEQ is still `since` (nothing written since: see "Final names").
 */
export function readNameSeq(
  view: Int32Array,
  base: number,
  owner: number,
  since?: number,
): SeqName | undefined {
  const seq = base + NAME_SEQ;
  if (since !== undefined && evenSeq(view, seq) === since) return undefined;
  for (;;) {
    const s = evenSeq(view, seq);
    if (s === -1) return undefined;
    const who = Atomics.load(view, base + NAME_OWNER);
    const len = Atomics.load(view, base + NAME_LEN);
    const at = Atomics.load(view, base + NAME_AT);
    const from = len > NAME_BYTES ? at : (base + NAME) * 4;
    const n = (len + 3) >> 2;
    // Word by word with Atomics.load (see the top of this file); a block's
    // 2^k bytes hold len rounded up to a word.
    let words: Int32Array | undefined;
    if (who === owner && from > 0 && from + n * 4 <= view.buffer.byteLength) {
      const src = len > NAME_BYTES
        ? new Int32Array(view.buffer, from, n)
        : view;
      const i0 = len > NAME_BYTES ? 0 : base + NAME;
      words = new Int32Array(n);
      for (let i = 0; i < n; i++) words[i] = Atomics.load(src, i0 + i);
    }
    if (Atomics.load(view, seq) !== s) continue;
    if (words === undefined) return undefined;
    const name = B.apply(B.tdDecode, decoder ??= new B.TextDecoder_(), [
      new B.U8(B.apply(B.taBuffer, words, []) as ArrayBuffer, 0, len),
    ]) as string; // (as at load, as encodeName)
    return { name, seq: s };
  }
}
