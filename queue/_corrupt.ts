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
// | TAIL   | bit 31 (CLOSED is bit 30, the top bit in use)              |
// | HEAD   | bit 31 (TAKEN is bit 30, the top bit in use)               |
// | HOLDER | WAITING without DECODING; DECODING or WAITING with ident 0;|
// |        | an ident no thread was issued (_core/runtime.ts)           |
// | LOCK   | see sync/_holder.ts: bit 31, CONTENDED alone, an ident not |
// |        | issued                                                     |
// What is not seen: a value that a live operation could have written. TAIL
// or HEAD with LOCKED set and valid bits is a producer or consumer mid-copy
// as far as any reader can tell (naming TAIL's holder would cost a store
// on every put): it is waited for as a held lock, as a queue whose holder
// is preempted is (HEAD: timed and nowait calls give up at their deadline
// or IDLE_GRACE, _head.ts). A HOLDER or LOCK naming a live thread is that
// thread's hold; naming a stopped one is taken over as from a dead holder.

import { identIssued } from "../sync/_holder.ts";

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
