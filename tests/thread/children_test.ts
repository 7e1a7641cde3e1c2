// Copyright 2026 the threadkit authors. MIT license.
// The threads a thread started end with it when it ends abruptly (and its
// daemon threads when it ends normally): the runtime tears their workers
// down, and their ends must still be seen (isAlive, join, a freed entry).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { enumerate, Thread } from "../../mod.ts";

const JOIN = { timeout: 30_000 };

// The parent starts a child that waits on its event loop, publishes the
// child's ident in `out[0]`, then ends as `how` says.
function parent(how: string, daemon: boolean, out: Int32Array): Thread {
  return new Thread({
    name: "parent",
    args: [how, daemon, out],
    target: async (how: string, daemon: boolean, out: Int32Array) => {
      const child = new Thread({
        name: "orphan",
        daemon,
        target: () => new Promise((r) => setTimeout(r, 60_000)),
      });
      child.start();
      Atomics.store(out, 0, child.ident!);
      const g = globalThis as unknown as {
        Deno?: { exit(code: number): never };
        process: { exit(code: number): never };
      };
      if (how === "exit") (g.Deno?.exit ?? g.process.exit)(5);
      if (how === "error") {
        setTimeout(() => {
          throw new Error("boom");
        }, 0);
        await new Promise((r) => setTimeout(r, 60_000));
      }
      return "returned";
    },
  });
}

describe("a thread's children", () => {
  const cases: [string, boolean][] = [
    ["exit", false],
    ["exit", true],
    ["error", false],
    ["error", true],
    ["return", true], // a normal end waits for non-daemon children only
  ];
  for (const [how, daemon] of cases) {
    it(`${daemon ? "daemon" : "non-daemon"} child of a thread that ends by ${how}: seen to end, entry freed`, async () => {
      const out = new Int32Array(new SharedArrayBuffer(4));
      const p = parent(how, daemon, out);
      p.start();
      if (how === "return") assert.equal(await p.joinAsync(JOIN), "returned");
      else await assert.rejects(p.joinAsync(JOIN), { name: "ThreadExitError" });
      const ident = Atomics.load(out, 0);
      assert.ok(ident > 0);
      const child = enumerate().find((t) => t.ident === ident);
      if (child !== undefined) {
        assert.equal(child.join({ timeout: 10_000 }), true, "child ended");
        assert.equal(child.isAlive(), false);
      }
      assert.equal(enumerate().some((t) => t.ident === ident), false);
    });
  }
});
