// Copyright 2026 the threadkit authors. MIT license.
// The calling thread's excepthook. Kept apart from excepthook.ts (the public
// module) so thread.ts can report through it without importing a module that
// imports thread.ts: imports run one way, excepthook.ts -> thread.ts ->
// _hook.ts. The hook's argument is generic here; excepthook.ts gives it the
// public type.

import { currentIdent } from "../_core/runtime.ts";

/** What a hook is told; `thread` is the Thread the error ended. */
export interface HookArgs<T> {
  readonly error: unknown;
  readonly thread: T;
  readonly excType: unknown;
  readonly excValue: unknown;
  readonly excTraceback: string | undefined;
}

/**
 * The default report: "Exception in thread NAME:" and the stack, on stderr.
 * With no thread, or one without a name (a direct call of
 * defaultExcepthook; Python passes thread=None), it names the calling
 * thread's ident, as CPython's hook does (get_ident()).
 */
export function defaultHook(
  { error, thread }: {
    readonly error: unknown;
    readonly thread?: { readonly name?: string } | null;
  },
): void {
  const text = error instanceof Error
    ? (error.stack ?? `${error.name}: ${error.message}`)
    : String(error);
  const who = thread?.name ?? currentIdent();
  console.error(`Exception in thread ${who}:\n${text}`);
}

/** A hook over any thread handle type. */
// deno-lint-ignore no-explicit-any
type Hook = (args: HookArgs<any>) => void;

let hook: Hook = defaultHook;

/** Replaces the calling thread's hook (undefined restores the default). */
export function setHook(replacement: Hook | undefined): void {
  hook = replacement ?? defaultHook;
}

/** Reports an error that ended `thread` through the current hook. */
export function reportException<T extends { name: string }>(
  error: unknown,
  thread: T,
): void {
  try {
    hook({
      error,
      thread,
      excType: typeof error === "object" && error !== null
        ? error.constructor
        : undefined,
      excValue: error,
      excTraceback: error instanceof Error ? error.stack : undefined,
    });
  } catch (hookError) {
    // Python prints the hook's own failure; so do we.
    console.error("Exception in threadkit excepthook:", hookError);
  }
}
