// Copyright 2026 the threadkit authors. MIT license.
// The numeric FIFO ring's single-side modes (QueueInit singleWriter,
// singleReader; .NET's BoundedChannelOptions.SingleWriter/SingleReader, but
// checked). The ring, its slot table and its arguments are _ring.ts's; this
// file changes who may put (get) and, for a single writer, how a put publishes.
//
// Header words (_layout.ts):
// | slot | name   | values                              | written by                  |
// |------|--------|-------------------------------------|-----------------------------|
// | 7    | FLAGS  | bit 8 singleWriter, 9 singleReader  | constructor, once           |
// | 18   | WRITER | 0, or the writer's ident            | its first put; a takeover   |
// | 36   | READER | 0, or the reader's ident            | its first get; a takeover   |
// WRITER sits on TAIL's line (the writer's), READER on HEAD's (the
// reader's): the per-call check is one Atomics.load of a line its side
// already holds.
//
// Role word states (per side; T, U thread idents, never reused; taking and
// giving back: _role.ts):
// 0        -first put (get) of U: CAS 0 -> U->                     U
// T        -put (get) by T: one read (plain: below), equal: go on-> T
// T        -put (get) by U, T alive or not known stopped: RoleError, nothing changed
// T        -put (get) by U, T stopped (holderDead, _decoding.ts): CAS T -> U-> U
// T        -T records its own stop (_core/at_stop.ts): CAS T -> 0->      0
// "Stopped" is the stop ring's (_core/runtime.ts): the thread runs no more
// JavaScript. A thread that stops by itself gives its roles back first (a
// stop hook); the ring, which keeps the last 1024 stops, is needed only for
// a stop seen from outside (its worker exited or ran out of memory): a role
// whose holder stopped that way more than 1024 stops ago is never passed
// on. A thread that has merely ended (isAlive() false, its event loop
// running) keeps its role: it may still be inside a put. Two takers race by
// one compareExchange from T; the loser reads U, alive: RoleError. A word
// that names no issued ident is corrupt memory: a RangeError.
//
// Why a role thread that stopped mid-call leaves nothing half done: a put
// publishes by one compareExchange of TAIL, a get by one of HEAD (below).
// Before it, a put has written slots at positions >=
// TAIL (no reader reads them; the next put writes them again) and maybe
// bumped LAPS or PHASE (their only readers reload more when they change);
// a get has copied slots (its copy dies with it). After it, the call is
// complete: the item is published (taken). Only the wake of sleepers may
// be missing, as for a thread that dies in any release of the default ring
// (_turn.ts releaseTurn, _ring.ts advance): a writer (reader) that stops
// between the compareExchange that cleared SLEEPER and its wake leaves the
// getters (putters) asleep on NOT_EMPTY (NOT_FULL) until their deadline,
// untimed ones for good, with items (room) there; the next put (get) finds
// no SLEEPER and wakes nobody. A gap of a few instructions, reachable only
// by a death at that instruction (out of memory, a terminated worker);
// closing it needs waiters that look again at each slice end (_state.ts).
// So the taker starts from whole items. Its handle's caches are checked as
// any handle's are: the writer's TAIL read, the reader's `reading`.
//
// singleWriter: a put takes no lock. Only the writer moves TAIL's position
// (the role; a thread's puts are synchronous sections, so several handles
// or async puts of one thread never interleave inside one), so:
//   w = TAIL (t = position; a plain read, below), then HEAD if the hint
//   says full; write the slots (plain stores); CAS TAIL w -> t + n.
// The publish stays a compareExchange, not a store: other threads OR bits
// into TAIL (a getter's SLEEPER, _turn.ts; shutdown's CLOSED), and a store
// would erase them. The compareExchange reads them as it publishes: from a
// word with SLEEPER it runs releaseTurn's rule (load GET_WAITERS, keep or
// clear SLEEPER, wake), and from one with CLOSED it fails and the put
// reports "shut down" having published nothing. Memory ordering as in
// _ring.ts: the slots are
// written before the compareExchange (sequentially consistent) that
// publishes them, and a slot is written only after an Atomics read of HEAD
// past its previous position, which the reader's compareExchange wrote
// after its copy.
// Why no lost wakeup (getters): _turn.ts's SLEEPER argument needs only that
// SLEEPER is removed by a release with n > 0 and that every release is a
// compareExchange from the word it read, which this publish is.
// Shutdown: close() ORs CLOSED into TAIL and waits for TAIL's lock (never
// held here), then publishes SHUTDOWN. A put's compareExchange either came
// before the OR (its item is in before SHUTDOWN shows: an immediate
// shutdown's drain sees it) or fails on CLOSED: no put lands after.
// Counter ABA (the writer's hint): the wraparound argument of _ring.ts
// holds with "the writer role" for "TAIL's lock". TAIL stays t from the
// writer's load to its compareExchange (a word whose position changed is
// corrupt: a RangeError), so t - HEAD read after that load is the exact
// fill; the hint (#headSeen) is trusted only when TAIL is as this handle
// left it (t == #tail) in the same lap (LAPS == #laps; the writer bumps
// LAPS before the publish that wraps, so a handle that sees TAIL == t has
// seen every bump of the laps up to t). The readers' PHASE rule holds as
// written there: a put adds to PHASE before the compareExchange that
// publishes a crossing, and at most one put is in progress at any instant
// (the role; a takeover follows a stop). A put that adds to PHASE or LAPS
// and then finds CLOSED (or dies) leaves them one ahead: readers and the
// writer only reload more.
//
// singleReader: a batch get (tryGetMany, tryGetInto) keeps _ring.ts's path
// after its role check; a single get (tryGet) is the careful ring's: role
// word, cache (#rHead, #rTail; TAIL loaded when it says empty, no PHASE
// load), slot read, one compareExchange of HEAD p -> p + 1 (below).
//
// The single-item fast paths (the careful ring's cost: one atomic a put,
// one a get, each also reading the other side's SLEEPER bit):
// - Plain reads. The role word, TAIL's word and LAPS (writer), the role
//   word (reader) are read without Atomics. A role word changes from T
//   only by T itself (its stop hook) or by a takeover after T stopped, so
//   thread T reads T in it exactly while it holds the role: a plain read of
//   its own last write, or of one that happened before its takeRole
//   (tamper aside: a word that is not T goes to the checked slow path).
//   TAIL's position and LAPS are written only by the writer role: by this
//   thread (program order) or by a stopped predecessor, whose writes
//   happen before this thread's role CAS (the stop ring's Atomics). Other
//   threads only OR SLEEPER or CLOSED into TAIL; a word with bits fails the
//   exact compare and takes the slow path, and the publish compareExchange
//   from the exact word t fails on bits set since. So the slot is written
//   only when TAIL's position is t, as the slow path's Atomics load would.
// - The call sites. A single-writer (reader) handle's put, putNowait (get,
//   getNowait) are its own (_solo_calls.ts closures), whose call of tryPut
//   (tryGet) sees only this class; QueueBase's sees only Ring. One
//   shared site went polymorphic in a thread that uses both kinds (the
//   int-m2t row's main thread puts to both), and TurboFan inlines a
//   polymorphic call only if its targets fit what is left of the caller's
//   920 bytes, counting for each its bytecode plus what its own optimised
//   code inlined (V8 15, Deno 2.9; the int-m2t row, BENCHMARKS.md):
//   Ring.tryPut 339 + 396 once its slow path's retries had it optimised,
//   this one 266 (tryGet: Ring's 211 + 508): neither was inlined, a call a put, when a default queue
//   was put to first (deno --v8-flags=--trace-turbo-inlining: "existing
//   opt code's inlined bytecode size: 396"). The fast put stays small:
//   the wrap of M and the stride crossing go to #putSlow, SLEEPER or
//   CLOSED to #published, `me` starts as NaN (equal to no role word, so
//   no "not read yet" test), and the stride test, the wrap test and the
//   single-writer flag are one compare, next < #limit, where #limit is
//   the first multiple of the stride above the position a slow path left
//   TAIL at, capped at M (0 until a slow path sets it, and for good
//   without a single writer: the default put's branch returns before
//   that code). Why that is the old test: #tail only grows by fast puts
//   between two slow paths (each resets #limit from the TAIL it leaves),
//   so every multiple of the stride and M above it is >= #limit.
// - What else the optimised fast paths pay (node --print-opt-code of a
//   put/get loop): the header indexes are literals (an imported constant
//   is read from its module cell with a hole check and a small-integer
//   check at each use; the values are checked at load, below the imports),
//   the single-side flags are small integers (a boolean field compiled to
//   a generic truthiness test), and QueueBase.get tests typeof before its
//   EMPTY compare (that compare of the fast path's number merged with the
//   slow path's result called the generic StrictEqual builtin every get).
//   The loop's code went from 4252 to 3056 bytes on Node 20.
// - Why a get publishes by compareExchange, not a store: an immediate
//   shutdown's discard (_shutdown.ts drain, any thread, no role check)
//   moves HEAD by its own compareExchange and credits DONE for what it
//   moved. The reader's compareExchange from p fails once the discard
//   moved HEAD, and the reader drops its copy: each item is either taken
//   (the reader's CAS first; the discard starts from p + 1) or discarded
//   (the discard's CAS first), never both, never neither; nothing can move
//   HEAD back. A store would need a second atomic (a flag load after it,
//   Dekker-style) and could still publish an item the discard counted. On
//   this V8 a compareExchange is the same builtin call and locked
//   instruction as a seq_cst store (BENCHMARKS.md, int-t2t).
// - The reader's cache is current while `reading` (module state, one per
//   thread) is this handle's serial; any other HEAD move by this thread (a
//   second handle, a batch get, a discard) or a takeRole clears it. Then
//   since the cache was made HEAD moved only by this handle's tryGet or by
//   another thread's discard, which runs after close (TAIL frozen) and
//   moves HEAD forward by at most P in all. Counter ABA: a CAS from p
//   succeeds only if HEAD == p (mod M); a discard alone moves HEAD by less
//   than M, so HEAD did not move: [p, #rTail) were published (an Atomics
//   TAIL load read them, synchronising-with the writer's publish) and not
//   taken; the writer overwrites slot p % P only after an Atomics read of
//   HEAD past p, after this CAS, so the copy is the item. A cache that says
//   empty (#rTail == p) loads TAIL: equal to p, it means empty, because
//   p <= HEAD <= TAIL (unwrapped) and TAIL - p <= 2P < M (P <= 2^26,
//   M > 2^27). Otherwise (not current) HEAD is loaded, then TAIL: p ==
//   TAIL is empty at that TAIL load, as _ring.ts emptyAt argues.
// - Waiting: a getter's try after its SLEEPER mark (_turn.ts, step 4)
//   either takes an item from the cache or loads TAIL, after the mark; a
//   putter's try loads HEAD when its hint says full: _turn.ts's argument
//   holds. `reading` is per copy of this module: two copies of the package
//   in one thread, each with a handle of one queue, do not clear each
//   other's; then the CAS still catches every move but whole laps (about
//   M = 2^28 items through one copy while the other's handle idles), and a
//   TAIL equal to p could read as empty then: not guarded. A thread that
//   alternates gets between two single-reader queues reloads HEAD and TAIL
//   on each (two loads more, still correct).

import { currentIdent } from "../_core/runtime.ts";
import type { Acquire } from "../_core/wait.ts";
import { corruptWord } from "./_corrupt.ts";
import { takeRole } from "./_role.ts";
import {
  CAPACITY,
  EMPTY,
  FLAG_SINGLE_READER,
  FLAG_SINGLE_WRITER,
  HEAD,
  HEADER_BYTES,
  LAPS,
  MODULUS,
  type NumericArray,
  type NumericInfo,
  PHASE,
  READER,
  TAIL,
  WRITER,
} from "./_layout.ts";
import { Ring } from "./_ring.ts";
import { advance, freshHead as consumerHead } from "./_ring_head.ts";
import { freshHead, mod, publish, readHead } from "./_solo_words.ts";
import { CLOSED, CONTENDED, LOCKED, POSITION, SLEEPER } from "./_turn.ts";

// The fast paths (tryPut, tryGet) index the header with literals, not the
// imported constants: an import is a live binding, which optimised code
// reads from its module cell with a hole check and a small-integer check at
// each use. They are _layout.ts's words, checked once here.
if (
  TAIL !== 16 || LAPS !== 17 || WRITER !== 18 || HEAD !== 32 || READER !== 36
) throw new Error("queue/_solo.ts: the header layout changed");

// This thread's ident, read once: the value a role word holds. NaN until
// then, equal to no role word (an int32), so the fast paths need no test
// for "not read yet".
let me = NaN;
function ident(): number {
  return me = currentIdent();
}

// The serial of this thread's handle whose single-reader cache is current
// (file header; a number keeps no queue alive), 0 for none.
let reading = 0, serials = 0;

/** A numeric FIFO ring with a single writer and/or a single reader. */
export class SoloRing extends Ring {
  readonly #h: Int32Array;
  readonly #data: NumericArray;
  readonly #cap: number;
  readonly #mask: number; // cap - 1 for a power of two, else -1
  readonly #m: number;
  readonly #stride: number; // PHASE's stride less one (_ring.ts)
  readonly #same: NumericInfo["Array"];
  // 1 for a single writer (reader), else 0: numbers, not booleans, so the
  // fast paths' test is a compare of a small integer (a boolean field is a
  // generic truthiness test in optimised code).
  readonly #writer: number;
  readonly #reader: number;
  get sides(): number { // 1 writer, 2 reader: _solo_calls.ts soloCalls
    return this.#writer | (this.#reader << 1);
  }
  // The writer's hint (_ring.ts): TAIL as this handle last left it, LAPS
  // then, HEAD as it last read it.
  #tail = 0;
  #laps = 0;
  #headSeen = 0;
  // The fast put's bound: it publishes next = #tail + 1 only while next <
  // #limit, the first multiple of PHASE's stride above where a slow path
  // left TAIL, capped at M (limitAbove): a fast put neither crosses a stride
  // nor wraps. 0 until a slow path sets it (for good without a writer).
  #limit = 0;
  // The single reader's cache (tryGet): HEAD as this handle last set or
  // read it, TAIL as it last loaded it; current while `reading` is #serial.
  #rHead = 0;
  #rTail = 0;
  readonly #serial = ++serials;

  constructor(h: Int32Array, info: NumericInfo, sides: number) {
    super(h, info);
    this.#h = h;
    this.#cap = h[CAPACITY];
    this.#mask = (this.#cap & (this.#cap - 1)) === 0 ? this.#cap - 1 : -1;
    this.#m = h[MODULUS];
    this.#stride = (1 << (31 - Math.clz32(Math.floor(this.#m / 4)))) - 1;
    this.#data = new info.Array(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + HEADER_BYTES,
      this.#cap,
    );
    this.#same = info.Array;
    this.#writer = (sides & FLAG_SINGLE_WRITER) !== 0 ? 1 : 0;
    this.#reader = (sides & FLAG_SINGLE_READER) !== 0 ? 1 : 0;
  }

  override tryPut(x: unknown, w?: Acquire): number {
    // The fast path (file header, "The put's bytecode budget"): plain reads
    // say this thread holds the writer role (a queue without one has 0
    // there, never `me`, and #limit 0) and TAIL is as this handle left it
    // (no bits, same lap), and the put neither wraps M nor crosses a stride
    // (next < #limit); HEAD is loaded only when the hint says full; the slot
    // store; one compareExchange publishes and reads SLEEPER and CLOSED
    // (#published when either is set). Anything else: #putSlow, which
    // decides it all.
    const h = this.#h, t = this.#tail, next = t + 1;
    if (
      h[18] !== me || h[16] !== t || h[17] !== this.#laps ||
      next >= this.#limit
    ) return this.#putSlow(x, w);
    const fill = t - this.#headSeen; // mod M, inline (as mod())
    if (
      (fill < 0 ? fill + this.#m : fill) >= this.#cap && this.#fullAt(t)
    ) return 0;
    const mask = this.#mask;
    (this.#data as unknown as unknown[])[mask >= 0 ? t & mask : t % this.#cap] =
      x;
    const v = Atomics.compareExchange(h, 16, t, next);
    if (v !== t) return this.#published(v, t, next);
    this.#tail = next;
    return 1;
  }

  // The fast put's compareExchange found `v`, a word with SLEEPER or CLOSED
  // set: publish() (1) or, on CLOSED, nothing published (-1).
  #published(v: number, t: number, next: number): number {
    if (!publish(this.#h, v, t, next, 1)) return this.#full(t, -1);
    this.#tail = next;
    return 1;
  }

  // The fast put's hint said full: HEAD afresh (as #putSlow, TAIL being t);
  // true if still full. One load a try for a putter spinning on a full ring.
  #fullAt(t: number): boolean {
    const m = this.#m, cap = this.#cap;
    this.#headSeen = freshHead(this.#h, t, m, cap);
    return mod(t - this.#headSeen, m) === cap;
  }

  // A put off the fast path: a queue without a single writer (the default
  // put), or role, TAIL and HEAD by Atomics, all checked; the wrap and the
  // stride crossing.
  #putSlow(x: unknown, w: Acquire | undefined): number {
    if (this.#writer === 0) return super.tryPut(x, w);
    const h = this.#h, m = this.#m, cap = this.#cap, id = me || ident();
    const word = Atomics.load(h, TAIL);
    const t = word & POSITION;
    if (word !== t && (word & CLOSED) !== 0) return -1; // shut down: any thread
    if (Atomics.load(h, WRITER) !== id) takeRole(h, WRITER, id);
    if ((word & (LOCKED | CONTENDED)) !== 0 || t >= m) {
      throw corruptWord("TAIL", word);
    }
    if (
      t !== this.#tail || h[LAPS] !== this.#laps ||
      mod(t - this.#headSeen, m) >= cap
    ) {
      this.#headSeen = freshHead(h, t, m, cap);
      if (mod(t - this.#headSeen, m) === cap) return this.#full(t);
    }
    const mask = this.#mask;
    (this.#data as unknown as unknown[])[mask >= 0 ? t & mask : t % cap] = x;
    const next = t + 1 === m ? 0 : t + 1;
    if (next === 0) h[LAPS] = (h[LAPS] + 1) | 0; // before the publish
    if ((next & this.#stride) === 0) Atomics.add(h, PHASE, 1); // crossed
    this.#laps = h[LAPS];
    const limit = this.#limitAbove(next); // no call after the publish
    // The publish: one compareExchange from a word without bits; publish()
    // for SLEEPER or CLOSED set meanwhile (see the file header).
    let v = word;
    if (v === t) v = Atomics.compareExchange(h, TAIL, t, next);
    if (v !== t && !publish(h, v, t, next, 1)) return this.#full(t, -1);
    this.#tail = next;
    this.#limit = limit;
    return 1;
  }

  // The fast put's bound for a TAIL left at position p (#limit): the next
  // multiple of the stride above p ((p | stride) + 1 > p), or M if lower.
  #limitAbove(p: number): number {
    const limit = (p | this.#stride) + 1;
    return limit < this.#m ? limit : this.#m;
  }

  override tryPutMany(
    raws: ArrayLike<unknown>,
    from: number,
    w?: Acquire,
  ): number {
    if (this.#writer === 0) return super.tryPutMany(raws, from, w);
    const h = this.#h, m = this.#m, cap = this.#cap, id = me || ident();
    const word = Atomics.load(h, TAIL);
    const t = word & POSITION;
    if (word !== t && (word & CLOSED) !== 0) return -1; // shut down: any thread
    if (Atomics.load(h, WRITER) !== id) takeRole(h, WRITER, id);
    if ((word & (LOCKED | CONTENDED)) !== 0 || t >= m) {
      throw corruptWord("TAIL", word);
    }
    const want = raws.length - from;
    let room = cap - mod(t - this.#headSeen, m);
    if (t !== this.#tail || h[LAPS] !== this.#laps || room < want) {
      this.#headSeen = freshHead(h, t, m, cap);
      room = cap - mod(t - this.#headSeen, m);
    }
    const n = room < want ? room : want;
    if (n <= 0) return this.#full(t);
    const start = t % cap;
    const first = Math.min(n, cap - start);
    const data = this.#data;
    if (raws instanceof this.#same) {
      const src = raws as unknown as NumericArray;
      data.set(src.subarray(from, from + first) as never, start);
      if (first < n) data.set(src.subarray(from + first, from + n) as never);
    } else {
      const d = data as unknown as unknown[];
      for (let k = 0; k < first; k++) d[start + k] = raws[from + k];
      for (let k = first; k < n; k++) d[k - first] = raws[from + k];
    }
    const next = (t + n) % m;
    if (next < t) h[LAPS] = (h[LAPS] + 1) | 0; // before the publish
    if (next < t || (t & ~this.#stride) !== (next & ~this.#stride)) {
      Atomics.add(h, PHASE, 1); // crossed a multiple of the stride
    }
    this.#laps = h[LAPS];
    const limit = this.#limitAbove(next); // no call after the publish
    let v = word;
    if (v === t) v = Atomics.compareExchange(h, TAIL, t, next);
    if (v !== t && !publish(h, v, t, next, n)) return this.#full(t, -1);
    this.#tail = next;
    this.#limit = limit;
    return n;
  }

  // A put that published nothing (no room: 0; CLOSED: -1): TAIL is still t.
  #full(t: number, r = 0): number {
    this.#tail = t;
    this.#limit = this.#limitAbove(t);
    this.#laps = this.#h[LAPS];
    return r;
  }

  override tryGet(decode?: unknown, w?: Acquire): unknown {
    if (this.#reader === 0) return super.tryGet(decode, w);
    // The fast path (file header), small enough to inline: the role word
    // names this thread, the cache is current and not empty; the slot read;
    // one compareExchange of HEAD. Anything else: #getSlow.
    const h = this.#h, p = this.#rHead;
    if (reading === this.#serial && this.#rTail !== p && h[36] === me) {
      const mask = this.#mask, m = this.#m;
      const x = this.#data[mask >= 0 ? p & mask : p % this.#cap];
      const next = p + 1 === m ? 0 : p + 1;
      if (Atomics.compareExchange(h, 32, p, next) === p) {
        this.#rHead = next;
        return x;
      } // else SLEEPER, or a discard moved HEAD: #getSlow tries again
    }
    return this.#getSlow();
  }

  #getSlow(): unknown {
    const h = this.#h, m = this.#m, cap = this.#cap;
    if (h[READER] !== me) { // plain read: see the file header (NaN: none)
      takeRole(h, READER, me || ident());
      reading = 0;
    }
    for (;;) {
      let p = this.#rHead;
      if (reading === this.#serial) { // the cache is current (file header)
        if (this.#rTail === p) { // it says empty: TAIL afresh
          const tail = Atomics.load(h, TAIL) & POSITION;
          if (tail === p) return EMPTY; // HEAD == p too (file header)
          this.#rTail = tail;
          if (mod(tail - p, m) > cap) reading = 0; // look afresh
        }
      }
      if (reading !== this.#serial) { // HEAD, then TAIL (_ring.ts emptyAt)
        reading = this.#serial;
        p = this.#rHead = readHead(h, m);
        const tail = this.#rTail = Atomics.load(h, TAIL) & POSITION;
        if (tail === p) return EMPTY;
        if (mod(tail - p, m) > cap) { // HEAD moved on (a discard) or corrupt
          reading = 0;
          consumerHead(h, m, cap); // throws if corrupt
          continue;
        }
      }
      const mask = this.#mask;
      const x = this.#data[mask >= 0 ? p & mask : p % cap];
      const next = p + 1 === m ? 0 : p + 1;
      // The publish: one compareExchange, which reads SLEEPER and fails
      // on a HEAD that a discard moved (file header).
      const seen = Atomics.compareExchange(h, HEAD, p, next);
      if (seen === p || (seen === (p | SLEEPER) && advance(h, p, next, 1))) {
        this.#rHead = next;
        return x;
      }
      reading = 0; // another thread's discard moved HEAD: drop x
      if ((seen & ~(POSITION | SLEEPER)) !== 0) consumerHead(h, m, cap); // throws
    }
  }

  override tryGetMany(
    max: number,
    out: unknown[],
    decode?: null,
    w?: Acquire,
  ): number {
    // decode null: an immediate shutdown's discard, from any thread.
    if (this.#reader !== 0 && decode !== null) {
      const id = me || ident();
      if (Atomics.load(this.#h, READER) !== id) takeRole(this.#h, READER, id);
    }
    reading = 0; // HEAD moves outside tryGet's cache
    return super.tryGetMany(max, out, decode, w);
  }

  override tryGetInto(target: NumericArray, from: number, max: number): number {
    if (this.#reader !== 0) {
      const id = me || ident();
      if (Atomics.load(this.#h, READER) !== id) takeRole(this.#h, READER, id);
    }
    reading = 0; // HEAD moves outside tryGet's cache
    return super.tryGetInto(target, from, max);
  }
}
