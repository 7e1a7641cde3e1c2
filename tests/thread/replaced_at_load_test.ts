// Copyright 2026 the threadkit authors. MIT license.
// A thread whose own code replaced the built-ins the codec copies at load
// (a module target's body as it loads; a source target before it returns or
// throws) before threadkit's codec modules loaded in that thread: its
// result and its error still arrive as they were returned or thrown, and
// no replaced built-in is called once the target has returned or thrown
// (each replacement counts its calls from then on in a shared word).
// Fresh workers (non-daemon: a web worker on Deno; daemon: a
// node:worker_threads one), and a thread on a spare.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { moduleTarget, prestartThreads, Thread } from "../../mod.ts";
import {
  CTORS,
  makeError,
  makeValue,
  METHODS,
  replaceBuiltins,
} from "../_workers/_replace_builtins.ts";
import type * as Replaced from "../_workers/replaced_at_load.ts";
import { spares, startOnSpare } from "../_helpers.ts";

const MODULE = new URL("../_workers/replaced_at_load.ts", import.meta.url);
const ALL = [...METHODS, ...CTORS];

// Source targets: the same replacement, in the target's own text (it
// closes over nothing), then the value or the error.
const sourceReturn = new Function(
  "counts",
  "paths",
  `const st = (${replaceBuiltins})(paths); st.counts = counts;
  const v = (${makeValue})(); st.armed = true; return v;`,
) as (counts: Int32Array, paths: readonly string[]) => unknown;
const sourceThrow = new Function(
  "counts",
  "paths",
  `const st = (${replaceBuiltins})(paths); st.counts = counts;
  const e = (${makeError})(); st.armed = true; throw e;`,
) as (counts: Int32Array, paths: readonly string[]) => never;

function newCounts(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (1 + ALL.length)));
}

function called(counts: Int32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < ALL.length; i++) {
    if (counts[1 + i] !== 0) out.push(`${ALL[i]} x${counts[1 + i]}`);
  }
  return out;
}

function checkValue(v: unknown): void {
  const r = v as Record<string, unknown>;
  const want = makeValue();
  assert.equal(r.n, 1);
  assert.equal(r.s, want.s);
  assert.deepEqual(r.arr, want.arr);
  assert.ok(
    r.map instanceof Map,
    `map: ${Object.prototype.toString.call(r.map)}`,
  );
  assert.deepEqual([...(r.map as Map<unknown, unknown>)], [
    ...(want.map as Map<unknown, unknown>),
  ]);
  assert.ok(r.set instanceof Set, "set");
  assert.deepEqual([...(r.set as Set<unknown>)], [
    ...(want.set as Set<unknown>),
  ]);
  assert.ok(r.date instanceof Date, "date");
  assert.equal((r.date as Date).getTime(), 5);
  assert.ok(r.re instanceof RegExp, "re");
  assert.equal(String(r.re), "/a+b/gi");
  assert.ok(r.u8 instanceof Uint8Array, "u8");
  assert.deepEqual([...(r.u8 as Uint8Array)], [1, 2, 3]);
  assert.equal(r.big, 10n);
  assert.ok(r.box instanceof Number, "box");
  assert.equal(Number(r.box), 4);
  assert.ok(r.err instanceof RangeError, `err: ${r.err}`);
  assert.equal((r.err as Error).message, "inner"); // (as structured clone)
  assert.deepEqual(r.nested, { deep: { k: "v" } });
  assert.equal(r["\u0000threadkit"], "a key like the marker");
  assert.deepEqual(Object.keys(r).sort(), Object.keys(want).sort());
}

function checkError(e: unknown): true {
  assert.ok(e instanceof TypeError, `not a TypeError: ${e}`);
  assert.equal(e.message, "coded");
  assert.equal((e as { code?: number }).code, 7);
  assert.deepEqual((e as { extra?: unknown }).extra, { k: [1, 2] });
  assert.equal((e as { cause?: unknown }).cause, "why");
  return true;
}

type Kind = "module" | "source";
function thread(
  kind: Kind,
  throws: boolean,
  daemon: boolean,
  counts: Int32Array,
) {
  const target = kind === "module"
    ? (throws
      ? moduleTarget<typeof Replaced.throwError>(MODULE, "throwError")
      : moduleTarget<typeof Replaced.returnValue>(MODULE, "returnValue"))
    : throws
    ? sourceThrow
    : sourceReturn;
  return new Thread({
    target: target as (...a: unknown[]) => unknown,
    args: kind === "module" ? [counts] : [counts, ALL],
    daemon,
  });
}

async function runCase(
  kind: Kind,
  throws: boolean,
  daemon: boolean,
  spare: boolean,
): Promise<void> {
  const counts = newCounts();
  const t = thread(kind, throws, daemon, counts);
  if (spare) {
    await spares(1);
    startOnSpare(t);
  } else {
    prestartThreads(0);
    t.start();
  }
  if (throws) {
    await assert.rejects(t.joinAsync({ timeout: 60_000 }), checkError);
  } else {
    assert.equal(await t.joinAsync({ timeout: 60_000 }), t.result);
    checkValue(t.result);
  }
  assert.deepEqual(
    called(counts),
    [],
    "replaced built-ins called after the target",
  );
}

describe("built-ins a thread's own code replaced before the codec loaded", () => {
  for (const spare of [false, true]) {
    for (const daemon of spare ? [false] : [false, true]) {
      for (const kind of ["module", "source"] as const) {
        for (const throws of [false, true]) {
          const where = spare
            ? "on a spare"
            : daemon
            ? "daemon, fresh worker"
            : "fresh worker";
          it(`${kind} target, ${where}: its ${throws ? "error" : "result"} arrives whole and no replaced built-in runs after it`, async () => {
            try {
              await runCase(kind, throws, daemon, spare);
            } finally {
              prestartThreads(0);
            }
          });
        }
      }
    }
  }
});
