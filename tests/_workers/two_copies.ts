// Copyright 2026 the threadkit authors. MIT license.
// A thread with two copies of the package (tests/thread/entry_bundle_test.ts):
// this module's (the one the worker entry belongs to) and a copy under
// another root (another version, an npm and a JSR copy), loaded second.
import { currentThread, type Event, Thread } from "../../mod.ts";

/**
 * Loads the copy at `copy`, starts and joins a thread with this module's
 * package, and says whether each copy's currentThread() is its own class.
 */
export async function identities(copy: string): Promise<boolean[]> {
  const B = await import(copy) as { currentThread(): unknown; Thread: never };
  const t = new Thread({ target: () => 1 });
  t.start();
  await t.joinAsync({ timeout: 30_000 });
  return [
    currentThread() instanceof Thread,
    B.currentThread() instanceof B.Thread,
  ];
}

/**
 * Loads the copy at `copy`, starts a non-daemon thread with this module's
 * package that sets `done` once `go` is set, and returns at once: the worker
 * must stay until that thread has ended.
 */
export async function leaveChild(
  copy: string,
  go: Event,
  done: Event,
): Promise<number> {
  await import(copy);
  const child = new Thread({
    args: [go, done],
    target: (go: Event, done: Event) => {
      if (go.wait({ timeout: 20_000 })) done.set();
    },
  });
  child.start();
  return child.ident!;
}
