// Copyright 2026 the threadkit authors. MIT license.
// A sparse array (length 2 ** 32 - 1, three own keys) crosses every way a
// value does (Thread arg and result, Queue put and putMany, a pool task's
// arg and result) at the cost of its own keys, and arrives exact: its
// length, its keys (a hole stays a hole), a threadkit primitive in it as
// itself. The walks list own keys once an array has shown more holes than
// elements (_core/transfer_keys.ts HOLES); one over every index would not
// end within the bound (at 5e7 it took 4.5 s as a Thread arg and 38-46 s as
// a queue item or task arg), so it runs in a program of its own, killed
// at the bound.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isBun, runProgram } from "../_helpers.ts";

const program = new URL("../_workers/programs/sparse.ts", import.meta.url);
const BOUND = 150_000;

describe("sparse arrays", () => {
  it("cross every way at the cost of their own keys and arrive exact", {
    timeout: BOUND + 30_000,
  }, async () => {
    const r = await runProgram(program, BOUND);
    assert.equal(r.timedOut, false, `ran past ${BOUND} ms: ${r.stdout}`);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.pop(), "done");
    const want = {
      length: 2 ** 32 - 1,
      keys: ["3", "70000", "4294967294", "tag"],
      three: ["0", "2"],
      far: [[1, "m"]],
    };
    // On Bun the Thread paths send length 2 ** 20 - 1 (the program says
    // why: Bun's own structured clone visits every index).
    const thread = isBun
      ? { ...want, length: 2 ** 20 - 1, keys: ["3", "70000", "1048574", "tag"] }
      : want;
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      { path: "thread arg", got: { ...thread, last: "Lock" } },
      { path: "thread result", got: { ...thread, last: "last" } },
      { path: "queue put", got: { ...want, last: "last" } },
      { path: "queue putMany", got: { ...want, last: "last" } },
      { path: "queue nested", got: { ...want, last: "last" } },
      { path: "pool", got: { ...want, last: "last" } },
    ]);
  });
});
