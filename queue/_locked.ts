// Copyright 2026 the threadkit authors. MIT license.
// The stores that keep their state under the queue's Lock (header LOCK):
// numeric LIFO and heap (_num_stores.ts), and the byte stores of structured
// LIFO and priority queues (stack, heap of fixed-size slots); FIFO queues
// use the rings of _ring.ts and _text.ts. The lock is held only while words
// and bytes are copied, never across a wait (nor for heap memory: refused);
// encoding and decoding happen outside it, except a get's decode, under it
// (peek, decode, then drop: a decoder that throws leaves the queue as it
// was). COUNT and TAIL are written with Atomics.store so that qsize() and
// taskDone() may read them without the lock.
//
// Byte stack (LIFO) record: [payload, padded to 4][len: int32], A = top.
// Byte heap (PRIORITY): region = ORDER (f64), KEYS[cap] (f64), ORDS[cap]
//   (f64), SLOT[cap] (i32), FREE[cap] (i32), then cap slots of S bytes, each
//   [len: int32][payload]; KEYS/ORDS/SLOT form a binary min-heap on
//   (key, insertion order), FREE[0 .. cap - COUNT) lists free slots.
// Unbounded (FLAG_GROWS): the arrays are in a data block that grows under
// the lock; calls remap first when it moved (_grow.ts says why that holds).

import type { Lock } from "../sync/lock.ts";
import { lockAt } from "../sync/_lock_at.ts";
import { CONTENDED as LOCK_MARK, TAKE_OVER } from "../sync/_holder.ts";
import { tookOver } from "../sync/_holder.ts";
import type { OwnerDiedError } from "../_core/errors.ts";
import { DATA, DATA_HEAD, FLAG_GROWS, grow, refused } from "./_grow.ts";
import { slotsWord } from "./_grow.ts";
import { type Acquire, MUST_ACQUIRE } from "../_core/wait.ts";
import { TRY_ACQUIRE, waitSync } from "../_core/wait.ts";
import { awaitDecodeSync, clearDead, decodeEnd } from "./_decoding.ts";
import { decodeStart, DECODING, GRACE, holdEnd } from "./_decoding.ts";
import { holderIdent, IDENT, idleUntil, WAITING } from "./_decoding.ts";
import {
  BUSY,
  BUSY_COUNT,
  CAPACITY,
  COUNT,
  type Decode,
  EMPTY,
  FLAG_CODEC,
  FLAGS,
  HEADER_BYTES,
  HOLDER,
  LOCK,
  MODULUS,
  NOWAIT_UNTIL,
  OPEN,
  SHUTDOWN,
  type Store,
  TAIL,
  waitUntil,
} from "./_layout.ts";
import { marked, sleepOff } from "./_registered.ts";

// The lock is held for a copy of words and bytes (and a get's decode), never
// across a wait, so it is taken uninterruptibly: a cancelled thread must
// still be able to finish a shutdown (wakes, drain, DONE credit) and any
// store call it started.
//
// A holder that dies (inside a custom codec's decode, say: it exits, or runs
// out of memory) leaves the store consistent: a copy has not been published
// (COUNT and TAIL are stored last), and a custom-codec get (#getDecoded) copies
// its items, decodes them all, and only then drops the decoded ones and stores
// COUNT (a getMany that dies in its k-th decode has dropped nothing). So the
// waiter that takes the lock over from a holder that stopped failing
// (sync/_holder.ts: the Lock's takeover, at a 50 ms slice end or a nap's; never
// a holder that only ended) holds it when OwnerDiedError is thrown, and goes on
// (#tookOver): the store lives on, the dead thread's items are still first. A
// custom-codec get names its holder in HOLDER for its whole hold, with DECODING
// around each decode (_decoding.ts), so that nowait and timed calls can tell a
// holder that may take long (see TRY_ACQUIRE below); the taker clears the dead
// holder's HOLDER value (clearDead), which makes any later step of that holder
// fail (it throws TakenOverError and neither drops, stores COUNT nor releases
// the lock). The takes use the internal uninterruptible options (MUST_ACQUIRE,
// and TRY_ACQUIRE for one try: _core/wait_options.ts). A registered getter's or
// putter's re-try (_get.ts enterGet, _put.ts enterPut) that finds the lock held
// is off its count (GET_WAITERS, PUT_WAITERS) while it waits for it
// (_registered.ts: the other side's calls meanwhile do not notify in vain).

// A take with an `until` (Store.tryPut) waits for a holder inside a custom
// decode (HOLDER has DECODING, _decoding.ts) only until then, sleeping on
// HOLDER; for any other holder, which only copies words and bytes, it spins
// SPIN tries and then sleeps on the Lock word as a Lock waiter does: it
// sets the word's CONTENDED mark (sync/_holder.ts) by compareExchange from
// the held value it read, sleeps while the word is that marked value, at
// most a SLICE (then it looks at HOLDER, a decode that started meanwhile,
// and at the holder's life), and is woken by the release, which reads the
// mark in its exchange and notifies one. Having slept with the mark it
// takes the lock with the mark (another may still sleep); giving up (its
// `until`, idleUntil) it passes one wake on. (Before: 1 ms naps without the
// mark, 15,000-118,000 timed out a 10,000-item round at 50 consumers.) A
// decode that starts during its sleep is seen at the slice end: a nowait
// take may report busy up to a slice past GRACE. A takeover leaves the mark
// (sync/_holder.ts takeOver): the taker's release wakes the sleepers. It
// gives up on that other holder at idleUntil (_decoding.ts: a timed call's
// deadline, IDLE_GRACE ms for nowait calls): a holder that died unnamed
// hangs no nowait call. An async call's try (NO_WAIT) gives up after its
// spin and the takeover check, and awaits LOCK off the event loop, marking
// it CONTENDED as a Lock waiter does (_held_turn.ts).
// A stack overflow (a RangeError at any call's entry) never leaves the lock
// held: #take's acquire is its last call (the count's give-back after it is
// inline), and each release in a finally sits in a try whose catch releases
// inline (the put's items are in: its count is returned; a get's taken).
const SPIN = 100;
const SLICE = 50;

/** The store under the queue Lock (see the file header). */
export abstract class LockedStore implements Store {
  protected readonly h: Int32Array;
  protected readonly cap: number;
  readonly lockWord: number = LOCK;
  readonly #lock: Lock;
  // Items use a custom codec: a get's decode is marked in HOLDER.
  readonly #custom: boolean;
  // The store's arrays: offset, items (unbounded: DATA's block, #word).
  protected base: number;
  protected slots: number;
  readonly #grows: boolean; // FLAG_GROWS (_grow.ts)
  #at = 0;
  #word: Int32Array | undefined;

  constructor(h: Int32Array) {
    this.h = h;
    this.cap = h[CAPACITY];
    this.#custom = (h[FLAGS] & FLAG_CODEC) !== 0;
    this.#grows = (h[FLAGS] & FLAG_GROWS) !== 0;
    this.base = h.byteOffset + HEADER_BYTES;
    this.slots = this.#grows ? 0 : this.cap; // unbounded: _grow.ts
    // Owned: the lock is held only inside a synchronous store call, so a
    // holder that stopped in any way died holding it (as HEAD's turn,
    // holderDead in _decoding.ts), and is taken over.
    this.#lock = lockAt(
      h.buffer as SharedArrayBuffer,
      h.byteOffset + LOCK * 4,
      true,
    );
  }

  // Takes the lock, from a dead holder too (see MUST_ACQUIRE); false when a holder
  // inside a custom decode kept it past the `until` of wait `w` (see TRY_ACQUIRE).
  #take(w: Acquire | undefined): boolean {
    const untimed = w === undefined || (w.blocking && w.deadline === Infinity);
    if (untimed && !marked(this.h)) {
      try {
        return this.#lock.acquire(MUST_ACQUIRE);
      } catch (error) {
        return this.#tookOver(error);
      }
    }
    if (this.#lock.acquire(TRY_ACQUIRE)) return true;
    // A registered waiter's re-try: off its count while it waits for the
    // lock, back on it before it reads the store (_registered.ts).
    const off = sleepOff(this.h);
    try {
      return untimed ? this.#must() : this.#wait(w!);
    } finally {
      if (off >= 0) Atomics.add(this.h, off, 1); // sleepOn, inline (no call)
    }
  }

  // #take's untimed wait.
  #must(): boolean {
    try {
      return this.#lock.acquire(MUST_ACQUIRE);
    } catch (error) {
      return this.#tookOver(error);
    }
  }

  // #take's wait with an `until` (see TRY_ACQUIRE above).
  #wait(w: Acquire): boolean {
    const lock = this.#lock, h = this.h;
    let until = waitUntil(w);
    const idle = idleUntil(until);
    if (until === NOWAIT_UNTIL) until = performance.now() + GRACE;
    let marked = false; // slept with the CONTENDED mark (see above)
    for (let spins = 0;; spins++) {
      try {
        if (marked ? this.#takeMarked() : lock.acquire(TRY_ACQUIRE)) {
          return true;
        }
        const d = Atomics.load(h, HOLDER);
        if ((d & DECODING) !== 0) {
          lock[TAKE_OVER](); // a dead decoder: taken over (OwnerDiedError)
          if (until === -Infinity || performance.now() >= until) {
            return this.#giveUp(marked);
          }
          awaitDecodeSync(h, d, until);
        } else if (spins >= SPIN) {
          lock[TAKE_OVER]();
          const now = performance.now();
          if (now >= idle) return this.#giveUp(marked);
          let state = Atomics.load(h, LOCK);
          if (state === 0) continue;
          if (state < LOCK_MARK) {
            const seen = Atomics.compareExchange(
              h,
              LOCK,
              state,
              state | LOCK_MARK,
            );
            if (seen !== state) continue;
            state |= LOCK_MARK;
          }
          // Why no lost wakeup: as a Lock waiter's (sync/lock.ts): we
          // sleep only on the marked value we saw or set, and the
          // release's exchange reads the mark as it clears the word.
          const end = idle < now + SLICE ? idle : now + SLICE;
          waitSync(h, LOCK, state, end, undefined, false);
          marked = true;
        }
      } catch (error) {
        return this.#tookOver(error);
      }
    }
  }

  // A waiter that slept with the mark takes the lock with it (another
  // may still sleep: the Lock's "state 2" rule, sync/lock.ts).
  #takeMarked(): boolean {
    const mine = holderIdent() | LOCK_MARK;
    return Atomics.compareExchange(this.h, LOCK, 0, mine) === 0;
  }

  // #wait gives up; one that slept with the mark may hold a release's
  // notify(1) meant for another sleeper: it passes it on.
  #giveUp(marked: boolean): false {
    if (marked) Atomics.notify(this.h, LOCK, 1);
    return false;
  }

  // After a takeover (else rethrown) the lock is ours; the dead holder's
  // HOLDER value is cleared (only the holder writes IDENT/DECODING; waiters
  // add WAITING), so any later step of it fails (_decoding.ts).
  #tookOver(error: unknown): true {
    if (!tookOver(error)) throw error;
    const dead = (error as OwnerDiedError).ident;
    let d = Atomics.load(this.h, HOLDER);
    while ((d & IDENT) === dead && !clearDead(this.h, d)) {
      d = Atomics.load(this.h, HOLDER);
    }
    return true;
  }

  count(): number {
    return this.#counted(Atomics.load(this.h, COUNT));
  }

  // COUNT is within 0..capacity unless the memory is corrupt: a RangeError
  // then, not a drain that loops 2^31 times or a push outside the region.
  #counted(count: number): number {
    if (count >= 0 && count <= this.cap) return count;
    throw new RangeError(
      `Cannot use queue: its shared memory is corrupt (COUNT ${count}, capacity ${this.cap})`,
    );
  }

  check(_raw: unknown): void {}

  /** Store.roomFor: the count and, in a byte store, the item's bytes. */
  roomFor(raws: unknown, from: number, single: boolean): boolean {
    const raw = single ? raws : (raws as ArrayLike<unknown>)[from];
    // fits() reads the store's words without its lock: a snapshot.
    return this.count() < this.cap && this.fits(raw);
  }

  protected abstract fits(raw: unknown): boolean;
  /** Views over `base` for `slots` items, with `count` items copied (a grow). */
  protected map(_base: number, _slots: number, _count: number): void {}
  /** Whether the put of `raw` as item `count` may go on (under the lock). */
  protected room(raw: unknown, count: number): boolean {
    return (count < this.slots || this.#enlarge(count)) && this.fits(raw);
  }

  // Unbounded, under the lock: remaps after a grow (_grow.ts says when).
  #mapped(): void {
    if (!this.#grows) return;
    const at = Atomics.load(this.h, DATA);
    if (at === this.#at && this.#word![0] === this.slots) return;
    this.map(at + DATA_HEAD, slotsWord(this.h.buffer, at)[0], 0);
    this.#point(at);
  }
  #point(at: number): void {
    this.#word = slotsWord(this.h.buffer, this.#at = at);
    this.base = at + DATA_HEAD;
    this.slots = this.#word[0];
  }
  // Unbounded, under the lock, COUNT = SLOTS: the items move (_grow.ts).
  #enlarge(count: number): boolean {
    const at = this.#grows
      ? grow(this.h, this.#at, this.slots, (b, n) => this.map(b, n, count))
      : -1;
    if (at < 0) return false;
    this.#point(at);
    return true;
  }
  protected abstract push(raw: unknown, count: number): void;
  /** The next raw item (a copy), left in place. */
  protected abstract peek(count: number): unknown;
  /** Removes the next item. */
  protected abstract drop(count: number): void;
  /** Copies of the next k items in get order, left in place (byte stores). */
  protected abstract peekMany(count: number, k: number): unknown[];

  tryPut(raw: unknown, w?: Acquire): number {
    return this.tryPutMany([raw], 0, w);
  }

  close(publish: () => void): void {
    // Puts read SHUTDOWN under the lock: publishing it under the lock means a
    // put either landed before or sees the shutdown.
    this.#take(undefined);
    try {
      publish();
    } finally {
      try {
        this.#lock.release();
      } catch (e) { // as tryPutMany's
        const h = this.h;
        const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
        if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
      }
    }
  }

  tryGet(decode?: Decode, w?: Acquire): unknown {
    const out: unknown[] = [];
    const n = this.tryGetMany(1, out, decode, w);
    return n === 1 ? out[0] : n === 0 ? EMPTY : BUSY;
  }

  tryPutMany(raws: ArrayLike<unknown>, from: number, w?: Acquire): number {
    const h = this.h;
    if (!this.#take(w)) return BUSY_COUNT;
    try {
      if (Atomics.load(h, SHUTDOWN) !== OPEN) return -1;
      this.#mapped();
      let n = 0;
      let count = this.#counted(h[COUNT]);
      while (
        from + n < raws.length && count < this.cap &&
        (this.room(raws[from + n], count) || refused(this.#grows, n))
      ) {
        this.push(raws[from + n], count++);
        n++;
      }
      if (n > 0) {
        Atomics.store(h, COUNT, count);
        Atomics.store(h, TAIL, (h[TAIL] + n) % h[MODULUS]);
      }
      return n;
    } finally {
      try {
        this.#lock.release();
      } catch (e) { // an overflow at its entry: released inline (see above)
        const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
        if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
      }
    }
  }

  tryGetMany(
    max: number,
    out: unknown[],
    decode?: Decode | null,
    w?: Acquire,
  ): number {
    if (decode && this.#custom) return this.#getDecoded(max, out, decode, w);
    const h = this.h;
    if (!this.#take(w)) return BUSY_COUNT;
    // No user code runs here (decode: the queue's own JSON decode, or none):
    // each item is dropped once copied or decoded.
    let count = h[COUNT];
    let n = 0;
    try {
      this.#counted(count);
      this.#mapped();
      while (n < max && count > 0) {
        if (decode !== null) {
          let x = this.peek(count);
          if (decode !== undefined) {
            try {
              x = decode(x as Uint8Array);
            } catch (error) {
              if (n === 0) throw error; // nothing taken
              break; // return the n decoded; this item stays first
            }
          }
          out[out.length] = x; // (no push: a program may replace it)
        }
        this.drop(count--);
        n++;
      }
      return n;
    } finally {
      if (n > 0) Atomics.store(h, COUNT, count);
      try {
        this.#lock.release();
      } catch (e) { // as tryPutMany's
        const v = e instanceof RangeError ? Atomics.exchange(h, LOCK, 0) : 0;
        if (v >= LOCK_MARK) Atomics.notify(h, LOCK);
      }
    }
  }

  // A custom-codec get: takes the lock, decodes copies of the next items
  // (up to max) under HOLDER's marks, and drops the decoded ones only after
  // the last decode and holdEnd, so a thread that dies (or is taken over)
  // anywhere in a decode leaves the store as it found it (file header).
  //
  // A stack overflow can stop it anywhere past the take: at a call's entry
  // (peekMany, a decode, decodeStart/End, holdEnd, the drops, the release)
  // or inside the decode. So everything from the take on runs in one try,
  // whose handler makes no call (a handler runs at the depth of the frame
  // that caught, where a call may overflow again; the acquire, a larger
  // call, was entered from this frame): it calls only Atomics built-ins, as
  // queue/_text_get.ts's UNHOLD does. HOLDER, if it still names this
  // holder (with DECODING or WAITING: a decode stopped before its
  // decodeEnd), back to 0, waking its WAITING sleepers; then the Lock word,
  // if the hold is still this one's (HOLDER named it, or its own holdEnd
  // cleared it: `mine`) and the word names this thread (CONTENDED aside),
  // back to 0 as Lock.release does, waking one sleeper if marked. A hold
  // taken over meanwhile (HOLDER names another, the word the taker) is left
  // alone. Until the drops the store is unchanged (the item stays first);
  // the drops are one call, dropMany, whose body makes no call (all or
  // none of them), and COUNT is stored after it; once COUNT is stored
  // (`taken`), the items are the caller's: a release that overflows is
  // finished by the handler, which returns them.
  #getDecoded(
    max: number,
    out: unknown[],
    decode: Decode,
    w: Acquire | undefined,
  ): number {
    const h = this.h, me = holderIdent(), base = out.length;
    if (!this.#take(w)) return BUSY_COUNT;
    let mine = false, taken = false, n = 0;
    try {
      h[HOLDER] = me; // plain: see _decoding.ts
      const count = this.#counted(h[COUNT]);
      this.#mapped();
      const raws = this.peekMany(count, max < count ? max : count);
      for (; n < raws.length; n++) {
        decodeStart(h, me);
        let x: unknown;
        try {
          x = decode(raws[n] as Uint8Array);
        } catch (error) {
          decodeEnd(h, me);
          if (n === 0) throw error; // nothing taken
          break; // return the n decoded; this item stays first
        }
        decodeEnd(h, me);
        out[out.length] = x;
      }
      holdEnd(h, me);
      mine = true;
      if (n > 0) {
        this.dropMany(count, n);
        Atomics.store(h, COUNT, count - n);
      }
      taken = true;
      this.#lock.release();
      return n;
    } catch (error) {
      // UNHOLD (see above): no call before the return or the throw.
      let ours = mine;
      for (let d = Atomics.load(h, HOLDER); (d & IDENT) === me;) {
        const seen = Atomics.compareExchange(h, HOLDER, d, 0);
        if (seen === d) {
          if ((d & WAITING) !== 0) Atomics.notify(h, HOLDER);
          ours = true;
          break;
        }
        d = seen;
      }
      for (let v = Atomics.load(h, LOCK); ours && (v & ~LOCK_MARK) === me;) {
        const seen = Atomics.compareExchange(h, LOCK, v, 0);
        if (seen === v) {
          // Why no lost wakeup: as Lock.release (sync/lock.ts): the word
          // is 0 before the notify, and a waiter sleeps only on a marked one.
          if ((v & LOCK_MARK) !== 0) Atomics.notify(h, LOCK, 1);
          break;
        }
        v = seen;
      }
      if (taken) return n; // dropped and counted: the caller's
      out.length = base;
      throw error;
    }
  }

  /**
   * Removes the next k items (byte stores with a custom codec): all of
   * them or, when its entry overflows the stack, none, so its body makes
   * no call (#getDecoded).
   */
  protected abstract dropMany(count: number, k: number): void;
}
