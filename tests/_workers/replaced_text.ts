// Copyright 2026 the threadkit authors. MIT license.
// Module targets for tests/values/replaced_text_test.ts. Loading this
// module replaces, in the thread that loads it, the string and number
// built-ins a codec could read at call time with ones that give wrong
// answers (tests/_replace_text.ts), so every encode and decode this thread
// does after (args decoded after the target loaded, results, queue gets
// and puts) meets them. Only thread targets load it (the test imports its
// types).

import type { Queue } from "../../mod.ts";

import { replaceText } from "../_replace_text.ts";

replaceText();

/** Returns its args as they arrived. */
export function echo(...args: unknown[]): unknown[] {
  return args;
}

/** Whether this thread's built-ins are the replaced ones. */
export function replaced(): boolean {
  // A string made at run time: Bun folds charCodeAt of a literal.
  return "a".repeat(1).charCodeAt(0) === 0x62 && String(1) === "7";
}

/** Throws an Error whose cause is `cause`. */
export function throwWith(cause: unknown): never {
  throw new RangeError("aaaa", { cause });
}

/** Gets `n` items from `q` one by one, then `m` more by getMany. */
export function getAll(q: Queue<unknown>, n: number, m: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out[i] = q.get({ timeout: 30_000 });
  const more = q.getMany(m, { timeout: 30_000 });
  for (let i = 0; i < more.length; i++) out[n + i] = more[i];
  return out;
}

/** Puts each of `items` into `q`, then all of them again with putMany. */
export function putAll(q: Queue<unknown>, items: unknown[]): number {
  for (let i = 0; i < items.length; i++) q.put(items[i], { timeout: 30_000 });
  q.putMany(items, { timeout: 30_000 });
  return items.length;
}
