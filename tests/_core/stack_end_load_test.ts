// Copyright 2026 the threadkit authors. MIT license.
// A program whose first put is made near the end of the stack: the slot
// tests (node:util types, _core/host.ts utilTypes) load on Deno at first
// use, and a stack overflow inside Deno's first load of its Node layer
// broke it for good (every later put threw "ReferenceError: default is
// not defined"). A fresh process each time: the load happens once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";

const program = new URL(
  "../_workers/programs/first_put_deep.ts",
  import.meta.url,
);

describe("the first put at the end of the stack", () => {
  it(
    "Queue.put: a first put that overflows anywhere, the slot tests' load included, leaves later puts working",
    {
      timeout: 120_000,
    },
    async () => {
      const r = await runProgram(program, 90_000);
      assert.equal(r.timedOut, false, "the program ran out of time");
      assert.equal(r.code, 0, r.stderr.slice(0, 2000));
      assert.match(r.stdout, /^ok \d+$/m);
    },
  );
});
