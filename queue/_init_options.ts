// Copyright 2026 the threadkit authors. MIT license.
// The options of a queue's constructor and of its puts and gets (checked
// in _init.ts).

import type { SharedPlacement } from "../_core/placement.ts";
import type { WaitOptions } from "../_core/wait.ts";
import type { Codec } from "./_codec.ts";
import type { ElementType } from "./_layout.ts";

/** Options of a queue's put and get: Python's `block` and `timeout`. */
export interface QueueOptions extends WaitOptions {
  /**
   * Whether to wait for room or for an item (default true). With `false` the
   * call returns or throws at once, and a `timeout` is ignored, as in Python.
   */
  block?: boolean;
}

/** Options of a queue's constructor. */
export interface QueueInit<T = unknown> extends SharedPlacement {
  /**
   * Most items the queue holds: an integer from 1 to 2^26. Leave it out
   * (or give 0 or less, Python's `maxsize <= 0`) for an unbounded queue,
   * which grows as needed up to `maxCapacity`.
   */
  capacity?: number;
  /**
   * Unbounded Queue: items its first segment holds (default 1024); each
   * growth doubles the newest segment. In the shared heap a segment takes
   * at most 8 MiB (a larger first capacity is cut to fit), and one of 1 MiB
   * or more holds as many items as its power-of-two block has room for.
   * Unbounded LifoQueue and PriorityQueue: items the first store holds
   * (default 64); each growth doubles it, up to `maxCapacity`.
   */
  initialCapacity?: number;
  /**
   * Unbounded Queue: the stated maximum, the most items its newest segment
   * may hold (default 2^20, at most 2^26). At the maximum, puts wait for room
   * as in a bounded queue. When the shared heap cannot give the next
   * segment (queues together take at most 1,536 MiB of it: a default
   * structured queue alone holds about 6 million small items), a put
   * throws QueueMemoryError at once, nothing put.
   * Unbounded LifoQueue and PriorityQueue: the most items the queue holds
   * (default 2^20, at most 2^26); puts wait there. When the heap cannot
   * give the next, twice larger store (or, structured, an item's block), a
   * put throws QueueMemoryError at once, nothing put.
   */
  maxCapacity?: number;
  /**
   * Element type: a numeric slot type (`"int32"`, `"float64"`,
   * `"bigint64"`, ...; no encoding, the fast path) or `"structured"` (the
   * default: any value structured clone carries, encoded into bytes).
   */
  type?: ElementType;
  /**
   * Structured queues: bytes of item storage, an integer from 16 to 2^30
   * (1 GiB). Default: 256 per item, at least 64 KiB and at most 64 MiB (give
   * `bytes` for more). An item's encoding plus 4 bytes (FIFO: 1 byte) must
   * fit (in a PriorityQueue: fit in `bytes / capacity`); a larger item is
   * refused at put with a RangeError. Bounded queues only: an unbounded
   * Queue sizes each segment's region to hold its items, and an unbounded
   * LifoQueue or PriorityQueue keeps each item in a heap block of its own:
   * their items encode to at most 64 MiB - 1 bytes.
   */
  bytes?: number;
  /**
   * Structured queues: a custom encoding instead of threadkit's JSON. Its
   * `decode` runs while the queue's store is locked, so it must not use the
   * same queue.
   */
  codec?: Codec<T>;
  /**
   * Bounded numeric Queue: one thread puts (default false). The first
   * thread that puts becomes the queue's writer; a put (putMany, ...) from
   * any other thread throws `RoleError` and changes nothing, until
   * the writer has stopped (then the next thread that puts takes the role).
   * Puts then skip the producers' lock on TAIL (BENCHMARKS.md, int-t2t).
   * The role belongs to a thread, not to a task: on a ThreadPoolExecutor
   * the pool thread that first put keeps it while it lives. LifoQueue and
   * PriorityQueue refuse it (puts and gets share one lock there), and so
   * do structured and unbounded queues (TypeError).
   */
  singleWriter?: boolean;
  /**
   * Bounded numeric Queue: one thread gets (default false), enforced as
   * `singleWriter` is (the first thread that gets is the reader; others get
   * RoleError). `qsize`, `empty`, `full`, `taskDone`, `join` and `shutdown`
   * stay open to every thread, and an immediate shutdown discards the items
   * from whichever thread calls it.
   */
  singleReader?: boolean;
}

/** Options of {@linkcode QueueBase.prototype.shutdown}. */
export interface ShutdownOptions {
  /** Also discard the queued items (their tasks count as done). */
  immediate?: boolean;
}

/**
 * What revive passes to a queue class's constructor: it marks a revival, so
 * no class reads a missing capacity as "unbounded".
 */
export const REVIVING: QueueInit<never> = Object.freeze({ capacity: 1 });
