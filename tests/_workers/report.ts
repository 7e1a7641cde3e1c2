// Copyright 2026 the threadkit authors. MIT license.
// Module targets that report what the thread functions say from inside a
// thread and from inside a thread started by a thread.
import {
  activeCount,
  currentThread,
  enumerate,
  getIdent,
  mainThread,
  Thread,
} from "../../mod.ts";

/** What a thread sees of itself and of the others. */
export interface Report {
  ident: number;
  current: number | undefined;
  name: string;
  main: number | undefined;
  names: string[];
  count: number;
}

/** Reports from the calling thread. */
export function report(): Report {
  return {
    ident: getIdent(),
    current: currentThread().ident,
    name: currentThread().name,
    main: mainThread().ident,
    names: enumerate().map((t) => t.name),
    count: activeCount(),
  };
}

/** Waits until gate[0] turns 1 (bounded), then reports. */
export function inner(gate: Int32Array): Report {
  Atomics.wait(gate, 0, 0, 20_000);
  return report();
}

/** Starts "inner", reports, and returns both reports. */
export async function outer(
  gate: Int32Array,
): Promise<{ mine: Report; theirs: Report }> {
  const t = new Thread({
    name: "inner",
    target: { module: import.meta.url, export: "inner" },
    args: [gate],
  });
  t.start();
  const mine = report();
  const theirs = await t.joinAsync({ timeout: 20_000 }) as Report;
  return { mine, theirs };
}
