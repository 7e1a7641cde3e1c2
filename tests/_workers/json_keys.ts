// Copyright 2026 the threadkit authors. MIT license.
// Module targets for tests/values/escaped_keys_test.ts: each poisons this
// thread's JSON.parse first (tests/_json_keys.ts), then reads what it got.

import type { Queue } from "../../mod.ts";
import { poisonJson } from "../_json_keys.ts";

/** Poisons this thread's parser; returns how many texts it parsed. */
export function poison(): number {
  return poisonJson();
}

/** Returns its args as they arrived (an executor's or a Thread's). */
export function echo(...args: unknown[]): unknown[] {
  poisonJson();
  return args;
}

/** Throws an Error whose cause is `cause`. */
export function throwWith(cause: unknown): never {
  poisonJson();
  throw new Error("with cause", { cause });
}

/** Gets `n` items from `q` one by one, then `m` more by getMany. */
export function getAll(q: Queue<unknown>, n: number, m: number): unknown[] {
  poisonJson();
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(q.get({ timeout: 30_000 }));
  out.push(...q.getMany(m, { timeout: 30_000 }));
  return out;
}

/** Puts each of `items` into `q`, then all of them again with putMany. */
export function putAll(q: Queue<unknown>, items: unknown[]): number {
  poisonJson();
  for (const v of items) q.put(v, { timeout: 30_000 });
  q.putMany(items, { timeout: 30_000 });
  return items.length;
}
