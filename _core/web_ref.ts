// Copyright 2026 the threadkit authors. MIT license.
// The ref/unref of a Deno web Worker, for the main thread's end
// (_core/lifetime.ts, holdOnMain in _core/adapter.ts). Part of the runtime
// adapter, split off to keep each file short; nothing else uses it.

// Deno's web Worker has no public ref()/unref() (PLATFORM.md), but Deno
// 2.9.6 has one inside: a method under an unexported symbol, ref(true) and
// unref(false) with a count, that refs or unrefs the worker's pending message
// and control ops (as its node:worker_threads Worker does). It is found by
// its shape (the one method of one parameter under a symbol without a
// description on Worker.prototype) and by what it does (its source names
// the op-promise unref and the ref count: `[R](t){if(t){this.#refCount++}
// ... e.unrefOpPromise(this.#controlPromise) ...}` on 2.9.6), so that a
// method of the same shape that does something else is never called
// (tests/thread/main_end_test.ts checks it is found). Where it is not, the
// worker stays ref'd from its start, as before: the main thread then ends
// only once such threads have ended.
export function webWorkerRef(
  worker: Worker,
): { ref(): void; unref(): void } | undefined {
  const method = webRefKey ??= findWebRef();
  if (method === null) return undefined;
  const call = (worker as unknown as Record<symbol, (on: boolean) => void>)[
    method
  ].bind(worker);
  return { ref: () => call(true), unref: () => call(false) };
}
let webRefKey: symbol | null | undefined;

/**
 * The key of Deno's internal web Worker ref method on `proto`, or null (see
 * webWorkerRef). Exported for tests only.
 */
export function findWebRef(
  proto: object | undefined = (globalThis as { Worker?: { prototype: object } })
    .Worker?.prototype,
): symbol | null {
  if (proto === undefined) return null;
  const methods = proto as Record<symbol, unknown>;
  // A loop, not filter (whose species a program can replace: this runs
  // at a thread's first start, inside Thread.start()).
  const keys = Object.getOwnPropertySymbols(proto), found: symbol[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (
      key.description === undefined && typeof methods[key] === "function" &&
      (methods[key] as (on: boolean) => void).length === 1
    ) found[found.length] = key;
  }
  if (found.length !== 1) return null;
  let source: string;
  try {
    source = Function.prototype.toString.call(methods[found[0]]);
  } catch {
    return null;
  }
  return source.includes("unrefOpPromise") && source.includes("refCount")
    ? found[0]
    : null;
}

/** Whether a Deno web worker can be unref'd here (see webWorkerRef). */
export function webWorkersUnref(): boolean {
  return "Deno" in globalThis && (webRefKey ??= findWebRef()) !== null;
}
