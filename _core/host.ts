// Copyright 2026 the threadkit authors. MIT license.
// Part of the runtime adapter (_core/adapter.ts re-exports it; kept apart to
// keep the adapter within its size): what a thread can do with no worker
// involved, whether it may block and how a timer is ref'd.

interface DenoTimers {
  refTimer?(id: number): void;
  unrefTimer?(id: number): void;
}

/**
 * Whether this thread may block in Atomics.wait: false on a browser page's
 * main thread (detected once, by trying a wait that returns at once).
 */
export const CAN_BLOCK: boolean = (() => {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/**
 * Refs (`on`) or unrefs a long-lived interval, so it keeps the process alive
 * only while needed. Returns false where timers cannot be unref'd (browsers:
 * nothing keeps a page alive anyway), and the caller clears the timer.
 */
export function refTimer(
  timer: ReturnType<typeof setInterval>,
  on: boolean,
): boolean {
  // Node and Bun: a Timeout object with ref()/unref().
  const t = timer as unknown as { ref?(): void; unref?(): void };
  if (typeof t?.ref === "function") {
    if (on) t.ref();
    else t.unref!();
    return true;
  }
  // Deno: a numeric id and Deno.refTimer/unrefTimer.
  const deno = (globalThis as unknown as { Deno?: DenoTimers }).Deno;
  if (typeof deno?.refTimer === "function") {
    if (on) deno.refTimer(timer as unknown as number);
    else deno.unrefTimer!(timer as unknown as number);
    return true;
  }
  return false;
}
