// Copyright 2026 the threadkit authors. MIT license.
// Module targets for tests/queue/stopped_waker_test.ts and
// tests/sync/stopped_waker_test.ts: a thread that stops between a
// primitive's state change and its wake (_core/wait.ts, "A waker that
// stops"). The thread replaces its own `Atomics[method]` so that the wake's
// first step on the primitive's words (`index` of the view at the
// primitive's byteOffset) stops it there, before that step:
// - "overflow": a real stack overflow (RangeError) thrown from that call, as
//   a put made near the stack's limit gets it; the target catches it and
//   goes on, as a caller may;
// - "exit": the thread exits there (process.exit / Deno.exit), as a
//   terminated thread ends at its next call.
// The state change before it (the put's publish, the release's store) is
// the library's own, made by the library's own code.

type Mode = "overflow" | "exit";
type Method = "add" | "notify";

const TO_DESCRIPTOR = Symbol.for("threadkit.toDescriptor");

interface Described {
  [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
}

// Arms the trap; `stopped[0]` becomes 1 when it fires.
function arm(
  p: unknown,
  method: Method,
  index: number,
  mode: Mode,
  stopped: Int32Array,
): void {
  const d = (p as Described)[TO_DESCRIPTOR]();
  const atomics = Atomics as unknown as Record<
    Method,
    (...a: unknown[]) => number
  >;
  const original = atomics[method];
  atomics[method] = function (this: unknown, ...a: unknown[]): number {
    const v = a[0] as Int32Array;
    if (
      a[1] === index && v.buffer === d.buffer && v.byteOffset === d.byteOffset
    ) {
      atomics[method] = original;
      Atomics.store(stopped, 0, 1);
      if (mode === "exit") {
        const g = globalThis as unknown as {
          Deno?: { exit(code: number): never };
          process: { exit(code: number): never };
        };
        if (g.Deno) g.Deno.exit(3);
        g.process.exit(3);
      }
      const deeper = (n: number): number => deeper(n + 1) + 1;
      return deeper(0); // throws RangeError: the stack overflows
    }
    return original.apply(Atomics, a);
  };
}

// Runs `step` with the trap armed; "overflow" returns the RangeError's name,
// or "went on" when the call caught it and returned.
function run(
  p: unknown,
  method: Method,
  index: number,
  mode: Mode,
  stopped: Int32Array,
  step: () => void,
): string {
  arm(p, method, index, mode, stopped);
  try {
    step();
  } catch (error) {
    if (error instanceof RangeError && Atomics.load(stopped, 0) === 1) {
      return "RangeError";
    }
    throw error;
  }
  // Stopped there, and the call went on: its caller caught the overflow
  // and did the step inline (a put's wake after the store: queue/_state.ts
  // "Accepted").
  return Atomics.load(stopped, 0) === 1 ? "went on" : "no stop";
}

interface Putter {
  put(x: unknown): void;
}
interface Getter {
  get(): unknown;
}

/** Puts `item` into `q`, stopping at the wake's first step on `index`. */
export function putThenStop(
  q: Putter,
  item: unknown,
  index: number,
  mode: Mode,
  stopped: Int32Array,
): string {
  return run(q, "add", index, mode, stopped, () => q.put(item));
}

/** Gets one item from `q`, stopping at the wake's first step on `index`. */
export function getThenStop(
  q: Getter,
  index: number,
  mode: Mode,
  stopped: Int32Array,
): string {
  return run(q, "add", index, mode, stopped, () => q.get());
}

/**
 * Calls `p[verb]()` (Event.set, Lock.release, Semaphore.release,
 * RWLock.releaseWrite), stopping at the wake's first step (`method` on
 * `index`). `before` (a verb) runs first, unarmed (acquire the lock to be
 * released); `held[0]` becomes 1 after it, and the call waits for `go[0]`.
 */
export function callThenStop(
  p: Record<string, () => unknown>,
  before: string,
  verb: string,
  method: Method,
  index: number,
  mode: Mode,
  stopped: Int32Array,
  held: Int32Array,
): string {
  if (before !== "") p[before]();
  Atomics.store(held, 0, 1);
  Atomics.notify(held, 0);
  // The test lets go once the sleeper has registered (a bounded wait).
  if (Atomics.wait(held, 1, 0, 20_000) === "timed-out") return "no go";
  return run(p, method, index, mode, stopped, () => p[verb]());
}
