// Copyright 2026 the threadkit authors. MIT license.
// A pool thread's next task (pool/_thread.ts): from the task queue, else
// parked on its record (pool/_park.ts).

import { entryAlive, runtime } from "../_core/runtime.ts";
import type { Queue } from "../queue/bounded.ts";
import { QueueEmptyError, QueueShutDownError } from "../queue/errors.ts";
import { type Block, OPEN, R_IDENT, STATE, TAKER } from "./_layout.ts";
import { GONE, park } from "./_park.ts";
import { takeEmpty } from "./_names.ts";
import { strandedTaker } from "./_taker.ts";
import {
  BUSY_Q,
  peek,
  SHUT_Q,
  STOLEN,
  takeQueued,
  type TaskView,
} from "./_take.ts";

// The next slot index: from the task queue (named in this thread's record
// before it leaves the queue, _take.ts), else parked on this thread's
// record until a submitter hands one over or queues one (_park.ts).
// Throws QueueEmptyError after idleMs with nothing, QueueShutDownError once
// the executor stopped and the queue is shut down and empty,
// CancelledError (a stray cancel) from the park's wait. Returns STOLEN
// when a reclaim took the queue's turn from this thread (declared dead),
// or its record is another thread's now (_park.ts "GONE").
// While the executor is not open it parks between looks as well: the close
// wakes every parked thread after it shuts the queue.
// `flush` pushes the last task's outcome to its owner: here, right before
// this thread takes its next task or goes to sleep, not right after the
// task. The owner's wake is the last thing this thread does before it
// sleeps, so on a busy core the woken owner does not wait for this
// thread's look at the queue (same process, one task at a time: submit +
// result() 1.5-1.8x the raw wait/notify round trip, against 1.9-2.4x
// pushing first). Nothing but a few loads runs in between.
// (A pool thread that looked for tasks for 50 us before sleeping made the
// round trip 2x slower on the loaded 2-core machine: it takes the core the
// submitter needs. So it looks once; a 20 us spin measured the same.)
// Another pool thread taking from the queue (TAKER, a few loads and
// stores): looked at again up to BUSY_TRIES times, each after up to
// BUSY_SPINS loads of TAKER that wait for its release, then parked in slices
// of BUSY_PARK_MS (its release wakes a parked thread when the queue is not
// empty, _take.ts; the slices are a second bound).
// nextOf() makes the thread's next(): what every call shares (its record,
// entry, the gone and recheck closures, its empty R_TAKE value) is made
// once per thread, not once per task.
export function nextOf(
  b: Block,
  w: number,
  ident: number,
  own: number,
  q: TaskView,
  tasks: Queue<number>,
  idleMs: number,
  onCancel: () => void,
  flush: () => void,
  free: Queue<number>,
  drain: () => void,
  beforePark?: () => void,
): () => number {
  const { v } = b;
  const rec = b.record(w), { entry } = runtime();
  // Declared dead, its record freed for another thread (_park.ts "GONE").
  // IDENT first: one load, almost always this thread's, so a take does not
  // also read the entry (both facts, once true, stay true).
  const gone = () =>
    Atomics.load(v, rec + R_IDENT) !== ident && !entryAlive(entry, ident);
  const recheck = () =>
    (tasks.qsize() > 0 && Atomics.load(v, TAKER) === 0) ||
    (Atomics.load(v, STATE) !== OPEN && peek(q) === SHUT_Q);
  const empty = takeEmpty(b.l.slots, own); // R_TAKE naming nothing (_names.ts)
  return (): number => {
    // performance.now() costs about 0.5 us on Deno: not read without a timeout.
    const deadline = idleMs === Infinity
      ? Infinity
      : performance.now() + idleMs;
    let busy = 0;
    for (;;) {
      if (tasks.qsize() > 0 || Atomics.load(v, STATE) !== OPEN) {
        flush();
        if (gone()) return STOLEN; // (_park.ts "GONE")
        const s = takeQueued(b, q, tasks, rec, ident, free, empty);
        // (Its port is read at the claim that follows, if posts came.)
        if (s >= 0) return s;
        if (s === STOLEN) return s;
        if (s === SHUT_Q) throw new QueueShutDownError();
        if (s === BUSY_Q && ++busy < BUSY_TRIES) {
          // Loads, not CASes, until it is free: the holder's release is not
          // slowed by a CAS loop on its line.
          for (let i = 0; i < BUSY_SPINS && Atomics.load(v, TAKER) !== 0; i++);
          continue;
        }
        // Held past its tries: by a thread that stopped with no record, it
        // is taken over (_taker.ts), else the park below waits in slices.
        const t = s === BUSY_Q ? Atomics.load(v, TAKER) : 0;
        if (
          strandedTaker(b, t) && Atomics.compareExchange(v, TAKER, t, 0) === t
        ) {
          busy = 0;
          continue;
        }
      }
      const until = busy < BUSY_TRIES
        ? deadline
        : Math.min(deadline, performance.now() + BUSY_PARK_MS);
      busy = 0;
      const s = park(
        b,
        w,
        own,
        until,
        recheck,
        onCancel,
        flush,
        drain,
        gone,
        beforePark,
      );
      flush(); // (park flushed unless its recheck found work)
      if (s >= 0) return s;
      if (s === GONE) return STOLEN;
      if (deadline !== Infinity && performance.now() >= deadline) {
        throw new QueueEmptyError();
      }
    }
  };
}

const BUSY_TRIES = 8;
const BUSY_SPINS = 200;
const BUSY_PARK_MS = 1;
