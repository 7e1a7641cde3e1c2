// Copyright 2026 the threadkit authors. MIT license.
// Imported first by a heap program (before threadkit): with an argument
// "heap=<MiB>", sets the test-only largest size of the runtime block
// (_core/test_heap.ts), so that a program that fills the queues' share
// (three quarters of it) touches that much memory, not 1.5 GiB. Returns
// the size asked for (0: the default heap).
import { TEST_HEAP_KEY } from "../../../_core/test_heap.ts";

const g = globalThis as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const args = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const asked = args.find((a) => a.startsWith("heap="));

/** The largest heap size the program asked for, in bytes; 0: the default. */
export const heapBytes: number = asked === undefined
  ? 0
  : Number(asked.slice(5)) * 1024 * 1024;
if (heapBytes > 0) {
  (globalThis as Record<symbol, unknown>)[Symbol.for(TEST_HEAP_KEY)] =
    heapBytes;
}
