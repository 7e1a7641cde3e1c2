// Copyright 2026 the threadkit authors. MIT license.
// What the heap programs share: their check line, and gc() where the
// runtime exposes it (Deno and Node with --expose-gc, Bun always).

/** Prints "ok <what>", or throws (exit code 1) when `ok` is false. */
export function check(what: string, ok: boolean, detail: unknown = ""): void {
  if (!ok) throw new Error(`${what}: failed ${String(detail)}`);
  console.log(`ok ${what}`);
}

/** The runtime's gc(); throws when it is not exposed. */
export function exposedGc(): () => void {
  const g = globalThis as unknown as {
    gc?: () => void;
    Bun?: { gc(force: boolean): void };
  };
  const gc = g.gc ?? (g.Bun ? () => g.Bun!.gc(true) : undefined);
  if (gc === undefined) throw new Error("run with gc exposed (--expose-gc)");
  return gc;
}
