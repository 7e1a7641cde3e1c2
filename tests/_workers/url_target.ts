// Copyright 2026 the threadkit authors. MIT license.
// Module targets for the by-URL program (programs/url_import.ts): served over
// http with the package, they import it by the same relative path a user's
// module would, so the thread and the program share one copy of threadkit.
import { currentThread, type Lock, type Queue, Thread } from "../../mod.ts";

/** Adds under the lock and reports the sum and whether it ran as a daemon. */
export function add(lock: Lock, a: number, b: number): [number, boolean] {
  lock.acquire({ timeout: 20_000 });
  try {
    return [a + b, currentThread().daemon];
  } finally {
    lock.release();
  }
}

/**
 * Starts a thread of the other daemon kind from inside this thread (a source
 * target), which puts its daemon flag on `q`; resolves to what it returned.
 */
export async function nested(q: Queue<boolean>): Promise<string> {
  const inner = new Thread({
    target: (q: Queue<boolean>) => {
      q.put(currentThread().daemon, { timeout: 20_000 });
      return "inner done";
    },
    args: [q],
    daemon: !currentThread().daemon,
  });
  inner.start();
  return await inner.joinAsync({ timeout: 20_000 });
}
