// Copyright 2026 the threadkit authors. MIT license.
// A Thread made at every depth near the end of the stack (its target
// checked, not started): each attempt makes it or throws a RangeError, the
// overflow, and nothing else. Before, the native-function check of the
// target (_core/target.ts) ran a RegExp, whose compile near the stack's end
// threw a SyntaxError ("Invalid regular expression: ... Stack overflow").
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Thread } from "../../mod.ts";
import { sweep } from "../queue/_stack_end.ts";

const TARGETS: [string, () => unknown][] = [
  ["a source function", () => new Thread({ target: (x: number) => x + 1 })],
  ["a native function", () => new Thread({ target: Math.max, args: [1, 2] })],
];

describe("a Thread made at the end of the stack", () => {
  for (const [name, make] of TARGETS) {
    it(`new Thread({ target: ${name} }): made, or refused with a RangeError only`, () => {
      const others: string[] = [];
      let tries = 0, made = 0;
      for (let round = 0; round < 40; round++) {
        tries += sweep(() => {
          try {
            make();
          } catch (e) {
            if (!(e instanceof RangeError)) others[others.length] = String(e);
            throw e;
          }
          made++;
        });
      }
      assert.deepEqual(others.slice(0, 3), []);
      assert.equal(made, 40);
      assert.ok(tries > 40, `tries ${tries}`);
    });
  }
});
