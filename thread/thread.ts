// Copyright 2026 the threadkit authors. MIT license.
/**
 * {@linkcode Thread}: a function running on its own worker, with its result
 * or error coming back to the thread that started it.
 * @module
 */

import { RuntimeError, TimeoutError } from "../_core/errors.ts";
import { defineInspect } from "../_core/inspect.ts";
import {
  type Descriptor,
  registerTransfer,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { waitAsync, waitOptions, waitSync } from "../_core/wait.ts";
import { messageReady, takeMessage } from "../_core/adapter.ts";
import type { Outcome } from "../_core/outcome.ts";
import { readResult } from "../_core/spare_block.ts";
import {
  cancelRequestedFor,
  currentIdent,
  endEntry,
  entryAlive,
  type EntryInfo,
  entryInfo,
  entryName,
  nextNameNumber,
  requestCancel,
  runtime,
  tidIndex,
} from "../_core/runtime.ts";
import { targetName } from "../_core/target.ts";
import { reportException } from "./_hook.ts";
import { hooks, owned, threadHandle } from "./_handles.ts";
import type {
  JoinOptions,
  ModuleTarget,
  ThreadFunction,
  ThreadOptions,
  ThreadResult,
} from "./_types.ts";
import { checkOptions } from "./_types.ts";
import { type HeldName, newerName, renamed, startThread } from "./_start.ts";
import { decodePosted, type Died, failure, stopped } from "./_death.ts";

export {
  type JoinOptions,
  type ModuleTarget,
  moduleTarget,
  type ResourceLimits,
  type ThreadFunction,
  type ThreadOptions,
  type ThreadResult,
} from "./_types.ts";

// Thread life, as the starting thread sees it:
// new     -start()->                         started (entry LIVE in the table)
// started -target returns or throws->        outcome posted on the port, then
//                                            entry TID = 0 + notify (joiners wake)
// started -dies outside its target-> "died" posted, TID = 0 + notify, by the
//          thread (thread/_worker.ts) or by a watcher/failure event (OOM)
// started -join()/joinAsync()/done ping/failure event-> ended (outcome
//          collected, port closed; a death becomes a ThreadExitError)
// Reporting: see excepthook.ts (once, unless a pending join takes it).
// A foreign handle (enumerate(), currentThread(), args) has no result.

const TAG = "threadkit.Thread";
let adopting: EntryInfo | undefined;

// The threads this thread started (owned) and handles of others (foreign)
// live in thread/_handles.ts; the non-daemon owned ones are what a worker
// waits for before it exits (Python threads outlive their starter).

/**
 * A thread of control: a target function run on its own worker, sharing
 * memory with the thread that started it through threadkit primitives.
 *
 * After `start()`, `join()` blocks the calling thread until the target
 * returns; `await joinAsync()` waits without blocking the event loop and
 * resolves to the target's result or rejects with what it threw. A daemon
 * thread does not keep the process alive; the process exits by itself once
 * every non-daemon thread has ended.
 *
 * Python: `threading.Thread`.
 *
 * Differences from Python:
 * - The target is a module export or a self-contained function (sent as
 *   source); subclassing to override `run()` is not supported.
 * - The result and error come back: `result`, `error`, `joinAsync()`.
 * - `join()` returns whether the thread ended (Python returns None).
 * - A thread's own threads end with it when it dies (README, failures).
 * - `cancel()` requests cooperative cancellation (Python has none).
 * - `ident` is threadkit's own small integer; there is no `native_id`.
 *
 * @example Returning a value
 * ```ts
 * import { Thread } from "@threadkit/threadkit";
 * import assert from "node:assert/strict";
 *
 * const t = new Thread({ target: (a: number, b: number) => a + b, args: [2, 3] });
 * t.start();
 * assert.equal(await t.joinAsync({ timeout: 10_000 }), 5);
 * assert.equal(t.result, 5);
 * ```
 */
export class Thread<F extends ThreadFunction = ThreadFunction> {
  #name: HeldName;
  #daemon: boolean;
  readonly #target: F | ModuleTarget<F> | undefined;
  readonly #args: unknown[];
  #ident: number | undefined;
  #entry = -1;
  #port: MessagePort | undefined;
  #report: MessagePort | undefined; // a watcher's (with resourceLimits)
  #block: Int32Array | undefined; // where a small result may come
  #outcome: Outcome | undefined;
  readonly #foreign: boolean;
  readonly #limits: Record<string, number> | undefined;
  #joining = 0; // pending joinAsync() calls: they take the error, not the hook
  #dead = false; // its end is known to be a death (or a late failure was seen)
  #giveUp: (() => void) | undefined; // gives the args back (start, #failed)

  /**
   * Creates a thread; `start()` runs it.
   * @throws {TypeError} when the target is neither a function nor a module
   * target, or `args` is not an array.
   */
  constructor(options: ThreadOptions<F>) {
    const info = adopting;
    adopting = undefined;
    if (info !== undefined) {
      this.#foreign = true;
      this.#name = { name: info.name };
      this.#daemon = info.daemon;
      this.#ident = info.ident;
      this.#entry = info.entry;
      this.#args = [];
      this.#limits = undefined;
      return;
    }
    this.#foreign = false;
    const { target, args, name, daemon, limits } = checkOptions(options);
    this.#target = target;
    this.#args = args;
    this.#limits = limits;
    this.#daemon = daemon ?? entryInfo(runtime().entry)?.daemon ?? false;
    // An empty name gets the default too, as in Python.
    this.#name = {
      name: name || `Thread-${nextNameNumber()} (${targetName(target)})`,
    };
  }

  /** The thread's name (not unique); renames are seen in every thread. */
  get name(): string {
    const n = this.#ident ? entryName(this.#entry, this.#ident) : undefined;
    return (this.#name = newerName(this.#name, n)).name;
  }

  /**
   * Renames the thread (in every thread that reads its name).
   * @throws {TypeError} when `name` is not a string.
   * @throws {RuntimeError} when the shared heap cannot hold a long name.
   */
  set name(name: string) {
    if (typeof name !== "string") {
      throw new TypeError("Cannot rename thread: name must be a string");
    }
    this.#name = { name, seq: renamed(this.#entry, this.#ident, name) };
  }

  /** The thread's ident, unique in the process; `undefined` before start. */
  get ident(): number | undefined {
    return this.#ident;
  }

  /**
   * Whether this is a daemon thread: one that does not keep the process
   * alive. Settable until `start()`.
   */
  get daemon(): boolean {
    return this.#daemon;
  }

  /**
   * Makes the thread a daemon (or not) before it starts.
   *
   * Python: `Thread.daemon = flag` (also `setDaemon`).
   *
   * @throws {RuntimeError} once the thread was started (as Python).
   * @throws {TypeError} when `daemon` is not a boolean.
   *
   * @example
   * ```ts
   * import { Thread } from "@threadkit/threadkit";
   * import assert from "node:assert/strict";
   *
   * const t = new Thread({ target: () => 1 });
   * t.daemon = true;
   * t.start();
   * assert.throws(() => { t.daemon = false; }, /active thread/);
   * await t.joinAsync({ timeout: 10_000 });
   * ```
   */
  set daemon(daemon: boolean) {
    if (this.#ident !== undefined || this.#foreign) {
      throw new RuntimeError("Cannot set daemon status of active thread");
    }
    if (typeof daemon !== "boolean") {
      throw new TypeError("Cannot set daemon: it must be a boolean");
    }
    this.#daemon = daemon;
  }

  /** The target's return value once the thread ended without error. */
  get result(): ThreadResult<F> | undefined {
    this.#collectIfEnded();
    const o = this.#outcome;
    return o?.ok ? o.value as ThreadResult<F> : undefined;
  }

  /** What the target threw, once the thread ended with an error. */
  get error(): unknown {
    this.#collectIfEnded();
    const o = this.#outcome;
    return o !== undefined && !o.ok ? o.error : undefined;
  }

  /** Whether cancellation of this thread was requested. */
  get cancelled(): boolean {
    return this.#ident !== undefined &&
      cancelRequestedFor(this.#entry, this.#ident);
  }

  /**
   * Starts the thread. It is alive from now until its target returns.
   *
   * Python: `threading.Thread.start`.
   *
   * @throws {RuntimeError} when started twice, or too many threads are alive.
   * @throws {TypeError} when the args cannot be sent to a thread.
   */
  start(): void {
    if (this.#ident !== undefined || this.#foreign) {
      throw new RuntimeError(
        "Cannot start thread: threads can only be started once",
      );
    }
    const started = startThread(
      this.#name.name,
      this.#daemon,
      this.#target!,
      this.#args,
      this.#limits,
      {
        done: () => this.#collect(true),
        failed: (error, code) => this.#failed(error, code),
      },
    );
    this.#ident = started.ident;
    this.#entry = started.entry;
    this.#name = { name: this.#name.name, seq: started.nameSeq };
    this.#port = started.port;
    this.#report = started.report;
    this.#block = started.block;
    this.#giveUp = started.giveUp;
    owned.set(started.ident, this as Thread);
  }

  /**
   * Whether the thread is alive: started and its target not yet ended.
   *
   * Python: `threading.Thread.is_alive`.
   */
  isAlive(): boolean {
    if (this.#ident === undefined) return false;
    return entryAlive(this.#entry, this.#ident);
  }

  /**
   * Blocks the calling thread until this thread ends (`mainThread()`: once
   * its code is done) or the timeout passes. Blocks the event loop: use
   * {@linkcode Thread.prototype.joinAsync} to stay responsive.
   *
   * Python: `threading.Thread.join`.
   *
   * @returns `true` when the thread has ended, `false` on timeout.
   * @throws {RuntimeError} when the thread was not started, or is the
   * calling thread.
   * @throws {RangeError} for a negative or NaN timeout.
   */
  join(options?: JoinOptions): boolean {
    const { view, index, ident, deadline, signal } = this.#joinArgs(options);
    while (Atomics.load(view, index) === ident) {
      // Why no lost wakeup: the ending thread stores 0 in its TID word before
      // notifying it; we wait only while the word still holds the ident.
      if (
        waitSync(view, index, ident, deadline, signal, true, "join") ===
          "timed-out"
      ) {
        if (Atomics.load(view, index) === ident) return false;
      }
    }
    this.#collect(false);
    return true;
  }

  /**
   * Waits for this thread to end without blocking the event loop.
   *
   * Python: none (`join` plus the result).
   *
   * @returns a promise of the target's result; it rejects with what the
   * target threw.
   * @throws {TimeoutError} (rejects) when the timeout passes first.
   * @throws {RuntimeError} (rejects) when the thread was not started.
   */
  async joinAsync(options?: JoinOptions): Promise<ThreadResult<F>> {
    const { view, index, ident, deadline, signal } = this.#joinArgs(options);
    this.#joining++;
    try {
      while (Atomics.load(view, index) === ident) {
        // Why no lost wakeup: as in join().
        const outcome = await waitAsync(view, index, ident, deadline, signal);
        if (outcome === "timed-out" && Atomics.load(view, index) === ident) {
          throw new TimeoutError(
            `Cannot join thread "${this.#name.name}": it did not end within ${options?.timeout} ms`,
          );
        }
      }
      this.#collect(false);
      if (this.#outcome === undefined && this.#port !== undefined) {
        // Browsers read the result port through the event loop only.
        await messageReady(this.#port, deadline);
        this.#collect(false);
      }
    } finally {
      this.#joining--;
    }
    const o = this.#outcome;
    if (o === undefined) return undefined as ThreadResult<F>;
    if (!o.ok) throw o.error;
    return o.value as ThreadResult<F>;
  }

  /**
   * Requests cooperative cancellation: the thread's threadkit waits throw
   * {@linkcode CancelledError} from now on (a blocked wait within 50 ms), and
   * `currentThread().cancelled` turns true inside it. Code that never waits
   * or checks is not interrupted. A no-op for a thread that has ended.
   *
   * Python: none.
   *
   * @throws {RuntimeError} when the thread was not started.
   */
  cancel(): void {
    if (this.#ident === undefined) {
      throw new RuntimeError("Cannot cancel thread: it was not started");
    }
    requestCancel(this.#entry, this.#ident);
  }

  /** @ignore Describes the thread for another thread (it arrives as a handle). */
  [TO_DESCRIPTOR](): Descriptor {
    if (this.#ident === undefined) {
      throw new TypeError(
        `Cannot send thread "${this.#name.name}" to another thread: it was not started`,
      );
    }
    const info: EntryInfo = {
      ident: this.#ident,
      entry: this.#entry,
      name: this.name,
      daemon: this.#daemon,
    };
    return { tag: TAG, buffer: runtime().buffer, byteOffset: 0, extra: info };
  }

  #joinArgs(options: JoinOptions | undefined) {
    const ident = this.#ident;
    if (ident === undefined) {
      throw new RuntimeError("Cannot join thread: it was not started");
    }
    if (ident === currentIdent()) {
      throw new RuntimeError("Cannot join current thread");
    }
    const { deadline, signal } = waitOptions(options, undefined, "join thread");
    return {
      view: runtime().view,
      index: tidIndex(this.#entry),
      ident,
      deadline,
      signal,
    };
  }

  #collectIfEnded(): void {
    if (
      this.#outcome === undefined && this.#port !== undefined && !this.isAlive()
    ) {
      this.#collect(false);
    }
  }

  // Takes the outcome off the spare's block or the port. The thread writes
  // or posts it before it frees its TID word, so once a joiner saw the word
  // change, it is there (in one of the two: _core/spare_block.ts).
  #collect(report: boolean): void {
    const port = this.#port;
    if (this.#outcome !== undefined || port === undefined) return;
    void this.name; // its last name: in its entry, or with the outcome
    const shared = this.#block && readResult(this.#block);
    if (shared !== undefined) {
      this.#name = newerName(this.#name, shared.final);
      return this.#settle({ ok: true, value: shared.value }, report);
    }
    const received = takeMessage(port) ??
      (this.#report && takeMessage(this.#report));
    if (received === undefined) {
      // Only a death from failed(): threads post before they free the entry.
      if (this.#limits === undefined || this.isAlive()) return;
      return this.#settle({ ok: false, error: stopped(this.name) }, report);
    }
    const posted = received.message as (Outcome | Died) & { final?: HeldName };
    this.#name = newerName(this.#name, posted.final);
    if ("died" in posted) this.#dead = true;
    this.#settle(decodePosted(posted, this.#name.name), report);
  }

  // The worker failed ("error" event) or exited with a code other than 0.
  // If the thread did not record its death itself, record it here. Why no
  // lost wakeup for joiners: see endEntry (write, then notify).
  #failed(error: unknown, code: number | undefined): void {
    this.#giveUp?.(); // unless the thread decoded its args (claim.ts)
    void this.name; // its last name, before endEntry lets a start take it
    endEntry(this.#entry, this.#ident!);
    this.#collect(true);
    const dead = this.#dead;
    this.#dead = true;
    const failed = failure(this.#name.name, error, code);
    if (this.#outcome === undefined) {
      this.#settle({ ok: false, error: failed }, true);
    } else if (!dead && error !== undefined) {
      // The target had ended: report the late failure once, as Python would
      // (Node follows an "error" event with a non-zero "exit").
      reportException(error, this as Thread);
    }
  }

  static {
    defineInspect(Thread, (t) => ({
      name: t.name,
      ident: t.#ident,
      state: t.#ident === undefined
        ? "initial"
        : t.isAlive()
        ? "started"
        : "stopped",
      daemon: t.#daemon,
    }));
    hooks.adopt = (info) => {
      adopting = info;
      return new Thread(undefined as never);
    };
    hooks.adoptNext = (info) => {
      adopting = info;
    };
    hooks.port = (handle) => (handle as Thread).#port;
    hooks.awaitEnd = async (handle) => {
      const thread = handle as Thread;
      const view = runtime().view;
      const index = tidIndex(thread.#entry);
      const ident = thread.#ident!;
      while (Atomics.load(view, index) === ident) {
        // Uninterruptible: a cancel of this thread (its target is done) must
        // not cut short the wait for the threads it started.
        await waitAsync(view, index, ident, Infinity, undefined, false);
      }
      thread.#collect(true);
      // A thread that died outside its target never posts an outcome.
      if (thread.#outcome === undefined) owned.delete(ident);
    };
  }

  #settle(outcome: Outcome, report: boolean): void {
    this.#outcome = outcome;
    this.#giveUp = undefined; // the thread took its args, or gave them up
    this.#port?.close();
    this.#port = undefined;
    this.#report?.close();
    this.#report = undefined;
    this.#block = undefined;
    owned.delete(this.#ident!);
    if (!outcome.ok && report && this.#joining === 0) {
      reportException(outcome.error, this as Thread);
    }
  }
}

registerTransfer(TAG, (d) => threadHandle(d.extra as EntryInfo));
