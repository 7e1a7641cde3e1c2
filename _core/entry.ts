// Copyright 2026 the threadkit authors. MIT license.
// The worker entry named by the user, for bundles (see setWorkerEntry). Kept
// apart from adapter.ts so that the public declarations that export it do
// not reach the adapter's, which name node:worker_threads types.
//
// Its state is one object per thread (threadState, _core/host.ts): a worker
// runs this file twice, once inside the bundled worker entry
// (thread/_worker_bundle.js, which sets the override it inherits) and once
// as a module of the package (which the adapter reads).

import { threadState } from "./host.ts";

interface EntryState {
  override: URL | undefined;
  changed: (() => void) | undefined;
}
const state: EntryState = threadState("entry", () => ({
  override: undefined,
  changed: undefined,
}));

/**
 * Names the file threads start in, for a bundle whose bundler does not
 * follow `new Worker(new URL(...), { type: "module" })` (esbuild): bundle
 * threadkit's worker entry, `threadkit/worker` (`thread/_worker.js`), as an
 * entry point of its own and give its URL here, once, before the first
 * thread starts. Threads started by threads inherit it. Not needed on Deno,
 * Node, Bun, unbundled browser code, or with Vite and webpack.
 * `setWorkerEntry(undefined)` goes back to the default entry. Spare workers
 * (`prestartThreads`) serve the entry they were started on: after a change,
 * those on the old entry are stopped and new ones start on the new entry.
 *
 * @example esbuild: `esbuild app.js _worker=node_modules/threadkit/thread/_worker.js --bundle --splitting --format=esm --outdir=dist`
 * ```ts ignore
 * import { setWorkerEntry } from "threadkit";
 *
 * setWorkerEntry(new URL("./_worker.js", import.meta.url));
 * ```
 * @throws {TypeError} when `url` is not an absolute URL.
 */
export function setWorkerEntry(url: string | URL | undefined): void {
  if (url === undefined) state.override = undefined;
  else {
    try {
      state.override = new URL(url);
    } catch (cause) {
      throw new TypeError(
        `Cannot set worker entry: "${url}" is not an absolute URL`,
        { cause },
      );
    }
  }
  state.changed?.();
}

/** Calls `f` after every setWorkerEntry (the spares, _core/spare.ts). */
export function onEntryChange(f: () => void): void {
  state.changed = f;
}

/** The entry set with {@linkcode setWorkerEntry}, if any. */
export function workerEntry(): URL | undefined {
  return state.override;
}
