// Copyright 2026 the threadkit authors. MIT license.
// A port of CPython's Lib/test/test_queue.py: BaseQueueTestMixin with its
// Python 3.13 shutdown cases (_queue_mixin.ts), run here for Queue, in
// lifo_queue_test.ts and priority_queue_test.ts for the other two, and
// BaseSimpleQueueTest (simple_queue_test.ts); one file per class keeps each
// well within a per-file time limit on a loaded machine. Each `it` names the
// CPython case it ports. Items are numbers (a PriorityQueue takes numbers or
// [priority, ...] arrays): "last", "full" and "empty" are 1000, 1001 and 1002.
// CPython's do_blocking_test starts a trigger thread that sleeps 0.1 s first;
// here the trigger thread sets a word just before its trigger call, and the
// blocked call must find it set when it returns (it cannot return before the
// trigger), with no sleep. As in CPython, `type2test()` (no capacity) is
// unbounded for all three classes. test_shrinking_queue (assigning
// maxsize), FailingQueueTest (overriding _put/_get), test_references (weakrefs)
// and SimpleQueue's test_reentrancy (__del__) have no JavaScript counterpart.

import { baseQueueTestMixin, types } from "./_queue_mixin.ts";

baseQueueTestMixin(types[0]);
