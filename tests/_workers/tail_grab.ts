// Copyright 2026 the threadkit authors. MIT license.
// A thread that takes a queue segment's TAIL when told (flag[0] = 1), at
// a moment the test picks (inside a grow, after the grower looked at TAIL
// and before it closes the segment: tests/queue/async_grow_close_test.ts),
// and holds it until told (flag[1]) or `maxMs` after it took it.
import { TAIL } from "../../queue/_layout.ts";
import { CLOSED, LOCKED, POSITION, releaseTurn } from "../../queue/_turn.ts";

/**
 * flag[2]: 2 once TAIL is held, 3 if the segment was closed first;
 * flag[3], when `flag` has it: 1 once this thread runs (its start done).
 */
export function grab(
  seg: { buffer: SharedArrayBuffer; byteOffset: number },
  flag: Int32Array,
  maxMs: number,
): string {
  const h = new Int32Array(seg.buffer, seg.byteOffset, 96);
  if (flag.length > 3) {
    Atomics.store(flag, 3, 1);
    Atomics.notify(flag, 3);
  }
  if (Atomics.wait(flag, 0, 0, 30_000) === "timed-out") return "never told";
  let locked = 0;
  for (;;) {
    const v = Atomics.load(h, TAIL);
    if ((v & CLOSED) !== 0) {
      Atomics.store(flag, 2, 3);
      Atomics.notify(flag, 2);
      return "closed first";
    }
    if ((v & LOCKED) !== 0) continue;
    if (Atomics.compareExchange(h, TAIL, v, v | LOCKED) === v) {
      locked = v | LOCKED;
      break;
    }
  }
  Atomics.store(flag, 2, 2);
  Atomics.notify(flag, 2);
  const stop = performance.now() + maxMs;
  while (Atomics.load(flag, 1) === 0) {
    const left = stop - performance.now();
    if (left <= 0) break;
    Atomics.wait(flag, 1, 0, left);
  }
  // released as a put that moved nothing (keeps CLOSED, set meanwhile)
  const v = Atomics.load(h, TAIL);
  releaseTurn(h, TAIL, v, locked & POSITION, 0, 0, 0, 0);
  return "held";
}
