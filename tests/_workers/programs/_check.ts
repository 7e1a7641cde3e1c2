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

/**
 * The program's argument "<name>=<n>" as a number, `full` when there is
 * none: a size the test passes smaller on Node and Bun (stressSize in
 * tests/_helpers.ts), the program's default being its Deno size.
 */
export function numberArg(name: string, full: number): number {
  const g = globalThis as {
    Deno?: { args: string[] };
    process?: { argv: string[] };
  };
  const args = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
  const arg = args.find((a) => a.startsWith(`${name}=`));
  return arg === undefined ? full : Number(arg.slice(name.length + 1));
}
