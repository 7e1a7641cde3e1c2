// Copyright 2026 the threadkit authors. MIT license.
/**
 * Functions about the running threads: {@linkcode currentThread},
 * {@linkcode mainThread}, {@linkcode getIdent}, {@linkcode enumerate} and
 * {@linkcode activeCount}. They read the thread table in shared memory, so
 * they give the same answers from every thread.
 * @module
 */

import {
  currentIdent,
  type EntryInfo,
  entryInfo,
  liveEntries,
  runtime,
} from "../_core/runtime.ts";
import type { Thread } from "./thread.ts";
import { pruneHandles, threadHandle as handle } from "./_handles.ts";
// Sets hooks.timer: a Timer's thread is listed as a Timer (_handles.ts).
import "./timer.ts";

export type {
  JoinOptions,
  ModuleTarget,
  ResourceLimits,
  Thread,
  ThreadFunction,
  ThreadOptions,
  ThreadResult,
} from "./thread.ts";

function threadHandle(info: EntryInfo): Thread {
  return handle(info) as Thread;
}

/**
 * The Thread of the caller: the main thread's handle on the main thread, the
 * thread's own handle inside a started thread.
 *
 * Python: `threading.current_thread`.
 *
 * @example
 * ```ts
 * import { currentThread, getIdent } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(currentThread().ident, getIdent());
 * ```
 */
export function currentThread(): Thread {
  const { entry } = runtime();
  const info = entryInfo(entry);
  if (info === undefined) {
    // Only reachable after this thread's end: a thread's target ended (the
    // entry is freed then, while the worker waits for its own non-daemon
    // threads), or the main thread's code is done (_core/lifetime.ts).
    if (entry === 0) return mainThread();
    return threadHandle({
      ident: currentIdent(),
      entry,
      name: `Thread-${currentIdent()}`,
      daemon: false,
    });
  }
  return threadHandle(info);
}

/**
 * The main thread's handle (ident 1, name "MainThread"), from any thread.
 *
 * The main thread ends when its code is done: once the main module has run
 * and the main thread's event loop has nothing left to do but wait for other
 * threads. From then on `isAlive()` is false, a thread's `join()` of it
 * returns and `joinAsync()` resolves (with `undefined`), and the process
 * waits for the non-daemon threads before it exits (Deno, Node, Bun; in
 * browsers the main thread never ends, and on a Deno without the internal
 * ref of web workers it ends only after its non-daemon threads: README,
 * "Process exit").
 *
 * Python: `threading.main_thread`.
 *
 * Differences from Python:
 * - Once ended, the main thread is not listed by `enumerate()`.
 *
 * @example
 * ```ts
 * import { mainThread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(mainThread().ident, 1);
 * assert.equal(mainThread().name, "MainThread");
 * ```
 */
export function mainThread(): Thread {
  return threadHandle(
    entryInfo(0) ?? { ident: 1, entry: 0, name: "MainThread", daemon: false },
  );
}

/**
 * The calling thread's ident: 1 on the main thread, unique per thread.
 *
 * Python: `threading.get_ident`.
 *
 * @example
 * ```ts
 * import { getIdent, spawn } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getIdent(), 1); // the main thread
 * const t = spawn(() => getIdent());
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), t.ident);
 * ```
 */
export function getIdent(): number {
  return currentIdent();
}

/**
 * Every live thread, the main thread first: threads started by the caller as
 * the caller's own Thread objects, others as handles.
 *
 * Python: `threading.enumerate`.
 *
 * @example
 * ```ts
 * import { enumerate, mainThread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.equal(enumerate()[0], mainThread());
 * ```
 */
export function enumerate(): Thread[] {
  const entries = liveEntries();
  pruneHandles(new Set(entries.map((e) => e.ident)));
  return entries.map(threadHandle);
}

/**
 * How many threads are alive, the main thread included.
 *
 * Python: `threading.active_count`.
 *
 * @example
 * ```ts
 * import { activeCount } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * assert.ok(activeCount() >= 1); // at least the main thread
 * ```
 */
export function activeCount(): number {
  return liveEntries().length;
}

/**
 * The operating system's id of the calling thread (Linux's TID), where the
 * runtime lets threadkit read it: on Linux from `/proc/thread-self`, which
 * needs read permission in Deno (`-R`). `undefined` elsewhere (macOS,
 * Windows, browsers) or without the permission. Each threadkit thread runs
 * on its own OS thread, so two live threads never share a native id.
 *
 * Python: `threading.get_native_id` (Python has it on every major OS).
 *
 * @example
 * ```ts
 * import { getNativeId } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const id = getNativeId();
 * assert.ok(id === undefined || Number.isInteger(id));
 * ```
 */
export function getNativeId(): number | undefined {
  try {
    const link = readLink("/proc/thread-self"); // "PID/task/TID"
    const tid = Number(link?.split("/").pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined; // no /proc, or no read permission
  }
}

// readlink on Deno or Node; undefined where neither API exists.
function readLink(path: string): string | undefined {
  const deno = (globalThis as {
    Deno?: { readLinkSync?(p: string): string };
  }).Deno;
  if (typeof deno?.readLinkSync === "function") return deno.readLinkSync(path);
  const proc = (globalThis as {
    process?: {
      getBuiltinModule?(id: string): { readlinkSync(p: string): string };
    };
  }).process;
  return proc?.getBuiltinModule?.("node:fs")?.readlinkSync(path);
}
