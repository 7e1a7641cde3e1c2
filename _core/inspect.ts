// Copyright 2026 the threadkit authors. MIT license.
// How a primitive shows itself in console.log, Deno.inspect and Node's
// util.inspect: its class name and a snapshot of its state, as Python's repr
// does (`Lock { locked: true }`). One helper, so every class prints the same
// way in both runtimes; each class says which state to show.

const DENO_INSPECT = Symbol.for("Deno.customInspect");
const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

type Inspect = (value: unknown, options?: unknown) => string;

/**
 * Makes instances of `cls` print as `ClassName { ...state(instance) }` in
 * Deno (Deno.inspect, console.log) and Node (util.inspect, console.log). The
 * class name is the instance's own (or `name`), so a subclass prints its name. `state`
 * must not throw: it reads snapshots only.
 */
export function defineInspect<T extends object>(
  cls: { readonly prototype: T },
  state: (self: T) => Record<string, unknown>,
  name?: string,
): void {
  const show = (self: T, text: string) =>
    `${name ?? self.constructor.name} ${text}`;
  Object.defineProperty(cls.prototype, DENO_INSPECT, {
    configurable: true,
    writable: true,
    value(this: T, inspect: Inspect, options: unknown): string {
      return show(this, inspect(state(this), options));
    },
  });
  Object.defineProperty(cls.prototype, NODE_INSPECT, {
    configurable: true,
    writable: true,
    value(this: T, _depth: number, options: unknown, inspect?: Inspect) {
      return show(
        this,
        inspect === undefined
          ? plain(state(this))
          : inspect(state(this), options),
      );
    },
  });
}

// For runtimes that call the Node hook without an inspect function.
function plain(state: Record<string, unknown>): string {
  const parts = Object.entries(state).map(([k, v]) =>
    `${k}: ${typeof v === "string" ? JSON.stringify(v) : String(v)}`
  );
  return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
}
