// Copyright 2026 the threadkit authors. MIT license.
// A program run with --allow-natives-syntax: calls roomForWorker
// (_core/overflow.ts) at the 100 deepest frames of the stack, cold, once
// optimised by V8's optimising tier, and hot (300,000 calls), and prints
// how many of those calls passed: the check must throw at every one (an
// engine that inlined its native callee away would skip the push it relies
// on, and the check would pass where a worker cannot be made).
import { roomForWorker } from "../../../_core/overflow.ts";

function atEnd(f: () => void): number {
  let passed = 0, tries = 0;
  const deep = (): void => {
    try {
      deep();
    } catch {
      if (tries++ < 100) {
        try {
          f();
          passed++;
        } catch {
          // refused, as it must be there
        }
      }
      throw new RangeError("unwinding");
    }
  };
  try {
    deep();
  } catch {
    // unwound
  }
  return passed;
}

// Natives syntax through the Function constructor: no TypeScript parser
// sees it.
const optimize = new Function(
  "f",
  "%PrepareFunctionForOptimization(f); f(); f(); %OptimizeFunctionOnNextCall(f); f(); return %GetOptimizationStatus(f);",
) as (f: () => void) => number;

const cold = atEnd(roomForWorker);
const status = optimize(roomForWorker);
const optimized = atEnd(roomForWorker);
for (let i = 0; i < 300_000; i++) roomForWorker();
const hot = atEnd(roomForWorker);
console.log(JSON.stringify({ cold, optimized, hot, status }));
