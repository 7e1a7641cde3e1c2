// Copyright 2026 the threadkit authors. MIT license.
// Corrupt queue words. A queue's shared memory is the program's, and trusted;
// but a word that no queue operation writes (a stray store, a primitive
// placed over the queue) must end in a RangeError where it is seen cheaply,
// never in a wait that no thread will ever end. The checks sit only where a
// caller is about to sleep behind a held word (acquireTurn, acquireHead) or
// has spun on it (the locked stores go through their Lock's death check,
// sync/_holder.ts): never on a path that finds the word free.
//
// What is seen, by word (see _turn.ts, _head.ts, _decoding.ts):
// | word   | never written by the queue                                 |
// |--------|------------------------------------------------------------|
// | TAIL   | LOCKED with a position at or past M, or more than the      |
// |        | capacity ahead of HEAD (read while TAIL still held that    |
// |        | word): 0 <= TAIL - HEAD <= P always. Bit 31 is SLEEPER     |
// |        | (_turn.ts), which getters set at any time.                 |
// | HEAD   | bit 31 (TAKEN is bit 30, the top bit in use)               |
// | HOLDER | WAITING without DECODING; DECODING or WAITING with ident 0;|
// |        | an ident no thread was issued (_core/runtime.ts)           |
// | LOCK   | see sync/_holder.ts: bit 31, CONTENDED alone, an ident not |
// |        | issued                                                     |
// What is not seen: a value that a live operation could have written. TAIL
// or HEAD with LOCKED set and valid bits is a producer or consumer mid-copy
// as far as any reader can tell: it is waited for as a held lock, as a
// queue whose holder is preempted is (HEAD: timed and nowait calls give up
// at their deadline or IDLE_GRACE, _head.ts). A HOLDER or LOCK naming a live
// thread is that thread's hold; naming a stopped one is taken over as from a
// dead holder.
// Why TAIL's holder is not named (so a producer that stops mid-copy is
// waited for by untimed puts and shutdown, and by timed, nowait and async
// puts up to their bound: _turn.ts "A holder that stops"): no user code
// runs under TAIL's turn (items are encoded before it is taken, and a caller's typed
// array or a codec's bytes go in as a plain view of their elements,
// _glue.ts plainView), so a thread that exits, closes itself or throws never
// holds it, and its own death record (the hooks of thread/_worker.ts) has
// no turn to give back. What can stop a
// thread there runs none of its JavaScript: running out of memory (its
// watcher records the stop, knowing only the ident) or the runtime tearing
// down the workers of a thread that died (recorded as ended, never as
// stopped, so never taken over anyway). A record made by another thread
// can name the turn only if the put published it first: a store before
// the copy and one after, on every put (HEAD's HOLDER is that store on the
// get side, paid only by the structured ring, whose gets run user decodes).

import { identIssued } from "../sync/_holder.ts";
import { CAPACITY, HEAD, MODULUS, TAIL } from "./_layout.ts";
import { POSITION } from "./_turn.ts";

/** The RangeError of queue word `name` holding `value`, which no queue writes. */
export function corruptWord(name: string, value: number): RangeError {
  return new RangeError(
    `Cannot use queue: its shared memory is corrupt (${name} 0x${
      (value >>> 0).toString(16)
    })`,
  );
}

// HOLDER's bits (_decoding.ts, which imports this file's check).
const IDENT = (1 << 30) - 1;
const DECODING = 1 << 30;

/**
 * Whether HOLDER value `d`, read while the consumer lock is held, is one a
 * holder or waiter could have written (0, T, T|DECODING, T|DECODING|WAITING
 * with T an issued ident). Slow paths only (one load of the runtime block).
 */
export function holderValid(d: number): boolean {
  if (d === 0) return true;
  const ident = d & IDENT;
  if (d < 0 && (d & DECODING) === 0) return false;
  return identIssued(ident);
}

/**
 * The RangeError of TAIL word `v` (LOCKED, seen by a putter or shutdown
 * about to sleep behind it) if no put writes it: a position at or past M,
 * or one more than the capacity ahead of HEAD while TAIL still holds `v`
 * (a holder keeps TAIL's position, and HEAD never passes TAIL nor trails
 * it by more than P). Otherwise undefined. Slow paths only.
 */
export function tailCorrupt(h: Int32Array, v: number): RangeError | undefined {
  const m = h[MODULUS], t = v & POSITION;
  if (t < m) {
    const head = Atomics.load(h, HEAD) & POSITION;
    if (Atomics.load(h, TAIL) !== v) return undefined; // moved: look again
    const n = t - head < 0 ? t - head + m : t - head;
    if (n <= h[CAPACITY]) return undefined;
  }
  return corruptWord("TAIL", v);
}
