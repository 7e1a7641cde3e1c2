// Copyright 2026 the threadkit authors. MIT license.
// CPython's Lib/test/test_queue.py BaseQueueTestMixin for LifoQueue (the port:
// _queue_mixin.ts; what it changes from CPython: queue_test.ts's header).

import { baseQueueTestMixin, types } from "./_queue_mixin.ts";

baseQueueTestMixin(types[1]);
