// Copyright 2026 the threadkit authors. MIT license.
// Barrier's action (sync/barrier.ts): a function run once per round by the
// last thread to arrive. Kept apart from the barrier's state machine.
//
// Functions cannot cross threads, and the last thread to arrive (which runs
// the action, as in Python) may be any thread, blocked in a synchronous
// wait. So the action is a self-contained function, sent as source text like
// a Thread's function target, compiled synchronously (new Function) in
// whichever thread needs it, with threadkit's exports in scope (loaded
// through _core/scope.ts as soon as a barrier with an action exists in a
// thread) and `actionArgs` (which travel like thread args) as its
// arguments. Every thread compiles the same source text, so a captured
// variable fails the same way everywhere. Module targets are not accepted:
// importing one is asynchronous and a blocking wait cannot await it.

import { noPorts } from "../_core/ports.ts";
import {
  type AnyFunction,
  checkTarget,
  compileSource,
  explainMissing,
  type WireTarget,
  wireTarget,
} from "../_core/target.ts";
import { loadedScope, loadScope } from "../_core/scope.ts";
import type { SharedPlacement } from "../_core/placement.ts";

/** Options of `Barrier` (sync/barrier.ts). */
export interface BarrierOptions<
  // deno-lint-ignore no-explicit-any
  F extends (...args: any[]) => unknown = (...args: any[]) => unknown,
> extends SharedPlacement {
  /**
   * Runs once per generation, in the last thread to arrive, before any waiter
   * is released. A self-contained function: it is sent as source text and
   * cannot use variables of its enclosing scope (threadkit's exports are in
   * scope; pass the rest in `actionArgs`). Its return value is ignored.
   */
  action?: F;
  /** Arguments for `action`; threadkit primitives arrive as themselves. */
  actionArgs?: Parameters<F>;
  /** Default timeout (ms) of `wait()`; default: none. */
  timeout?: number;
}

/** A Barrier descriptor's extra: what is immutable and not in shared memory. */
export interface Extra {
  timeout: number | null;
  action: WireTarget | null;
  actionArgs: unknown;
}

/** A barrier's action in this thread: its wire form, args and compilation. */
export class Action {
  readonly wire: WireTarget;
  readonly args: unknown[];
  #compiled: AnyFunction | undefined;

  /** An action arrived from another thread (or just checked). */
  constructor(wire: WireTarget, args: unknown[]) {
    this.wire = wire;
    this.args = args;
    // Starts loading the package's names (see _core/scope.ts); an action
    // compiled before they arrive sees only the globals.
    loadScope().catch(() => {});
  }

  /**
   * Checks a barrier's `action` and `actionArgs` options.
   * @throws {TypeError} for a bad function or args that are not an array.
   */
  static of(action: unknown, args: unknown): Action | undefined {
    if (action !== undefined) {
      checkTarget(action, "Cannot create barrier: action", false);
    }
    if (!Array.isArray(args)) {
      throw new TypeError("Cannot create barrier: actionArgs must be an array");
    }
    if (action === undefined) return undefined;
    noPorts(
      args,
      "barrier: actionArgs",
      "they go to every thread it is given to",
    );
    return new Action(wireTarget(action as AnyFunction), args);
  }

  /** Runs the action; what it throws, explained if it captured a name. */
  run(): void {
    const action = this.wire;
    if (action.kind !== "source") return;
    // Compiled once the package's names are loaded; a run before that (a
    // blocking last arrival straight after creation) compiles without them
    // and does not keep the result.
    const scope = loadedScope();
    const compiled = this.#compiled ??
      compileSource(action.source, action.name, scope ?? {});
    if (scope !== undefined) this.#compiled = compiled;
    try {
      compiled(...this.args);
    } catch (error) {
      throw explainMissing(
        error,
        `Barrier action "${action.name || "anonymous"}"`,
      );
    }
  }
}
