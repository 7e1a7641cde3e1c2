// Copyright 2026 the threadkit authors. MIT license.
// A knob for tests only: the largest size of the runtime block
// (_core/runtime.ts newBlock), and so of the shared heap and of the queues'
// share of it (three quarters: _core/heap.ts "Queue blocks"). A test that
// fills the share (tests/_workers/programs/_small_heap.ts sets 256 MiB)
// then touches 192 MiB instead of 1.5 GiB, and takes that much less time.
//
// globalThis[Symbol.for(TEST_HEAP_KEY)]: a whole number of MiB from 64 MiB
// to the default largest size (2 GiB - 64 KiB), set before the main thread
// creates the block (its first use of threadkit), read once then; every
// thread shares that block. threadkit never sets it; a program that never
// names the key never meets it, and any other value is ignored (the
// default sizes).

import { B } from "./primordials_record.ts";

/** The global key (with Symbol.for) of the test-only largest block size. */
export const TEST_HEAP_KEY = "threadkit.testing.heapMaxBytes";
const KEY: unique symbol = B.symbolFor(TEST_HEAP_KEY) as never; // (as at load)
const MiB = 1024 * 1024;

/**
 * The largest block sizes to try, in order: `sizes` (the defaults), or the
 * test-only size when one is set (see the top) that is at most sizes[0].
 */
export function blockSizes(sizes: number[]): number[] {
  const n = (globalThis as { [KEY]?: unknown })[KEY];
  return typeof n === "number" && n % MiB === 0 && n >= 64 * MiB &&
      n <= sizes[0]
    ? [n]
    : sizes;
}
