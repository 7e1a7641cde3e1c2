// Copyright 2026 the threadkit authors. MIT license.
// A lock bit in a queue counter word: producers serialise on TAIL's LOCKED
// bit, and the structured ring's consumers on HEAD's. Taking the lock and
// reading the counter is one compareExchange; publishing the new counter and
// releasing the lock is another. So a batch of any size costs two atomics on
// the counter, and the items in between are plain typed-array copies.
//
// Counter word (TAIL or HEAD):
// | bits  | name      | meaning                                          |
// |-------|-----------|--------------------------------------------------|
// | 0-27  | POSITION  | the counter, modulo M (<= 2^28)                   |
// | 28    | LOCKED    | a thread holds the lock                          |
// | 29    | CONTENDED | a thread waits (Atomics.wait) for the lock       |
// | 30    | CLOSED    | TAIL only: shutdown; every later acquire fails   |
// | 31    | SLEEPER   | a waiter of the other side may sleep (see below) |
//
// States:
// free(p)            -acquire: CAS p -> p|LOCKED->              locked(p)
// locked(p)          -contender, after spinning: CAS |CONTENDED, wait on the word
// locked(p)[|CONT]   -release: CAS -> q (the new counter); notify(1) if CONT
// any                -shutdown: Atomics.or CLOSED (TAIL)
// any                -a getter (TAIL) / putter (HEAD) about to sleep:
//                     Atomics.or SLEEPER (flagSleeper)
// A woken waiter acquires with LOCKED|CONTENDED set, since others may still
// sleep: its release wakes the next one (the futex mutex's "state 2" rule).
// A woken waiter that finds CLOSED (a putter) gives up, and notifies one
// more sleeper in its place for the same reason.
// Not FIFO: a spinning newcomer may beat a woken waiter.
// Sentinels: acquireTurn's -1 (closed) has CLOSED set, which no lock taken
// without `closed` has; _head.ts's busy result 0 lacks LOCKED, which every
// taken word has. A word may be negative (SLEEPER is the sign bit).
//
// What the word publishes: the holder writes slots and side words with plain
// stores, then releases with a compareExchange (sequentially consistent). A
// thread that later reads the counter with an Atomics operation
// synchronises-with that release, so its plain reads of those slots see the
// writes. The next lock holder's acquire CAS does the same for the lock's
// plain state (the structured ring's byte offset).
//
// Why no lost wakeup (the lock): a contender sets CONTENDED with a
// compareExchange on the word and then waits while the word still has that
// exact value. The holder's release changes the word (it always stores a
// value without LOCKED), and its compareExchange reads CONTENDED atomically:
// either the contender's CAS came first (the release sees CONTENDED and
// notifies after changing the word) or the release came first (the
// contender's CAS fails on the changed word, and it retries the acquire
// instead of waiting).
//
// SLEEPER: the waking of getters (by puts, on TAIL) and of the numeric
// ring's putters (by gets, on its HEAD, _ring.ts) rides on the counter's own
// release, so a put or get whose other side has no sleeper pays no atomic
// for it (the release's compareExchange reads the bit for free). The
// structured ring's putters are woken through a word of their own, PSLEEP,
// after a get's release of HEAD (_text.ts), whose bit 31 marks corruption
// (_corrupt.ts). The waiting protocol of _state.ts keeps its
// waiter counts (GET_WAITERS, PUT_WAITERS) and sequences (NOT_EMPTY,
// NOT_FULL); the counter's SLEEPER bit says "look at the count":
//   waiter: (1) add WAITERS, (2) s = load SEQ, (3) Atomics.or SLEEPER into
//           the other side's counter, (4) try again, (5) wait while SEQ == s.
//   release of n items (n > 0) that replaces a word with SLEEPER: w = load
//           WAITERS (before its CAS); keep SLEEPER if w > k (k: the waiters
//           n items can serve), else clear it; CAS; then the getters'
//           counted wake (wakeCounted; _state.ts "Counted wakes"): bump
//           SEQ, load WAITERS again and, if above 0, notify k if it kept
//           SLEEPER, everyone if it cleared it, and subtract the woken.
//           (Only TAIL's releases wake, and they wake getters: WAITERS is
//           GET_WAITERS, the getters registered that no wake reached.)
//   release of no item (n == 0: a full try, shutdown's awaitTurn, a get
//           that found nothing or whose decode threw): keeps SLEEPER.
// Why no lost wakeup: SLEEPER is removed only by a release with n > 0, and
// every release is a compareExchange from the word it read. So from a
// waiter's (3) on, every release with n > 0 up to and including the one
// that clears the bit sees SLEEPER, and each of them bumps SEQ after (3),
// hence after (2): a waiter not yet asleep then returns from (5) at once.
// Items published before (3) are seen by (4), which reads the counter after
// (3). A waiter already asleep is woken by the clearing release (notify
// all: it is counted in the load after the bump, _state.ts); while the bit
// is kept, w > k waiters were registered and not woken, and each release
// wakes k of them for its k-worth of items, the bit staying set for the
// rest. A count that is high (a getter that died registered) keeps the bit
// and costs notifies that wake nobody; it is never low (_state.ts). A woken waiter that leaves without an item passes the wake on
// (_state.ts, passOn), as before. A waiter counted in w need not be the one
// woken; one not counted (its (1) after the load of w) registered before
// the CAS, and the bump after the CAS reaches it as above.
// A single writer's put (_solo.ts) takes no lock: its publish is a
// compareExchange of TAIL from the word it read, so it is such a release.
// Measured at 100 threads (bench/_sq_probe.ts: 50 feeders, 50 consumers,
// 10,000 items a round; every Atomics.wait and notify counted per word;
// load 26-47 on 2 cores): in 152 stalls (no take for 20 ms, items
// queued), never were all consumers asleep on a NOT_EMPTY that no bump had
// changed, the signature of a lost wakeup; the sleepers' words had been
// bumped and they sat in the kernel (state S) or waited for a core. 4 of
// 571 getter slices on NOT_EMPTY ran out with an item in the segment (one
// wake per item: another getter's slice may end before the woken one
// runs). What looked like lost wakeups (16,258 waits, 276 wakes) were
// timed gets napping 1 ms on HEAD's turn (_head.ts; now slices). The slow
// mode left is partly the platform's: raw Atomics programs of the same
// shape on the same threads had it too (a counted raw queue 26-351 ms,
// once 5.96 s; one that notifies after every item 0.16-0.43 s and 4.0-6.7
// s), with notify calls blocked for a second and more (V8 takes one
// process-wide lock in every wait and notify); partly the consumer turn's
// convoy (_head.ts), which the raw counted queue has not: most stalled
// consumers slept on HEAD, behind a preempted holder or a woken one not
// yet run. Not named: what the threads of a 28.7 s bounded-Queue stall,
// outside any Atomics call in state S or D, waited on. A put here notifies
// while more getters are registered than it serves, and 89-99.7% of those
// notifies on NOT_EMPTY woke nobody (the getters counted were woken and not
// yet run). Since GET_WAITERS counts only getters no wake reached
// (_state.ts, "Counted wakes"), the bit clears once the woken are off it
// and a put whose getters are all awake notifies nobody: SimpleQueue, 4
// producers and 4 getters, 20,000 items, 0-54 notifies a round against
// 3,950-11,579 (99.3-99.7% woke nobody), alternated in the same processes
// (bench/wake_count_ab.ts; BENCHMARKS.md, "Counted wakes").

// Waking the structured ring's putters (_text.ts: PSLEEP, a word on HEAD's
// line; flagPutter, wakeFlagged): a putter about to sleep (_put.ts
// enterPut: (1) add PUT_WAITERS, (2) s = load NOT_FULL, (3) flagSleeper:
// store PSLEEP = 1, (4) try again, which loads HEAD when the hint finds no
// room, (5) wait while NOT_FULL == s). A get that took n > 0 items releases
// HEAD (a), then loads PSLEEP (b) and, if set, stores 0 (c) and bumps
// NOT_FULL and wakes every putter (d: wakeCounted, which takes the woken
// off PUT_WAITERS, _state.ts "Counted wakes"). So one get wakes the putters once per
// sleep, not every get while they sleep and wake (before: a load of
// PUT_WAITERS and a wake per get; with a full queue and one producer that
// was about 175,000 wakes for 200,000 items on Node).
// Why no lost wakeup: only (c) writes 0, and every (c) is followed by a (d).
// A release (a) before the putter's HEAD load in (4) is seen by (4). A
// release after it comes after (3): its (b) sees PSLEEP = 1, and wakes, or
// sees 0 written by some (c) after (3), whose (d) comes after (3), hence
// after (2): the putter's (5) returns at once or is woken. Room is freed
// only by such gets (n > 0, the discarding drain of an immediate shutdown
// included) and by shutdown, which wakes all putters itself (_shutdown.ts).

// A holder that stops inside the turn. No code of the caller's runs under
// TAIL's turn (items are encoded before it is taken; a caller's typed array
// or a codec's bytes go in as a plain view of their elements: _glue.ts
// plainView, tests/queue/tail_turn_test.ts), so a thread that throws,
// exits or closes itself never holds it. What can still end a thread
// there is outside its JavaScript: a request to terminate the thread's
// execution, which V8 takes at its next interrupt check (a call, a loop's
// back edge), inside the turn too:
// - out of memory under `resourceLimits` (a node:worker_threads worker, on
//   Node and Deno): the runtime terminates the thread's execution when an
//   allocation reaches the limit (the turn allocates little, but the
//   termination lands at the next check, which may follow the acquire);
// - Node's worker.terminate(): the runtime's teardown of the workers of a
//   thread that ends abruptly (README "When threads fail"), and of daemon
//   threads at process exit (then nobody is left to wait). Deno >= 2.8.3's
//   terminate() does not stop running JavaScript (PLATFORM.md);
// - a process-level kill ends every thread at once: nobody waits.
// So a put can find TAIL held by a thread that will never release it. The
// turn does not name its holder: naming it takes a store before the copy
// and one after on every put (HEAD's HOLDER word, _decoding.ts, is that on
// the structured ring's get side) in the inline acquire of _ring.ts and
// _text.ts, and a header word (_layout.ts); a waiter could then end its
// wait when the holder is in the stop ring (as a Lock's waiter does,
// sync/_holder.ts). An out-of-memory stop is recorded there (the watcher,
// _core/_watch.ts); a teardown is recorded as an end, never as a stop, so
// under the rule of README "When threads fail" its hold would be waited
// for all the same. So a put waits for a held turn as HEAD's consumers
// wait for a holder with no HOLDER mark (_head.ts): an untimed put and
// shutdown without limit (as Python's calls wait for the queue's mutex),
// a timed put until its deadline, a nowait put IDLE_GRACE ms
// (_decoding.ts turnIdle: no live holder's copy takes that long) except an
// unbounded queue's segment try, whose put must never report Full for a
// slow holder: until its call's deadline, however far (HOLD_END,
// _decoding.ts; in slices that look at its signal and cancel: `stop`), an
// async put's try not past its spin; then acquireTurn returns BUSY_TURN, having
// taken nothing, and the put reports the queue busy (QueueFullError,
// busyPut), or, async, awaits TAIL off the event loop (marking CONTENDED,
// _held_turn.ts) and tries again, until its deadline. The executor's own puts
// (pool/) are untimed puts into queues that always have room: they wait.
// The uncontended put pays nothing for it: the bound is read only when a
// put would sleep.

// Given back: a stack overflow under the turn. Near the end of the stack
// any call can throw a RangeError at its entry (V8's frame check), before
// its first step; builtins (Atomics, a typed array's element access and
// set/subarray) throw none. A turn taken and left held by such a throw is
// a holder that stops (above) that is still running: every later put of
// every thread, its own included, waits for it for good (a nowait put
// reports the queue busy). So a function that takes a turn makes no call
// that can overflow between its acquire and its release, except these,
// each with the rule that makes it safe:
// - acquireTurn (acquireTail): it returns right after the compareExchange
//   that takes the turn, so a throw from it has taken nothing;
// - releaseTurn: it calls nothing past its entry (wakeCounted's steps are
//   inline), so it either throws at its entry, having done nothing, or
//   releases; a caller that holds the turn calls it inside a try whose
//   catch gives the turn back inline and rethrows: the put did not happen.
// The give-back is builtins only: Atomics.and clearing LOCKED and
// CONTENDED, then notify(1) if CONTENDED was there. While a thread holds
// the turn no other changes the counter or clears a bit (they only set
// CONTENDED, SLEEPER and CLOSED, and compareExchange from what they read),
// so the word is left as a release of no item leaves it: the counter as
// taken, CLOSED and SLEEPER kept (no item: SLEEPER stays, see above), and
// a sleeper on the lock woken to pass the turn on.
// Every take and give-back of a queue's lock words, by queue kind (what
// runs between the compareExchange that takes and the code that gives
// back; "calls nothing" means builtins only):
// - numeric ring (_ring.ts: a bounded numeric Queue, every segment of an
//   unbounded numeric Queue; Lifo and Priority are locked stores): tryPut's
//   fast path calls nothing; #putSlow and tryPutMany take by acquireTail
//   (acquireTurn's return right after its compareExchange, then a compare)
//   and call only releaseTurn, in a try whose catch gives back. Its gets
//   take no turn: a copy, then one compareExchange of HEAD that claims;
//   the putters' wake after a claim that found SLEEPER is inline
//   (_ring_head.ts advance): no call once the items are taken.
// - structured ring (_text.ts: Queue, SimpleQueue's and an unbounded
//   Queue's segments): its puts call under the turn (#room, #place, #io,
//   #record), all inside a try whose finally releases: releaseTurn in a
//   try whose catch gives back. Its gets take HEAD (_head.ts acquireHead:
//   it returns right after the compareExchange, and a take-over flips
//   TAKEN inline after clearDead) and enter the try whose handler (UNHOLD,
//   _text_get.ts) makes no call, before any call.
// - shutdown: awaitTurn (below); close's CLOSED is one Atomics.or.
// - single writer or reader (_solo.ts): no turn; the publish is one
//   compareExchange from the word read, its wake inline after it
//   (_solo_words.ts publish), and a role is claimed for good.
// - async forms (_held_turn.ts awaitTurnAsync, _grow_wait.ts): they wait
//   for a turn to be free and never hold one across an await; the take is
//   the synchronous try's, as above.
// - locked stores (_locked.ts: LifoQueue, PriorityQueue) and the chain's
//   LOCK (_chain.ts, _grow_wait.ts): a Lock, whose acquire returns right
//   after its compareExchange; every release in a finally sits in a try
//   whose catch releases inline (exchange to 0, notify if marked), as
//   Lock.release does. Open: a take-over (the holder died) throws
//   OwnerDiedError with the lock taken, and its handling (#tookOver,
//   #repaired) calls before the caller's try; an overflow there too leaves
//   the lock held (a dead holder and the stack's end at once).
// - the waiter counts a lock sleep takes off (_registered.ts sleepOff) are
//   put back inline in the sleep's finally, and the mark cleared inline, so
//   no count is left low.
// A woken contender (acquireTurn, acquireHead: `extra`) that overflows
// before it passes its wake on (a call before its next sleep) leaves the
// other sleepers to their slice's end: waitSync re-waits per 50 ms slice
// and returns once the word changed. A delay, not a hang.
// After the store took an item no put throws (_state.ts "Accepted").
// tests/queue/stack_end_turn_test.ts sweeps every put and get form of every
// kind (the unbounded kinds' segments looked at too);
// tests/queue/accepted_put_test.ts plants the throw after the store.

import { type Acquire, throwIfInterrupted, waitSync } from "../_core/wait.ts";
import { sleepOff } from "./_registered.ts";

/** Mask of the counter in a TAIL/HEAD word. */
export const POSITION: number = (1 << 28) - 1;
/** A thread holds the word's lock. */
export const LOCKED: number = 1 << 28;
/** A thread sleeps waiting for the word's lock. */
export const CONTENDED: number = 1 << 29;
/** TAIL only: the queue is shut down; acquires fail. */
export const CLOSED: number = 1 << 30;
/** A waiter of the other side may sleep (the sign bit; see the header). */
export const SLEEPER: number = 1 << 31;
/** acquireTurn's result when the word is CLOSED (see the header). */
export const CLOSED_TURN = -1;
/**
 * acquireTurn's result when the word stayed held past the caller's `idle`
 * (see "A holder that stops"): it has CLOSED set, which no word that
 * acquireTurn returns without `closed` has.
 */
export const BUSY_TURN = -2;

// Tries before a contender sleeps: a holder keeps the lock for a copy of a
// few hundred nanoseconds unless it is preempted.
const SPIN = 200;
// The longest sleep of a wait with `stop` before it looks at its signal and
// cancel (the wait helper's slice).
const SLICE = 50;

/**
 * Takes the lock bit of word `i`, starting from the guess `v` (the caller's
 * last known free value: right, it costs one compareExchange). Returns the
 * word as locked (counter in POSITION), or CLOSED_TURN if CLOSED is set and
 * `closed` is false. Before it would sleep behind a held word it asks
 * `corrupt` (_corrupt.ts tailCorrupt) and throws the error it returns, and
 * `idle(w)` (_decoding.ts turnIdle: the put's wait `w`) until when it may
 * wait: past that it returns BUSY_TURN, having taken nothing. With a wait
 * `stopOf(w)` names (read with `idle`: a put that waits for a holder
 * however long it holds, _decoding.ts HOLD_END) its sleeps end at that
 * wait's signal or its thread's cancel, which throw.
 */
export function acquireTurn(
  h: Int32Array,
  i: number,
  v: number,
  closed = false,
  corrupt?: (h: Int32Array, v: number) => RangeError | undefined,
  w?: Acquire,
  idle?: (w: Acquire | undefined) => number,
  stopOf?: (w: Acquire | undefined) => Acquire | undefined,
): number {
  let spins = 0;
  let extra = 0; // CONTENDED once this thread has slept
  let until = NaN; // idle(w), read once, when this call would first sleep
  let stop: Acquire | undefined; // stopOf(w), read with `until`
  let slept = false; // the last sleep lasted a whole slice (`stop`)
  for (;;) {
    if ((v & CLOSED) !== 0 && !closed) {
      // A release's notify(1) may have picked us: others (shutdown's
      // awaitTurn among them) may still sleep, so pass the wake on.
      if (extra !== 0) Atomics.notify(h, i, 1);
      return CLOSED_TURN;
    }
    if ((v & LOCKED) === 0) {
      // A free word never has CONTENDED (releases clear it).
      const want = v | LOCKED | extra;
      const seen = Atomics.compareExchange(h, i, v, want);
      if (seen === v) return want;
      v = seen;
      continue;
    }
    if (spins++ < SPIN) {
      v = Atomics.load(h, i);
      continue;
    }
    const bad = corrupt?.(h, v); // a word no put writes: never sleep on it
    if (bad !== undefined) {
      if (extra !== 0) Atomics.notify(h, i, 1);
      throw bad;
    }
    if (until !== until) {
      until = idle === undefined ? Infinity : idle(w);
      stop = stopOf?.(w);
    }
    if (until !== Infinity && performance.now() >= until) {
      // As for CLOSED: a release's notify(1) may have picked us.
      if (extra !== 0) Atomics.notify(h, i, 1);
      return BUSY_TURN;
    }
    if ((v & CONTENDED) === 0) {
      const seen = Atomics.compareExchange(h, i, v, v | CONTENDED);
      if (seen !== v) {
        v = seen;
        continue;
      }
      v |= CONTENDED;
    }
    // Uninterruptible (the holder is about to release, unless it stopped:
    // "A holder that stops" above), bounded by `until`. Loops on spurious
    // wakeups and the deadline via the re-read. A registered putter's
    // re-try sleeps here off PUT_WAITERS (_registered.ts). A wait with
    // `stop` sleeps a slice at a time and, once it has slept one (a hold
    // that long is no copy: a brief one never ends the put), looks at its
    // signal and its thread's cancel before each (throwing has taken no
    // turn; as for BUSY_TURN, a release's notify(1) may have picked us:
    // passed on).
    let end = until;
    if (stop !== undefined) {
      if (slept) {
        try {
          throwIfInterrupted(stop.signal);
        } catch (error) {
          if (extra !== 0) Atomics.notify(h, i, 1);
          throw error;
        }
      }
      const slice = performance.now() + SLICE;
      if (slice < end) end = slice;
    }
    const off = sleepOff(h);
    try {
      slept = waitSync(h, i, v, end, undefined, false) === "timed-out";
    } finally {
      if (off >= 0) Atomics.add(h, off, 1); // sleepOn, inline: even if it threw
    }
    extra = CONTENDED;
    v = Atomics.load(h, i);
  }
}

/**
 * Releases the lock of word `i` taken as `locked`, storing the counter
 * `next` (keeps CLOSED if shutdown set it meanwhile; wakes one sleeper on
 * the lock) after `n` items moved, waking the other side's sleepers as the
 * header says: `waiters` and `seq` are their count and sequence slots, `k`
 * how many waiters the n items serve.
 */
export function releaseTurn(
  h: Int32Array,
  i: number,
  locked: number,
  next: number,
  n: number,
  waiters: number,
  seq: number,
  k: number,
): void {
  let v = locked;
  let keep = 0;
  for (;;) {
    if (v < 0 && n > 0) { // SLEEPER: see the header
      keep = Atomics.load(h, waiters) > k ? SLEEPER : 0;
    } else keep = v & SLEEPER;
    const seen = Atomics.compareExchange(h, i, v, next | (v & CLOSED) | keep);
    if (seen === v) break;
    v = seen; // CONTENDED, CLOSED or SLEEPER set meanwhile
  }
  if ((v & CONTENDED) !== 0) Atomics.notify(h, i, 1);
  // Why no lost wakeup: see the header (SLEEPER) and wakeCounted, whose
  // steps these are, inline: no call here (see "Given back" above).
  if (v < 0 && n > 0) {
    Atomics.add(h, seq, 1);
    if (Atomics.load(h, waiters) > 0) {
      const woke = Atomics.notify(h, seq, keep !== 0 ? k : Infinity);
      if (woke > 0) Atomics.sub(h, waiters, woke);
    }
  }
}

/**
 * A waiter of the other side registered (its WAITERS added, its SEQ read)
 * and is about to try once more and sleep: marks counter word `i` so that
 * the next release with items wakes it (see the header).
 */
export function flagSleeper(h: Int32Array, i: number): void {
  Atomics.or(h, i, SLEEPER);
}

/**
 * A putter of the structured ring registered and is about to try once more
 * and sleep: raises word `flag` (PSLEEP) for the next get that frees room
 * (see "Waking the structured ring's putters").
 */
export function flagPutter(h: Int32Array, flag: number): void {
  Atomics.store(h, flag, 1);
}

/**
 * After a release that freed room: if word `flag` is raised, clears it,
 * then wakes all the waiters of sequence `seq` counted in `waiters`
 * (wakeCounted).
 */
export function wakeFlagged(
  h: Int32Array,
  flag: number,
  waiters: number,
  seq: number,
): void {
  if (Atomics.load(h, flag) === 0) return;
  Atomics.store(h, flag, 0); // every clear is followed by the wake
  wakeCounted(h, waiters, seq, Infinity);
}

/** Bumps sequence `seq` and wakes up to `n` of its waiters. */
export function wake(h: Int32Array, seq: number, n: number): void {
  Atomics.add(h, seq, 1);
  Atomics.notify(h, seq, n);
}

/**
 * The getters' and putters' wake (_state.ts, "Counted wakes"): bumps
 * sequence `seq`, then, if count `waiters` (registered waiters no wake has
 * reached) is above 0, wakes up to `n` of them and takes the woken off the
 * count (they do not take themselves off: they saw their wait end "ok").
 */
export function wakeCounted(
  h: Int32Array,
  waiters: number,
  seq: number,
  n: number,
): void {
  Atomics.add(h, seq, 1);
  // Why no lost wakeup: the load comes after the bump (_state.ts).
  if (Atomics.load(h, waiters) <= 0) return;
  const woke = Atomics.notify(h, seq, n);
  if (woke > 0) Atomics.sub(h, waiters, woke);
}

/** Waits until no thread holds word `i`'s lock (used by shutdown). */
export function awaitTurn(
  h: Int32Array,
  i: number,
  corrupt?: (h: Int32Array, v: number) => RangeError | undefined,
): void {
  const v = Atomics.load(h, i);
  if ((v & LOCKED) === 0) return;
  const locked = acquireTurn(h, i, v, true, corrupt);
  try {
    releaseTurn(h, i, locked, locked & POSITION, 0, 0, 0, 0);
  } catch (error) {
    // An overflow at releaseTurn's entry (it did nothing): given back
    // inline (see "Given back" above).
    const w = Atomics.and(h, i, ~(LOCKED | CONTENDED));
    if ((w & CONTENDED) !== 0) Atomics.notify(h, i, 1);
    throw error;
  }
}
