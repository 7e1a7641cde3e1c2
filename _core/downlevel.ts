// Copyright 2026 the threadkit authors. MIT license.
// TypeScript's helpers for downlevelled `using` / `await using`, in scope for
// function targets (thread/_target.ts). A function target travels as its
// source text. Compiled by TypeScript for a runtime without `using` (target
// < ESNext: Node 20, and threadkit's own npm build), its body calls
// `__addDisposableResource` and `__disposeResources`, which TypeScript
// defines at the top of the compiled file, out of reach of the thread. The
// thread provides the same functions, so such a target runs as it does
// uncompiled. Ported from tslib (0BSD), behaviour unchanged.

interface Resource {
  value?: unknown;
  dispose?: () => unknown;
  async: boolean;
}

interface Env {
  stack: Resource[];
  error: unknown;
  hasError: boolean;
}

/** The helpers by name; names are the ones TypeScript's emit uses. */
export const DOWNLEVEL_HELPERS: Readonly<Record<string, unknown>> = {
  __addDisposableResource,
  __disposeResources,
};

function __addDisposableResource<T>(env: Env, value: T, async: boolean): T {
  if (value !== null && value !== undefined) {
    if (typeof value !== "object" && typeof value !== "function") {
      throw new TypeError("Object expected.");
    }
    const v = value as Record<symbol, unknown>;
    let dispose: unknown;
    let inner: unknown;
    if (async) dispose = v[Symbol.asyncDispose];
    if (dispose === undefined) {
      dispose = v[Symbol.dispose];
      if (async) inner = dispose;
    }
    if (typeof dispose !== "function") {
      throw new TypeError("Object not disposable.");
    }
    if (inner) {
      const sync = inner as (this: unknown) => void;
      dispose = function (this: unknown) {
        try {
          sync.call(this);
        } catch (e) {
          return Promise.reject(e);
        }
      };
    }
    env.stack.push({ value, dispose: dispose as () => unknown, async });
  } else if (async) {
    env.stack.push({ async: true });
  }
  return value;
}

function __disposeResources(env: Env): Promise<void> | void {
  const fail = (e: unknown) => {
    env.error = env.hasError
      ? suppressed(e, env.error, "An error was suppressed during disposal.")
      : e;
    env.hasError = true;
  };
  let r: Resource | undefined;
  let s = 0;
  const next = (): Promise<void> | void => {
    while ((r = env.stack.pop())) {
      try {
        if (!r.async && s === 1) {
          s = 0;
          env.stack.push(r);
          return Promise.resolve().then(next);
        }
        if (r.dispose) {
          const result = r.dispose.call(r.value);
          if (r.async) {
            s |= 2;
            return Promise.resolve(result).then(next, (e) => {
              fail(e);
              return next();
            });
          }
        } else s |= 1;
      } catch (e) {
        fail(e);
      }
    }
    if (s === 1) {
      return env.hasError ? Promise.reject(env.error) : Promise.resolve();
    }
    if (env.hasError) throw env.error;
  };
  return next();
}

function suppressed(error: unknown, suppressed: unknown, message: string) {
  const Native = (globalThis as {
    SuppressedError?: new (e: unknown, s: unknown, m: string) => Error;
  }).SuppressedError;
  if (Native !== undefined) return new Native(error, suppressed, message);
  const e = new Error(message) as Error & {
    error: unknown;
    suppressed: unknown;
  };
  e.name = "SuppressedError";
  e.error = error;
  e.suppressed = suppressed;
  return e;
}
