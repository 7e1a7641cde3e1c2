// Copyright 2026 the threadkit authors. MIT license.
// The process-wide runtime block: thread idents, the thread table with the
// cancel words, and the shared heap that small primitives are placed in.
//
// The main thread creates the block on first use; every thread it starts gets
// the same SharedArrayBuffer in its start message (thread/_worker.ts adopts it
// before any user code runs), so every thread sees one table and one heap.
// The block lives on `globalThis` under a registered symbol: copies share it.

import { OWED } from "./overflow.ts";
import { RuntimeError } from "./errors.ts";
import * as names from "./names.ts";
import { B } from "./primordials_record.ts";
import { blockSizes } from "./test_heap.ts";

// Layout: Int32Array over a growable SharedArrayBuffer, 4 MiB, grown up to 2
// GiB - 64 KiB (1 GiB if refused; fixed 4 MiB without growable ones).
// | slot          | name        | values                                  | written by                       |
// |---------------|-------------|-----------------------------------------|----------------------------------|
// | 0             | MAGIC       | 0x74686b35 once the block is set up     | the main thread, once            |
// | 1             | NEXT_IDENT  | next thread ident; main thread = 1      | Atomics.add in reserve           |
// | 2             | HEAP_TOP    | byte offset of the first free heap byte | Atomics.compareExchange          |
// | 3             | NEXT_NAME   | counter for default names "Thread-N"    | Atomics.add                      |
// | 4             | STOP_NEXT   | stopped threads recorded so far         | Atomics.add in recordStop        |
// | 5             | HEAP_LIVE   | bytes in live heap blocks               | Atomics.add in _core/heap.ts     |
// | 6             | HEAP_QUEUES | heap bytes cut for queue blocks         | _core/heap.ts, heap_chunks.ts    |
// | 16 + 32 * i   | entry i     | thread table entry, see below           |                                  |
// | STOPS + j     | stop ring   | ident | FAILED of the last 1024 stops     | recordStop                       |
// | FREE_HEADS/4  | free lists  | 32 Int64 heads of the heap's free lists | _core/heap.ts (tagged CAS)       |
// | HEAP_BASE / 4 | heap        | blocks (_core/heap.ts), party tables    | the primitive that owns it       |
// | (top)         | queue range | chunk table, chunks (_core/heap_top.ts) | _core/heap_chunks.ts             |
//
// Heap states of a byte at offset b (HEAP_BASE <= b < the queue range):
// FREE (b >= HEAP_TOP) -heapAlloc CAS of HEAP_TOP past b-> CLAIMED
// CLAIMED (b < HEAP_TOP, maybe b >= byteLength) -grow to >= b-> ALLOCATED
// ALLOCATED: part of a block of _core/heap.ts (reference-counted, freed to a
// free list and reused, never given back to the system) or of a Barrier's
// party table (sync/_parties.ts: kept for the life of the process).
const MAGIC = 0;
export const NEXT_IDENT = 1;
export const HEAP_TOP = 2; // the first free heap byte (heapAlloc)
const NEXT_NAME = 3;
const STOP_NEXT = 4;
/** Bytes in live heap blocks (_core/heap.ts): Atomics.add on alloc and free. */
export const HEAP_LIVE = 5;
/** Heap bytes ever cut for queue blocks (range chunks first used: heap.ts). */
export const HEAP_QUEUES = 6;
const TABLE = 16;
// The stop ring: threads certain to run no more JavaScript, as ident (|
// FAILED if the thread failed). A lock waiter takes a lock over only from a
// holder found here (sync/_holder.ts): an ended thread (entry freed) may
// still run (leftover work after its target; endOrphans presumes children
// ended). Recorded only where the JS has certainly stopped (thread/_worker.ts
// lists the sites). A ring: a waiter checks it within one slice of the stop;
// one that comes after 1024 later stops waits as for a live holder (README
// "When threads fail"). Between the table (ends at slot 8208) and the heap.
const STOPS = 9216;
const STOP_SLOTS = 1024;
/** A stop ring entry's bit: the thread failed. Idents stay below it. */
const FAILED = 0x40000000;
/** Idents stay below 2^30: the lock words keep bit 30 for CONTENDED. */
const MAX_IDENT = FAILED - 1;
// Key and MAGIC change with the layout (v2 names, v3 chunks, v4 runs, v5 the
// queues' range): two versions never share a table (adopt checks MAGIC).
const MAGIC_VALUE = 0x74686b35;

// Thread table entry: 32 slots (128 B).
// | slot | name     | values                                         | written by                        |
// |------|----------|------------------------------------------------|-----------------------------------|
// | +0   | TID      | 0 FREE, -1 RESERVED, > 0 ident of live thread  | CAS by the starter; 0 by the thread at its end |
// | +1   | FLAGS    | bit 0: daemon                                  | the starter, before TID is set    |
// | +2   | CANCEL   | ident whose cancellation was requested         | Thread.cancel()                   |
// | +4   | TIMER    | a Timer's thread: its word's heap block offset (0: none) | the starter 0; the Timer's thread (publishTimer) |
// | +3, +5..31 | name words | the thread's name, any length: _core/names.ts | the starter (RESERVED); a rename |
//
// Entry states:
// FREE     -reserve (CAS 0 -> -1)->  RESERVED  (writes FLAGS, NAME, CANCEL = 0)
// RESERVED -publish (store ident)->  LIVE      (thread is alive from here)
// LIVE     -end of target (store 0, notify all on TID)-> FREE
// LIVE     -death outside the target (exit, close, uncaught error, out of
//           memory), recorded by the dying thread itself or by the first
//           thread whose event loop learns of it (CAS ident -> 0, notify)-> FREE
// LIVE     -its starter ended abruptly, or returned and it is a daemon
//           (endIdent: presumed stopped, may still run)-> FREE
// FREE says "ended" (isAlive, join), not "runs no more JS": that is the stop
// ring's record, written apart (recordStop), at the thread's real stop.
// Idents are never reused, so a reader that sees the same ident in TID before
// and after reading NAME read a consistent name (TID acts as a seqlock), and a
// joiner that waits "while TID == ident" cannot be fooled by reuse (no ABA).
const TID = 0;
const FLAGS = 1;
const CANCEL = 2;
const TIMER = 4;
const ENTRY_SLOTS = 32;
const FLAG_DAEMON = 1;

/** Most threads that may be alive at once, the main thread included. */
export const MAX_THREADS = 256;
/** Byte offset of the heap's first byte. */
export const HEAP_BASE = 64 * 1024;
/** Byte offset of the free-list heads (_core/heap.ts): 32 Int64 words. */
export const FREE_HEADS = (STOPS + STOP_SLOTS) * 4;
/** The block's first size, and the smallest a thread may adopt. */
const BLOCK_BYTES = 4 * 1024 * 1024;
/** Largest the block grows to (HEAP_TOP, an Int32 byte offset, stays < 2^31). */
export const MAX_BLOCK_BYTES = 2 ** 31 - 64 * 1024;
/** The block's largest size where a runtime refuses MAX_BLOCK_BYTES. */
const SMALLER_MAX = 1024 * 1024 * 1024;
const MAIN_IDENT = 1;

/** This thread's view of the runtime block. */
export interface Runtime {
  readonly buffer: SharedArrayBuffer;
  /** The header and the thread table: the block's first HEAP_BASE bytes. */
  readonly view: Int32Array;
  /** This thread's ident (main thread = 1). */
  readonly ident: number;
  /** This thread's table entry. */
  readonly entry: number;
}

/** A snapshot of one live thread table entry. */
export interface EntryInfo {
  readonly ident: number;
  readonly entry: number;
  readonly name: string;
  readonly daemon: boolean;
  /** A Timer's thread: its word's heap block (publishTimer); else 0. */
  readonly timer?: number;
}

/** The block's layout version: its key, and the heap's release hooks' key. */
export const LAYOUT = "v5";
// (Symbol.for as at load: a thread's code may have replaced it; primordials.)
const KEY: unique symbol = B.symbolFor(`threadkit.runtime.${LAYOUT}`) as never;
type Global = { [KEY]?: Runtime };

/** This thread's runtime; on the main thread the first call creates it. */
export function runtime(): Runtime {
  return cached ??= (globalThis as Global)[KEY] ?? createMain();
}

// This copy's cache of the global runtime: a thread's runtime never changes
// once set (the worker entry adopts before any user code runs).
let cached: Runtime | undefined;

/**
 * Installs the runtime block a worker received in its start message. Called
 * by the worker entry before it loads any user code.
 */
export function adoptRuntime(
  buffer: SharedArrayBuffer,
  ident: number,
  entry: number,
): Runtime {
  // The size first: a buffer too small for the table is refused before any
  // view of it is made (a spare's warm-up relies on it, thread/_spare.ts).
  const view = buffer.byteLength < BLOCK_BYTES ? undefined : tableView(buffer);
  if (view === undefined || Atomics.load(view, MAGIC) !== MAGIC_VALUE) {
    throw new TypeError("Cannot adopt runtime block: not a threadkit runtime");
  }
  const rt: Runtime = { buffer, view, ident, entry };
  (globalThis as Global)[KEY] = cached = rt;
  return rt;
}

// The view of the header and the thread table: fixed-length, over the first
// HEAP_BASE bytes. Not a length-tracking view (new Int32Array(buffer)) of the
// growable block: V8's Atomics on those measured about 5x slower (141 vs 30
// ns for a compareExchange + store + load), and every wait of a thread reads
// its cancel word through this view. Heap primitives make fixed-length views
// of their own words (measured as fast as views of a plain buffer).
function tableView(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, HEAP_BASE / 4);
}

// A growable block where the runtime has them (Deno 2.9, Node 20, V8 11+);
// a fixed one elsewhere (the heap ends at BLOCK_BYTES). Tests: test_heap.ts.
function newBlock(): SharedArrayBuffer {
  for (const maxByteLength of blockSizes([MAX_BLOCK_BYTES, SMALLER_MAX])) {
    try {
      const buffer = new SharedArrayBuffer(BLOCK_BYTES, { maxByteLength });
      if (typeof buffer.grow === "function") return buffer;
    } catch {
      // no growable SharedArrayBuffer here, or the reservation was refused
    }
  }
  return new SharedArrayBuffer(BLOCK_BYTES);
}

function createMain(): Runtime {
  const buffer = newBlock();
  const view = tableView(buffer);
  view[NEXT_IDENT] = MAIN_IDENT + 1;
  view[HEAP_TOP] = HEAP_BASE;
  view[NEXT_NAME] = 1;
  writeEntry(view, 0, MAIN_IDENT, names.encodeName("MainThread"), 0, false);
  view[TABLE + TID] = MAIN_IDENT;
  Atomics.store(view, MAGIC, MAGIC_VALUE);
  const rt: Runtime = { buffer, view, ident: MAIN_IDENT, entry: 0 };
  (globalThis as Global)[KEY] = rt;
  return rt;
}

/** The calling thread's ident. */
export function currentIdent(): number {
  return runtime().ident;
}

/** Whether the block is the one this thread runs on (foreign descriptors). */
export function isRuntimeBuffer(buffer: SharedArrayBuffer): boolean {
  return runtime().buffer === buffer;
}

/** Whether cancellation of the calling thread was requested. */
export function cancelRequested(): boolean {
  const rt = cached ?? (globalThis as Global)[KEY];
  // Plain check first: the main thread (or a thread with no runtime yet) is
  // never cancelled, and this sits on every wait's path.
  if (rt === undefined || rt.ident === MAIN_IDENT) return false;
  return Atomics.load(rt.view, slot(rt.entry, CANCEL)) === rt.ident;
}

/** Next default thread name number (process-wide, like Python's counter). */
export function nextNameNumber(): number {
  return Atomics.add(runtime().view, NEXT_NAME, 1);
}

/**
 * Reserves a table entry and an ident for a thread about to start; `tid`:
 * the entry's TID word, where a failed start gives it back without a call
 * (thread/_start.ts). A stack overflow inside reserves none (its catch
 * stores 0 back with builtins only, which cannot overflow).
 * @throws {RuntimeError} when {@linkcode MAX_THREADS} threads are alive.
 */
export function reserveEntry(
  name: string,
  daemon: boolean,
  store?: names.NameStore,
): { ident: number; entry: number; nameSeq: number; tid: number } {
  const { view } = runtime();
  const bytes = names.encodeName(name);
  const at = names.storeLongName(view, bytes, store);
  for (let i = 1; i < MAX_THREADS; i++) {
    const tid = TABLE + i * ENTRY_SLOTS + TID; // computed: no call
    if (Atomics.compareExchange(view, tid, 0, -1) !== 0) continue;
    const ident = Atomics.add(view, NEXT_IDENT, 1);
    if (ident > MAX_IDENT) {
      // Bit 30: a lock word's CONTENDED mark (sync/_holder.ts), a stop
      // ring entry's FAILED mark (2^30 thread starts in one process).
      Atomics.store(view, tid, 0);
      if (at > 0) store!.release(at);
      throw new RuntimeError(
        `Cannot start new thread: this process has used all ${MAX_IDENT} thread idents`,
      );
    }
    let stale = 0, nameSeq = 0, given = false;
    try {
      // The last owner's long name (stale), ours to release.
      stale = writeEntry(view, i, ident, bytes, at, daemon);
      nameSeq = names.writtenSeq();
      if (stale > 0) store?.release(stale);
      given = true;
    } catch (error) {
      // Owed: the stale block unless released, ours unless the entry took it
      // (NAME_AT, read first; its next owner releases it). The entry goes
      // back before the pushes, which may overflow: a block lost, not it.
      const old = given ? 0 : stale; // (a release retried is harmless: heap.ts)
      const ours = at > 0 && view[tid - TID + names.NAME_AT] !== at;
      Atomics.store(view, tid, 0);
      if (old > 0) OWED[OWED.length] = () => store!.release(old);
      if (ours) OWED[OWED.length] = () => store!.release(at);
      throw error;
    }
    if (stale === -2) continue; // its name section stayed taken: RESERVED
    // Publishes FLAGS, the name, CANCEL = 0 (all written above) with TID.
    Atomics.store(view, tid, ident);
    return { ident, entry: i, nameSeq, tid };
  }
  if (at > 0) store!.release(at);
  throw new RuntimeError(
    `Cannot start new thread: ${MAX_THREADS} threads are already alive`,
  );
}

/** The name `entry` holds for `ident` (_core/names.ts readNameSeq). */
export function entryName(
  entry: number,
  ident: number,
  since?: number,
): names.SeqName | undefined {
  return names.readNameSeq(runtime().view, slot(entry, 0), ident, since);
}

/**
 * Marks the thread `ident` of `entry` as ended and frees the entry. Called by
 * the thread itself after its target, or by the starting thread when the
 * worker died outside its target. A compareExchange, not a store: a late
 * second call can never free an entry that a newer thread has reserved.
 * Ended is not stopped: see recordStop.
 * Why no lost wakeup: joiners wait on TID with the expected value = their
 * ident; the write happens before the notify, so a joiner either sees the
 * new value before waiting (returns "not-equal") or is woken by the notify.
 */
export function endEntry(
  entry: number,
  ident: number,
  // Another table: only a spare's warm-up (thread/_spare.ts), which ends
  // no thread (its ident is no thread's) but makes V8 compile this code.
  view: Int32Array = runtime().view,
): boolean {
  if (Atomics.compareExchange(view, slot(entry, TID), ident, 0) === ident) {
    Atomics.notify(view, slot(entry, TID));
    return true;
  }
  return false;
}

/**
 * Ends the live thread `ident` wherever its entry is (a thread whose worker
 * the runtime tears down with its starter's, so that it never records its
 * own end). As endEntry: the compareExchange on the ident frees the entry at
 * most once and never a newer thread's. Returns whether it freed one. Not a
 * stop: the thread may still run (the runtime stops it at its next
 * event-loop turn at best; Deno >= 2.8.3 may not stop it at all).
 */
export function endIdent(ident: number): boolean {
  const { view } = runtime();
  for (let i = 0; i < MAX_THREADS; i++) {
    if (Atomics.load(view, slot(i, TID)) === ident) return endEntry(i, ident);
  }
  return false;
}

/**
 * Records that the thread `ident` runs no more JavaScript (see the stop
 * ring), and whether it failed. Called only where that is certain
 * (thread/_worker.ts lists the sites). Two records of one stop are
 * harmless: a lookup takes any FAILED record as the answer.
 */
export function recordStop(ident: number, failed: boolean): void {
  const { view } = runtime();
  const j = Atomics.add(view, STOP_NEXT, 1) % STOP_SLOTS;
  Atomics.store(view, STOPS + j, failed ? ident | FAILED : ident);
}

/** Whether some table entry holds `ident` (256 loads: slow paths only). */
export function identAlive(ident: number): boolean {
  const { view } = runtime();
  for (let i = 0; i < MAX_THREADS; i++) {
    if (Atomics.load(view, slot(i, TID)) === ident) return true;
  }
  return false;
}

/** The idents of the live threads (a snapshot; slow paths only). */
export function liveIdents(): Set<number> {
  const { view } = runtime();
  const out = new Set<number>();
  for (let i = 0; i < MAX_THREADS; i++) {
    const ident = Atomics.load(view, slot(i, TID));
    if (ident > 0) out.add(ident);
  }
  return out;
}

/** Records `ident`'s stop seen from outside as failed, unless recorded. */
export function recordStopSeen(ident: number): void {
  if (identStopped(ident) === undefined) recordStop(ident, true);
}

/**
 * How the thread `ident` stopped, as far as the stop ring knows: "failed",
 * "returned" (stopped after its target returned), or undefined while it may
 * still run JavaScript (or when 1024 later stops pushed it out). Scans the
 * ring (1024 loads): slow paths only.
 */
export function identStopped(ident: number): "failed" | "returned" | undefined {
  const { view } = runtime();
  let found: "returned" | undefined;
  for (let j = 0; j < STOP_SLOTS; j++) {
    const v = Atomics.load(view, STOPS + j);
    if (v === (ident | FAILED)) return "failed";
    if (v === ident) found = "returned";
  }
  return found;
}

/** Requests cooperative cancellation of the thread `ident` in `entry`. */
export function requestCancel(entry: number, ident: number): void {
  const { view } = runtime();
  // A CAS loop, not a check-then-store: a store delayed past the entry's
  // reuse could overwrite a newer thread's own cancel request. Each try
  // re-checks that the entry still belongs to `ident` after reading CANCEL,
  // and the CAS fails if anyone wrote CANCEL since (a reuse resets it).
  for (;;) {
    const seen = Atomics.load(view, slot(entry, CANCEL));
    if (Atomics.load(view, slot(entry, TID)) !== ident) return;
    if (
      Atomics.compareExchange(view, slot(entry, CANCEL), seen, ident) === seen
    ) return;
  }
}

/**
 * Withdraws a cancellation request for the thread `ident` of `entry` (a
 * compareExchange: a newer request or a reused entry is left alone). Pool
 * threads call it between tasks, after an aborted task has ended.
 */
export function clearCancel(entry: number, ident: number): void {
  Atomics.compareExchange(runtime().view, slot(entry, CANCEL), ident, 0);
}

/** Whether cancellation was requested for `ident` (any thread may ask). */
export function cancelRequestedFor(entry: number, ident: number): boolean {
  return Atomics.load(runtime().view, slot(entry, CANCEL)) === ident;
}

/**
 * The Int32 index of an entry's TID word, for joiners to wait on: also the
 * entry's first slot, from which _core/names.ts counts its name words.
 */
export function tidIndex(entry: number): number {
  return slot(entry, TID);
}

/** Whether the thread `ident` is still alive. */
export function entryAlive(entry: number, ident: number): boolean {
  return Atomics.load(runtime().view, slot(entry, TID)) === ident;
}

/**
 * Names (or with 0 stops naming) the heap block of this Timer's thread's
 * word in its entry (thread/_timer_target.ts; thread/timer.ts timerOf says
 * what a reader may do with it). The entry is reset to 0 before its TID is
 * published.
 */
export function publishTimer(byteOffset: number): void {
  const { view, entry } = runtime();
  Atomics.store(view, slot(entry, TIMER), byteOffset);
}

/** The TIMER word of `entry` while it holds `ident` (read first), else 0. */
export function entryTimer(entry: number, ident: number): number {
  const { view } = runtime();
  const at = Atomics.load(view, slot(entry, TIMER));
  return Atomics.load(view, slot(entry, TID)) === ident ? at : 0;
}

/** Snapshots of the live entries, main thread first. */
export function liveEntries(): EntryInfo[] {
  const { view } = runtime();
  const out: EntryInfo[] = [];
  for (let i = 0; i < MAX_THREADS; i++) {
    const info = readEntry(view, i);
    if (info !== undefined) out.push(info);
  }
  return out;
}

/** A snapshot of one entry, or undefined when it is not live. */
export function entryInfo(entry: number): EntryInfo | undefined {
  return readEntry(runtime().view, entry);
}

function slot(entry: number, field: number): number {
  return TABLE + entry * ENTRY_SLOTS + field;
}

function writeEntry(
  view: Int32Array,
  entry: number,
  ident: number,
  bytes: Uint8Array,
  at: number,
  daemon: boolean,
): number {
  const base = slot(entry, 0);
  // Written while the entry is RESERVED (or before MAGIC is published), so
  // no reader trusts these words until the TID store that follows.
  const stale = names.writeName(view, base, bytes, at, ident, false);
  view[base + FLAGS] = daemon ? FLAG_DAEMON : 0;
  view[base + CANCEL] = 0;
  view[base + TIMER] = 0;
  return stale; // the last owner's long name, for the caller to release
}

function readEntry(view: Int32Array, entry: number): EntryInfo | undefined {
  const base = slot(entry, 0);
  const ident = Atomics.load(view, base + TID);
  if (ident <= 0) return undefined;
  const daemon = (Atomics.load(view, base + FLAGS) & FLAG_DAEMON) !== 0;
  // Read under the name's seqlock, for this ident (_core/names.ts).
  const name = names.readName(view, base, ident);
  if (name === undefined) return undefined;
  const timer = Atomics.load(view, base + TIMER);
  if (Atomics.load(view, base + TID) !== ident) return undefined;
  return { ident, entry, name, daemon, timer };
}
