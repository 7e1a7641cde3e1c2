// Copyright 2026 the threadkit authors. MIT license.
// Condition's wake hand-off: a notify made by the thread that holds the
// condition's lock does not wake its waiters at once. It leaves the wake
// here, and this thread's next Lock release (sync/lock.ts) issues it, right
// after the lock word is free. The woken waiter then finds the lock free and
// takes it with one compareExchange, instead of waking while its notifier
// still holds the lock (the notifier releases it microseconds later, in its
// own wait() or release), sleeping on the lock word and being woken a second
// time by that release. It is the effect of futex requeue ("wait morphing")
// without a requeue, which Atomics does not have: the waiter sleeps once,
// on the condition's word, and is woken once, when it can take the lock.
// Measured on a Condition ping-pong (bench/_pingpong.ts): two futex calls
// per handoff fell to one (as many as the raw Atomics ping-pong makes).
//
// The list is per thread (module state is per worker). Every release of
// any Lock by this thread issues every wake waiting here: a release of
// another lock first only wakes a waiter early (it finds the lock held and
// sleeps on it, as without the hand-off), so the list needs no key, and
// nothing stays in it past this thread's next release.
//
// Why no lost wakeup: the notify has done its bookkeeping before it defers
// (PERMITS and SEQ in sync/_tickets.ts); only the Atomics.notify waits here.
// A waiter sleeps in slices (_core/wait.ts, SLICE_MS; never a long slice:
// every Condition sleep is marked deferredWakes, sync/_tickets.ts
// ticketSleep, which the helper never gives one) and re-checks SEQ at each
// slice end, so it returns even if the wake is never issued: when the
// Lock is released by another thread (any thread may release a Lock; the
// notifier defers only for a lock this thread acquired, sync/condition.ts)
// or the notifier stops holding it. That case costs at most one slice of
// latency, never the wakeup. A wake issued late or twice is a spurious wake,
// which every Condition waiter absorbs (it sleeps again when it finds no
// permit it may take). The list holds views, not Condition handles: should
// a Condition be collected and its heap block reused by another primitive
// before the wake is issued (its waiters hold it, so only if they are gone
// too), the wake lands on that primitive's word as a spurious wake, which
// every threadkit wait absorbs by re-checking its word.
//
// Latency: a notify deferred here reaches its waiters when this thread
// releases the lock, which is when they could go on anyway, so holding the
// lock long after a notify (across an await, say) delays nothing more than
// before. A Lock released by another thread instead is the one case slower
// than an immediate notify: its waiters wake within one slice (50 ms).
//
// Bounded: at most LIMIT wakes wait here; one more issues them all at once
// (a thread that notifies many times under one hold, or whose holds are
// released by other threads, keeps no growing list).

// The first deferred wake lives in `pending` itself (one object: the
// common case, one notify under a hold, touches nothing else on the
// notifier's path, which runs right after its own wake with cold caches);
// more go to parallel arrays, kept allocated: entries 1 to `pending.n - 1`
// are live. Truncating an array (length = 0) is a runtime call and frees
// its store, which the next push grows again: both showed in a profile of
// the ping-pong.
const views: Int32Array[] = [];
const indexes: number[] = [];
const counts: number[] = [];
const LIMIT = 64;

/**
 * How many wakes this thread has deferred and not yet issued (sync/lock.ts
 * reads `n` on every release: a property load when there are none), and the
 * first of them.
 */
export const pending: {
  n: number;
  view: Int32Array | undefined;
  index: number;
  count: number;
} = { n: 0, view: undefined, index: 0, count: 0 };

/**
 * Defers `Atomics.notify(view, index, count)` to this thread's next Lock
 * release. The caller has changed `view[index]` already and holds a lock.
 */
export function deferWake(
  view: Int32Array,
  index: number,
  count: number,
): void {
  const n = pending.n;
  if (n === 0) {
    pending.view = view;
    pending.index = index;
    pending.count = count;
    pending.n = 1;
    return;
  }
  // notify() twice under one hold: one wake of the sum (saturating).
  if (n === 1) {
    if (pending.view === view && pending.index === index) {
      pending.count = Math.min(pending.count + count, 0x7fffffff);
      return;
    }
  } else if (views[n - 1] === view && indexes[n - 1] === index) {
    counts[n - 1] = Math.min(counts[n - 1] + count, 0x7fffffff);
    return;
  }
  if (n === LIMIT) {
    wakeDeferred();
    deferWake(view, index, count);
    return;
  }
  pending.n = n + 1;
  views[n] = view;
  indexes[n] = index;
  counts[n] = count;
}

/** Issues every deferred wake of this thread (a Lock was just released). */
export function wakeDeferred(): void {
  // Atomics.notify on a view the list holds cannot throw or run code.
  const n = pending.n;
  if (n === 0) return;
  pending.n = 0;
  Atomics.notify(pending.view!, pending.index, pending.count);
  for (let i = 1; i < n; i++) Atomics.notify(views[i], indexes[i], counts[i]);
  // Issued views stay referenced until overwritten (at most LIMIT a thread)
  // but are never notified again.
}
