// Copyright 2026 the threadkit authors. MIT license.
// Every put and get form of the bounded queue kinds (numeric ring, its
// single-writer and single-reader modes, structured ring, locked stores)
// swept over the end of the stack with the other side's marks set
// (tests/queue/_marked_sweep.ts: every call takes its waking path there),
// one case a process, so the wake code is compiled at the depth of the
// sweep: no lock word held, and a call that threw put or took nothing.
// Before (the wake a call after the step that made the outcome final:
// queue/_turn.ts "Given back"): a numeric ring's get whose HEAD had
// SLEEPER threw with its item taken (_ring_head.ts advance: the item
// lost), a single writer's put whose TAIL had SLEEPER threw with its item
// published (_solo_words.ts publish), and a locked store's put threw with
// its item stored (afterPut: _state.ts "Accepted").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runProgram } from "../_helpers.ts";
import { MARKED_FORMS, MARKED_KINDS } from "./_marked_sweep.ts";

const program = new URL("./_marked_sweep.ts", import.meta.url);

describe("queue calls at the end of the stack whose other side waits", () => {
  for (const [kind] of MARKED_KINDS) {
    for (const form of MARKED_FORMS) {
      it(`${kind}.${form} swept with the other side marked: nothing held, a call that threw put or took nothing`, async () => {
        const r = await runProgram(program, 120_000, [kind, form]);
        assert.equal(r.timedOut, false, "did not exit by itself");
        const line = r.stdout.trim().split("\n").at(-1) ?? "";
        let out: { faults: string[] } | undefined;
        try {
          out = JSON.parse(line);
        } catch {
          assert.fail(`no result: ${line} ${r.stderr.slice(0, 400)}`);
        }
        assert.deepEqual(out!.faults, []);
      });
    }
  }
});
