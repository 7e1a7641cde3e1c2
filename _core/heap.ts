// Copyright 2026 the threadkit authors. MIT license.
// The shared heap's blocks: reference-counted, freed when no thread can name
// them any more, and reused through free lists in shared memory. The heap's
// bytes come from the runtime block (_core/heap_top.ts: heapAlloc claims them,
// HEAP_BASE up to 2 GiB - 64 KiB); this file cuts them into blocks.
//
// Block layout: Int32 words at byte offset `at` (a multiple of 8) of the
// runtime block; the primitive's words (the payload) start at at + 8.
// | word   | name  | values                                     | written by                  |
// |--------|-------|--------------------------------------------|-----------------------------|
// | 0      | CLASS | BLOCK_MAGIC | kind << 8 | k: 2^k bytes      | blockAlloc, each allocation |
// | 1      | REFS  | references held; 0 while free              | Atomics.add/sub, see below  |
// | 2      | NEXT  | while free: `at` of the next free block    | push, before the head's CAS |
// | 2 ...  |       | while live: the payload (zeroed at alloc)  | the primitive               |
// A block keeps its size class k for the life of the process; its kind
// (0..255, set by each blockAlloc) names the release hook that runs when it
// is freed (below). Free blocks of
// class k form a stack whose head is FREE_HEADS[k], an Int64: low 32 bits
// `at` of the top block (0 = empty), high 32 bits a tag that every
// successful compareExchange increments.
//
// Block states:
// FRESH (bytes past HEAP_TOP) -blockAlloc: heapAlloc, CLASS, REFS = 1-> LIVE
// FREE (on list k) -blockAlloc: pop (tagged CAS), zero payload, REFS = 1-> LIVE
// LIVE -blockRetain: REFS += 1-> LIVE
// LIVE -blockRelease: REFS -= 1, to 0: the kind's release hook runs (it
//       releases the blocks this one owns), then-> FREE (kept in the releasing
//       thread's own cache, or pushed on list k when that is full; nobody
//       else can name the block any more, below)
// FREE (in a thread's cache) -that thread's blockAlloc-> LIVE
//
// Who holds a reference (REFS counts each one):
// - each tracked handle: a primitive object over the block in some thread,
//   registered with this thread's FinalizationRegistry (holdBlock), which
//   releases its reference after the object is collected. The first is the
//   constructor's (blockAlloc starts REFS at 1).
// - each encoded descriptor in flight: a primitive inside thread args, a
//   thread result or thrown value, or a queue item is retained when it is
//   encoded (_core/transfer.ts copy, queue/_tagged.ts; describing a
//   primitive, [TO_DESCRIPTOR](), retains nothing) and the reference passes
//   to the handle the decoding thread makes (holdBlock without a new count).
//   A refused put releases the references its encoding took (only its own:
//   queue/_held.ts).
// - a thread table entry's long name (_core/names.ts NAME_AT): one
//   reference, from the blockAlloc of its start or rename, released by the
//   writer that replaces it (a rename, the entry's next reservation). Its
//   bytes are only read, never waited on; a reader that read them after
//   the release discards them (_core/names.ts says why).
// Inner handles (lockAt/conditionAt over words of another primitive: an
// RLock's lock, a Barrier's lock and condition) hold no reference: the outer
// primitive keeps them, and they never outlive it (sync/_lock_at.ts).
//
// Why a block with REFS 0 has no waiter and never gets one: every wait and
// every notify on a primitive's words runs in a method of a handle over them
// (sync: `this` is on the waiting thread's stack; async: the suspended async
// method holds `this`, and the pending Atomics.waitAsync promise that will
// resume it is held by the engine until it settles), so a handle is
// reachable, and so not collected, while any thread waits on or touches the
// words. Async waits must therefore be methods of the handle (or of an
// object that holds it: a queue's QueueState.owner; an inner lock's outer,
// sync/_lock_at.ts), never module functions given only an Int32Array:
// tests/_core/heap_gc_test.ts drops the handle of each async wait while it
// is pending, collects, and checks that the block keeps its reference. A handle that exists holds a reference (or is an inner handle of
// one that does). A thread learns an offset only from a handle or from an
// encoded descriptor, and each of those holds a reference until the next
// one exists (decode takes over the in-flight reference); the one other
// source, a Timer's thread-table entry, is read only while that thread
// holds its reference, and its reader takes its own through
// blockRetainIfLive (thread/timer.ts timerOf says why that is sound). So REFS reaches 0
// only when no thread has a handle and no descriptor is in flight: no thread
// waits on the words, and none can ever name them again. Freeing earlier
// would be worse than the leak this replaces (a waiter woken by an unrelated
// primitive reusing the words); where this file cannot be sure (a thread
// that ended never runs its finalizers; a descriptor encoded but never
// decoded, as in an item left in a dropped queue) the block leaks instead.
//
// Blocks that own blocks (release hooks): a primitive whose words name other
// heap blocks (an unbounded queue's chain header names its segments,
// queue/_chain.ts) allocates its block with a kind k > 0 and registers a
// hook for k (registerRelease, once per thread at module load; the table
// lives on globalThis, as the transfer registry does, so two copies of this
// module in one thread share it). The release that takes REFS to 0 runs the
// hook with the block's payload offset before the block goes on a free
// list: the hook releases the owned blocks' references. This is safe for
// the same reason freeing is (REFS 0: no thread can name the block, so none
// can reach the blocks it names through it); the owner must also make sure
// no thread reaches an owned block except through a handle of the owner
// (queue/_chain_memory.ts says why that holds for segments). A kind with
// no hook in the releasing thread (a thread that never loaded the owner's
// module, releasing an in-flight reference of a value it could not decode:
// a thread result naming an unbounded queue, decoded by a starter that
// imported only thread/thread) puts the reference back: the block and what
// it owns leak, and nothing is freed under an owner whose hook did not run.
// Kinds in use: 1 an unbounded queue's chain (queue/_chain_memory.ts).
//
// Queue blocks (blockAlloc's `queue`: every bounded queue placed in the
// heap, queue/_init.ts, and an unbounded queue's chain header and segments,
// queue/_chain.ts) may take at most three quarters of the heap's largest
// size (queueCap: 1,536 MiB of 2 GiB; a quarter of a heap that cannot
// grow). In a growable heap that share is one range at the runtime
// block's top (_core/heap_top.ts queueRange: primitives' blocks are cut
// below it, never inside), cut into 8 MiB queue chunks
// (_core/heap_chunks.ts), HEAP_QUEUES counting the chunks first used.
// Blocks up to 8 MiB (every bounded queue in the heap, queue/_home.ts
// HEAP_QUEUE_MAX, an unbounded queue's chain header and its segments,
// queue/_chain_memory.ts SEGMENT_BLOCK) are packed in chunks of one class
// at a time, a chunk free for any class once its last block is freed, so
// queues of any mix of sizes, made and dropped in any order, fit the share
// as long as at most 191 are alive at once (that file says why), and small
// ones pack by the thousand. A larger queue block (an unbounded queue's
// segment made for one item larger than 8 MiB, or a chain's segment past
// its 32nd: 16 MiB and up) is a run of chunks side by side in the range:
// any free ones, wherever and whenever they were freed, and once freed
// its chunks serve queue blocks of any size: a queue that held hundreds of
// MiB, dropped, leaves its share to queues of any sizes. Without the cap,
// live queues could fill the heap: new primitives (16 to 128 bytes) would
// get buffers of their own, which cannot travel inside queue items. With
// it, 512 MiB stay for primitives (33 million Locks) whatever queues do
// (and, the range kept for queues, they take no more); a queue block the
// share cannot hold is -1 (the queue gets a buffer of its own). A heap of
// fixed size (no growable SharedArrayBuffer: a share under one chunk) has
// no range and cuts queue blocks one by one, within the cap, from the free
// lists of their class, as primitives' blocks are.
//
// Why the free list is safe without a lock (ABA): a pop reads head h, then
// NEXT of the top block, then CASes head h -> NEXT with h's tag + 1. If the
// block was popped, reused and pushed back meanwhile, the head has a new tag
// and the CAS fails, so a stale NEXT is never installed. Reading NEXT of a
// block someone else popped is harmless: heap memory is never given back to
// the system, so the read stays in bounds.

import { OWED } from "./overflow.ts";
import {
  FREE_HEADS,
  HEAP_BASE,
  HEAP_LIVE,
  HEAP_QUEUES,
  HEAP_TOP,
  LAYOUT,
  runtime,
} from "./runtime.ts";
import { heapAlloc, queueCap, queueRange } from "./heap_top.ts";
import { B } from "./primordials_record.ts";
import {
  CHUNK_CLASS,
  CHUNK_MIN_CLASS,
  chunkAlloc,
  chunkAvailable,
  chunkFree,
  chunkRunAlloc,
  chunkRunAvailable,
  chunksOn,
} from "./heap_chunks.ts";

const CLASS = 0;
const REFS = 1;
const NEXT = 2;
/** Bytes before a block's payload. */
const HEADER = 8;
const BLOCK_MAGIC = 0x6b680000;
const MAGIC_MASK = 0xffff0000 | 0;
const MIN_CLASS = 4; // 16 B: the header and two words
const MAX_CLASS = 30; // 1 GiB
const LOW = 0xffffffffn;

interface Views {
  readonly buffer: SharedArrayBuffer;
  /**
   * The block as long as it was when this view was made: fixed-length, not
   * length-tracking (V8's Atomics on those measured about 6x slower);
   * remade by wordsFor when a block lies past its end (the heap grew).
   */
  all: Int32Array;
  readonly heads: BigInt64Array;
  readonly header: Int32Array;
}
let cached: Views | undefined;

function views(): Views {
  const rt = runtime();
  if (cached?.buffer === rt.buffer) return cached;
  return cached = {
    buffer: rt.buffer,
    all: new Int32Array(rt.buffer, 0, rt.buffer.byteLength / 4),
    heads: new BigInt64Array(rt.buffer, FREE_HEADS, 32),
    header: rt.view,
  };
}

// The view `v.all`, remade if bytes up to `end` lie past its end. Every
// block lies inside the runtime block's current length: heapAlloc returns an
// offset only after growing past the block's end.
function wordsFor(v: Views, end: number): Int32Array {
  if (end <= v.all.length * 4) return v.all;
  return v.all = new Int32Array(v.buffer, 0, v.buffer.byteLength / 4);
}

/**
 * A new block whose payload holds `bytes` (zeroed), with one reference (the
 * caller's: hand it to {@linkcode holdBlock}). Returns the payload's byte
 * offset in the runtime block, a multiple of 8, or -1 when the heap cannot
 * hold it. `queue`: a queue's block, within the queues' share of the heap.
 */
export function blockAlloc(bytes: number, queue = false, kind = 0): number {
  let k = MIN_CLASS;
  while ((1 << k) < bytes + HEADER) if (++k > MAX_CLASS) return -1;
  const v = views();
  let at: number;
  if (queue && chunksOn()) {
    // From the queues' range (see "Queue blocks"); its class word is new.
    if (k < CHUNK_MIN_CLASS) k = CHUNK_MIN_CLASS;
    if (k <= CHUNK_CLASS) at = chunkAlloc(k);
    else {
      at = chunkRunAlloc(k, run);
      // Fresh heap bytes are zero: leave their pages untouched.
      if (at > 0 && run.fresh) bytes = 0;
    }
    if (at < 0) return -1;
    Atomics.store(wordsFor(v, at + HEADER), at / 4 + CLASS, BLOCK_MAGIC | k);
  } else {
    const cache = local[k];
    at = cache !== undefined && cache.length > 0 ? cache.pop()! : pop(v, k);
  }
  if (at > 0) {
    // Ours alone: zero what the primitive will use (NEXT included). Plain
    // stores: the offset reaches another thread only through a transfer,
    // a synchronizing operation (postMessage, a queue's atomics).
    const all = wordsFor(v, at + HEADER + bytes);
    const from = (at + HEADER) >> 2;
    all.fill(0, from, from + ((bytes + 3) >> 2));
  } else {
    if (queue && !reserveQueue(v, 1 << k)) return -1;
    at = heapAlloc(1 << k, 8);
    if (at < 0) {
      if (queue) Atomics.sub(v.header, HEAP_QUEUES, 1 << k);
      return -1;
    }
    wordsFor(v, at + HEADER); // fresh heap bytes are zero
  }
  Atomics.store(v.all, at / 4 + CLASS, BLOCK_MAGIC | (kind & 0xff) << 8 | k);
  Atomics.store(v.all, at / 4 + REFS, 1);
  Atomics.add(v.header, HEAP_LIVE, 1 << k);
  return at + HEADER;
}

// chunkRunAlloc's answer: whether the run it gave was unused chunks (zero).
const run = { fresh: false };

/**
 * Whether blockAlloc(bytes, queue) would give a block now, read only: a
 * snapshot (another thread may take or free one at once), which does not
 * foresee the system refusing memory when the heap grows. An unbounded
 * queue's full() asks it for its next segment (queue/_chain.ts canGrow):
 * allocating to find out would take a block a racing put's grow needs.
 */
export function blockAvailable(bytes: number, queue = false): boolean {
  let k = MIN_CLASS;
  while ((1 << k) < bytes + HEADER) if (++k > MAX_CLASS) return false;
  const v = views();
  if (queue && chunksOn()) {
    return k <= CHUNK_CLASS
      ? chunkAvailable(Math.max(k, CHUNK_MIN_CLASS))
      : chunkRunAvailable(k);
  }
  const room = (n: number) =>
    (!queue || Atomics.load(v.header, HEAP_QUEUES) + n <= queueCap(v.buffer)) &&
    heapRoom(n);
  if ((local[k]?.length ?? 0) > 0) return true;
  if ((Atomics.load(v.heads, k) & LOW) !== 0n) return true;
  return room(1 << k);
}

// Whether heapAlloc(bytes, 8) would find room past HEAP_TOP now.
function heapRoom(bytes: number): boolean {
  const top = Atomics.load(runtime().view, HEAP_TOP);
  return Math.ceil(top / 8) * 8 + bytes <= queueRange().table;
}

// Counts `bytes` of fresh heap for a queue block, unless that passes the
// cap (see "Queue blocks" above).
function reserveQueue(v: Views, bytes: number): boolean {
  const cap = queueCap(v.buffer);
  for (let used = Atomics.load(v.header, HEAP_QUEUES);;) {
    if (used + bytes > cap) return false;
    const seen = Atomics.compareExchange(
      v.header,
      HEAP_QUEUES,
      used,
      used + bytes,
    );
    if (seen === used) return true;
    used = seen;
  }
}

/** Heap bytes cut for queue blocks, and the cap on them (tests). */
export function heapQueueBytes(): { used: number; cap: number } {
  const v = views();
  return { used: Atomics.load(v.header, HEAP_QUEUES), cap: queueCap(v.buffer) };
}

/** Whether `byteOffset` of the runtime block is a heap block's payload. */
export function isBlock(byteOffset: number): boolean {
  if (byteOffset < HEAP_BASE + HEADER || byteOffset % 8 !== 0) return false;
  const v = views();
  const at = byteOffset - HEADER;
  if (at + HEADER > v.buffer.byteLength) return false;
  const word = Atomics.load(wordsFor(v, at + HEADER), at / 4 + CLASS);
  const k = word & 0xff;
  return (word & MAGIC_MASK) === BLOCK_MAGIC && k >= MIN_CLASS &&
    k <= MAX_CLASS;
}

/** Adds a reference to the live block at `byteOffset` (an in-flight one). */
export function blockRetain(byteOffset: number): void {
  const v = views();
  const at = byteOffset - HEADER;
  Atomics.add(wordsFor(v, at + HEADER), at / 4 + REFS, 1);
}

/**
 * blockRetain for each offset in `offsets` from `from` on: all of them, or
 * (a stack overflow at its entry, the only throw it can meet) none: its
 * loop calls no function of this module (queue/_held.ts takes an encode's
 * references with it once the encode has succeeded).
 */
export function blockRetainAll(offsets: readonly number[], from = 0): void {
  const v = views();
  const all = wordsFor(v, v.buffer.byteLength);
  for (let i = from; i < offsets.length; i++) {
    Atomics.add(all, (offsets[i] - HEADER) / 4 + REFS, 1);
  }
}

/**
 * Adds a reference to the block at `byteOffset` if it has one (REFS > 0),
 * for a caller that learnt the offset from a record rather than from a
 * handle or a descriptor (a Timer's thread-table entry, thread/timer.ts
 * timerOf). Returns whether it added one. Never touches a free block's
 * count (0 while free). The caller must check afterwards that the record
 * still names the block as live (the block may have been freed and reused
 * between its read and this) and release the reference if not: a count
 * added to a reused block and released again leaves that block's count as
 * it was (its owner's last release or ours frees it, once).
 */
export function blockRetainIfLive(byteOffset: number): boolean {
  const v = views();
  const at = byteOffset - HEADER;
  const words = wordsFor(v, at + HEADER), i = at / 4 + REFS;
  for (let r = Atomics.load(words, i); r > 0;) {
    const seen = Atomics.compareExchange(words, i, r, r + 1);
    if (seen === r) return true;
    r = seen;
  }
  return false;
}

/**
 * Drops a reference to the block at `byteOffset`; the last one frees it.
 * A count that would go below 0 (a bug) is put back and the block leaks.
 */
export function blockRelease(byteOffset: number): void {
  const v = views();
  const at = byteOffset - HEADER;
  const before = Atomics.sub(wordsFor(v, at + HEADER), at / 4 + REFS, 1);
  if (before > 1) return;
  if (before < 1) {
    Atomics.add(v.all, at / 4 + REFS, 1);
    return;
  }
  const word = Atomics.load(v.all, at / 4 + CLASS);
  const k = word & 0xff;
  const kind = word >> 8 & 0xff;
  if (kind !== 0 && hooks[kind] === undefined) {
    // No hook here (see "Blocks that own blocks"): leak, never free it.
    Atomics.add(v.all, at / 4 + REFS, 1);
    return;
  }
  let hookFailed = false, hookError: unknown;
  try {
    if (kind !== 0) hooks[kind](byteOffset);
  } catch (error) {
    hookFailed = true; // freed all the same, then thrown
    hookError = error;
  }
  // Near the stack's end free() may overflow before it has done anything
  // (its calls come first, the count last): then it is owed
  // (_core/overflow.ts), not lost (a retried release finds no reference
  // to take, above, and frees nothing).
  try {
    free(v, k, at);
  } catch (error) {
    OWED[OWED.length] = () => free(v, k, at);
    throw error;
  }
  if (hookFailed) throw hookError;
}

// Puts the block on a free list, then takes it off HEAP_LIVE: a stack
// overflow in a call leaves both as they were (see blockRelease).
function free(v: Views, k: number, at: number): void {
  if (k < CHUNK_MIN_CLASS || !chunkFree(at, k)) { // else a queue chunk's
    const cache = local[k] ??= [];
    if (cache.length < LOCAL_BYTES >> k) cache.push(at);
    else push(v, k, at);
  }
  Atomics.sub(v.header, HEAP_LIVE, 1 << k);
}

// This thread's own free blocks, by class: a block this thread freed goes
// here first and its next allocation of that class takes it back, with no
// compareExchange on a shared head (a create/drop loop stays thread-local).
// At most LOCAL_BYTES per class (16,384 Locks; no queue of 1 MiB or more);
// a thread that ends keeps its cache (those blocks leak, as its unreleased
// references do).
const local: number[][] = [];
const LOCAL_BYTES = 256 * 1024;

function pop(v: Views, k: number): number {
  for (;;) {
    const h = Atomics.load(v.heads, k);
    const at = Number(h & LOW);
    if (at === 0) return 0;
    const next = Atomics.load(wordsFor(v, at + 12), at / 4 + NEXT);
    const h2 = BigInt.asIntN(64, (((h >> 32n) + 1n) << 32n) | BigInt(next));
    if (Atomics.compareExchange(v.heads, k, h, h2) === h) return at;
  }
}

function push(v: Views, k: number, at: number): void {
  for (;;) {
    const h = Atomics.load(v.heads, k);
    Atomics.store(v.all, at / 4 + NEXT, Number(h & LOW));
    const h2 = BigInt.asIntN(64, (((h >> 32n) + 1n) << 32n) | BigInt(at));
    if (Atomics.compareExchange(v.heads, k, h, h2) === h) return;
  }
}

type ReleaseHook = (byteOffset: number) => void;
// Keyed with the runtime block's layout (runtime.ts LAYOUT): copies that
// share a block share the hooks; a copy of another layout has a block of
// its own, and its hooks (which read their own block) must never run for
// this one's blocks.
const HOOKS = B.symbolFor(`threadkit.heap.releaseHooks.${LAYOUT}`); // (as at load)
const hooks: ReleaseHook[] =
  ((globalThis as Record<symbol, unknown>)[HOOKS] as ReleaseHook[]) ??
    ((globalThis as Record<symbol, unknown>)[HOOKS] = []);

/**
 * Registers what runs when a block of `kind` (1..255, given to blockAlloc)
 * loses its last reference, before it is freed: `hook` gets the block's
 * payload offset and releases the blocks it owns (see "Blocks that own
 * blocks" above). Each module that allocates such blocks calls this at load.
 */
export function registerRelease(kind: number, hook: ReleaseHook): void {
  hooks[kind] = hook;
}

// This thread's finalizers: each tracked handle's reference is released
// after the handle is collected (in a later task of this thread's loop).
const finalizers = new FinalizationRegistry<number>(blockRelease);

/**
 * Makes `owner` (a primitive object over the block at `byteOffset`) the
 * holder of one reference that the caller already counted (blockAlloc's, or
 * an in-flight one): released when `owner` is collected.
 */
export function holdBlock(owner: object, byteOffset: number): void {
  finalizers.register(owner, byteOffset);
}

/** Bytes in live heap blocks, process-wide (tests and measurements). */
export function heapLiveBytes(): number {
  return Atomics.load(views().header, HEAP_LIVE);
}

/** The reference count of the block at `byteOffset` (tests). */
export function blockRefs(byteOffset: number): number {
  const v = views();
  const at = byteOffset - HEADER;
  return Atomics.load(wordsFor(v, at + HEADER), at / 4 + REFS);
}
