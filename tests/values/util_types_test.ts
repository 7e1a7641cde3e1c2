// Copyright 2026 the threadkit authors. MIT license.
// node:util's `types` (the slot tests of _core/kinds.ts and isProxy) are
// read when threadkit loads on Node and Bun: a program that replaces them
// afterwards, before its first put or Thread start, never has its own
// called. On Deno they are read at first use (the first getBuiltinModule
// starts Deno's Node layer, which every thread's start would pay: README,
// Threads), so the case is skipped there. This file encodes nothing before
// the replacement (each file runs in a process of its own on Node).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { Queue } from "../../mod.ts";
import { encodeTransfer } from "../../_core/transfer.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
const DENO = typeof (globalThis as Any).Deno?.version?.deno === "string";

describe("node:util types read at load", () => {
  it("replaced after threadkit loads: an encode never calls the replacements", {
    skip: DENO ? "read at first use on Deno (start cost)" : false,
  }, () => {
    const types = (process as Any).getBuiltinModule("node:util/types");
    // Only the writable ones (Node 20's isKeyObject and isCryptoKey are
    // not), each put back in the finally.
    const saved: [string, unknown][] = [];
    let calls = 0;
    class Point {
      x = 1;
    }
    const items: unknown[] = [
      { id: 1, s: "x" },
      { m: new Map([[1, 2]]), d: new Date(3), p: new Point() },
      [Object.setPrototypeOf(new Set([1]), null), new Uint8Array(2)],
    ];
    const q = new Queue({ capacity: 8 });
    try {
      for (const k of Object.keys(types)) {
        const d = Object.getOwnPropertyDescriptor(types, k);
        if (typeof d?.value !== "function" || !d.writable) continue;
        saved.push([k, d.value]);
        types[k] = () => {
          calls++;
          throw new Error(`util.types.${k} replaced: called`);
        };
      }
      assert.ok(saved.length > 10);
      for (const item of items) {
        q.put(item);
        encodeTransfer([item]);
      }
    } finally {
      for (const [k, f] of saved) types[k] = f;
    }
    assert.equal(calls, 0);
    for (let i = 0; i < items.length; i++) q.getNowait();
    assert.equal(q.qsize(), 0);
  });
});
