// Copyright 2026 the threadkit authors. MIT license.
// A thread standing inside a submit's gate (pool/_close.ts) for
// tests/pool/close_test.ts: it sets its gate word, says so, waits until a
// close has stored the new STATE, then does what a submit does after its
// STATE check (hands slot `s` to a parked record), and leaves the gate.

import { type Event, Thread } from "../../mod.ts";
import { runtime } from "../../_core/runtime.ts";
import { Block, GATED, OPEN, S_STATE, STATE } from "../../pool/_layout.ts";
import { handOff } from "../../pool/_park.ts";

/**
 * Returns whether the hand-off went to a parked record. `shared`: stands in
 * the shared gate count instead of its entry's gate word (as a submit does
 * when that word is taken).
 */
export function handOffInGate(
  buffer: SharedArrayBuffer,
  ready: Event,
  s: number,
  shared = false,
): boolean {
  const b = new Block(buffer), { v } = b;
  const { entry, ident } = runtime();
  const gate = b.gate(entry);
  if (shared) Atomics.add(v, GATED, 1);
  else Atomics.store(v, gate, ident);
  ready.set();
  // The close stores STATE before it looks at the gates (and never
  // notifies it): look again every millisecond, for 30 s at most.
  const until = performance.now() + 30_000;
  while (Atomics.load(v, STATE) === OPEN) {
    if (performance.now() > until) throw new Error("no close within 30 s");
    Atomics.wait(v, STATE, OPEN, 1);
  }
  const handed = handOff(b, s, Atomics.load(v, b.slot(s) + S_STATE));
  if (shared) Atomics.sub(v, GATED, 1);
  else Atomics.store(v, gate, 0);
  return handed;
}

/**
 * The same from leftover work of the thread's event loop, after its target
 * has returned (the thread has ended, its entry is freed, and it still
 * runs: ended is not stopped). Its event loop keeps turning while a child
 * thread it started runs (until `hold` is set: a thread waits for its own
 * threads before its worker goes). `done` is set once the hand-off is made.
 */
export function handOffInGateAfterReturn(
  buffer: SharedArrayBuffer,
  ready: Event,
  s: number,
  done: Event,
  hold: Event,
): void {
  new Thread({
    target: (hold: Event) => hold.wait({ timeout: 60_000 }),
    args: [hold],
  }).start();
  setTimeout(() => {
    handOffInGate(buffer, ready, s);
    done.set();
  }, 0);
}
