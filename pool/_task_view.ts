// Copyright 2026 the threadkit authors. MIT license.
// The task queue's ring read in place by a holder of TAKER (_take.ts): its
// head (peek), and whether an index is in it (queued). The peek reads the
// int32 ring of queue/_ring.ts (its header's HEAD, TAIL and SHUTDOWN
// words, DATA[p % capacity]); tests/pool/take_test.ts pins it to getNowait
// across the ring's wrap.
import type { Queue } from "../queue/bounded.ts";
import { TO_DESCRIPTOR } from "../_core/transfer.ts";
import {
  CAPACITY,
  HEAD,
  HEADER_BYTES,
  HEADER_WORDS,
  OPEN as Q_OPEN,
  SHUTDOWN as Q_SHUTDOWN,
  TAIL,
} from "../queue/_layout.ts";
import { POSITION } from "../queue/_turn.ts";

/** takeQueued: the queue is empty (and open: more may come). */
export const EMPTY_Q = -1;
/** takeQueued: the queue is shut down and empty (no item comes any more). */
export const SHUT_Q = -2;

/** The task queue's ring, read in place (peek; _ring.ts layout). */
export interface TaskView {
  readonly h: Int32Array;
  readonly data: Int32Array;
  readonly cap: number;
}

const views = new WeakMap<Queue<number>, TaskView>();

/** The view of the task queue's ring (a bounded int32 FIFO Queue). */
export function taskView(tasks: Queue<number>): TaskView {
  let q = views.get(tasks);
  if (q === undefined) {
    const d = tasks[TO_DESCRIPTOR]();
    const at = d.byteOffset as number;
    const buffer = d.buffer as SharedArrayBuffer;
    const h = new Int32Array(buffer, at, HEADER_WORDS);
    const cap = h[CAPACITY];
    q = { h, data: new Int32Array(buffer, at + HEADER_BYTES, cap), cap };
    views.set(tasks, q);
  }
  return q;
}

/**
 * The index at the queue's head, without taking it; EMPTY_Q or SHUT_Q.
 * Meaningful for a caller that holds TAKER (no other consumer moves HEAD).
 * Why the read is sound: HEAD is loaded first, then TAIL; TAIL > HEAD means
 * the position was published (the release of TAIL, an Atomics write, after
 * the slot's store), and it is not overwritten before HEAD passes it.
 * SHUTDOWN is read before both: shut down, then empty, stays empty
 * (_get.ts: a put never lands after SHUTDOWN shows).
 */
export function peek(q: TaskView): number {
  const shut = Atomics.load(q.h, Q_SHUTDOWN) !== Q_OPEN;
  const head = Atomics.load(q.h, HEAD) & POSITION;
  const tail = Atomics.load(q.h, TAIL) & POSITION;
  if (head === tail) return shut ? SHUT_Q : EMPTY_Q;
  return q.data[head % q.cap];
}

// Whether index `s` is in the task queue (a caller that holds TAKER: no
// consumer moves HEAD; a put of s could only be its holder's). Scans the
// queue: a slow path, for a reclaim that stopped midway only.
export function queued(tasks: Queue<number>, s: number): boolean {
  const q = taskView(tasks);
  const head = Atomics.load(q.h, HEAD) & POSITION, n = tasks.qsize();
  for (let i = 0; i < n; i++) if (q.data[(head + i) % q.cap] === s) return true;
  return false;
}
