// Copyright 2026 the threadkit authors. MIT license.
// Waiters registered in a queue's waiter count whose re-try sleeps on a
// lock. A getter registers (add GET_WAITERS, read NOT_EMPTY, _state.ts),
// then tries once more before it sleeps on NOT_EMPTY; that try takes the
// store's consumer lock: HEAD's turn in the structured FIFO ring
// (_head.ts acquireHead), the Lock of the locked stores (LIFO, priority:
// _locked.ts). Behind a held lock it sleeps on the lock's word, not on
// NOT_EMPTY, and a put's wake (wakeCounted, afterPut) notifies NOT_EMPTY:
// counted there, it drew a notify per put that reached nobody (1 producer,
// 1 consumer, PriorityQueue: 1,024 of 1,032 NOT_EMPTY notifies a round
// woke nobody; 50 consumers, the structured ring: 254-2,781; the getters
// slept on the LOCK or HEAD the putter or another getter held). So the
// count is taken off while such a thread sleeps on a lock and put back
// before it reads the store. Putters the same: a putter registers (add
// PUT_WAITERS, read NOT_FULL) and its re-try takes TAIL's turn (the rings:
// _turn.ts acquireTurn) or the Lock; a get's wake notifies NOT_FULL.
// Below, "getter", GET_WAITERS, NOT_EMPTY and "put" read for putters as
// "putter", PUT_WAITERS, NOT_FULL and "get".
//
// State (per thread, MARK: a record of this module; no other thread reads it):
// | name | values                                                       |
// |------|--------------------------------------------------------------|
// | at   | the header of the queue this thread registered in, or none   |
// | slot | the count it registered in (GET_WAITERS, PUT_WAITERS)        |
// enterGet (_get.ts): register, then mark(h, GET_WAITERS), try, unmark;
// enterPut (_put.ts) the same with PUT_WAITERS.
// A lock's sleep (acquireHead, acquireTurn, LockedStore's take, which is
// off the count from its first failed try to its acquire) on queue `h`:
//   off = sleepOff(h): if marked for h, sub the count;
//   wait on the lock word;
//   sleepOn(h, off): add the count back.
// A mark made while one is set (a decode, a Proxy trap or a codec of the
// try running a queue call of its own) keeps the outer one: the inner call
// then takes the outer count off while it sleeps on a lock of that queue,
// which is right all the same (the thread is registered and not asleep on
// the count's sequence), and on another queue takes nothing off.
//
// Every sleepOff is matched by a sleepOn in a finally: a lock wait that
// throws (a stack overflow at the call) and then the caller's abandon()
// would otherwise take the registration off twice (count low for good:
// tests/queue/lock_throw_test.ts).
// Why no lost wakeup: the count is back before the try reads the store
// (the lock is acquired after sleepOn; the store is read under it). A
// putter that published before that read is seen by the try. One that
// publishes after it read the count after the add (its publish comes
// before its load of the count: _state.ts), so it sees this getter
// counted, as before. A putter that read the count while it was off
// published before that read, hence before the add, hence before the try:
// the try sees its item. The rings' SLEEPER keep/clear rule reads the same
// count: a release that clears the bit because this getter was off bumps
// NOT_EMPTY after the getter's flagSleeper, hence after its read of it, so
// the getter's wait returns at once and it registers again (_turn.ts).
// Counted wakes (_state.ts): the count stays >= the getters asleep on
// NOT_EMPTY, since a thread off the count sleeps on the lock word, not on
// NOT_EMPTY, and no notify of NOT_EMPTY can take it off the wait list.
// Thread death: a thread that dies while off the count (asleep on the
// lock, between sub and wait, between wait and add) leaves the count
// exact (before: one high for good); one that dies after the add leaves it
// high, as any registered getter that dies does (_state.ts). A timeout of
// the lock's wait (a timed call's deadline, a slice, a nap) returns
// through sleepOn like a wake; the lock sleeps are uninterruptible (no
// AbortSignal); shutdown wakes the getters on NOT_EMPTY and bumps it after
// publishing SHUTDOWN, which the getter reads after its try.

/**
 * This thread's mark (see the header): `at`, the queue it registered in;
 * `slot`, the count. Cleared by a plain store (unmark, inline in enterGet
 * and enterPut's finally: no call there, so a stack overflow cannot leave
 * a stale mark that a later lock sleep of this thread on that queue would
 * take off a count it is not on).
 */
export const MARK: { at: Int32Array | undefined; slot: number } = {
  at: undefined,
  slot: 0,
};

/**
 * The thread registered in count `count` of queue `h` and is about to try
 * again: its lock sleeps on `h` take it off the count (see the header).
 * Returns whether this call set the mark (then it must clear MARK.at).
 */
export function mark(h: Int32Array, count: number): boolean {
  if (MARK.at !== undefined) return false; // an outer mark holds (see above)
  MARK.at = h;
  MARK.slot = count;
  return true;
}

/** Whether this thread's re-try in queue `h` is marked. */
export function marked(h: Int32Array): boolean {
  return MARK.at === h;
}

/**
 * Before a sleep on a lock word of queue `h`: takes a marked thread off
 * its count; the slot to give back after the sleep, or -1. The give-back
 * (sleepOn) is inline in each sleeper's finally, `if (off >= 0)
 * Atomics.add(h, off, 1)`: a call there could overflow the stack and leave
 * the count low for good.
 */
export function sleepOff(h: Int32Array): number {
  if (MARK.at !== h) return -1;
  const slot = MARK.slot;
  Atomics.sub(h, slot, 1);
  return slot;
}
