// Copyright 2026 the threadkit authors. MIT license.
// A spare's block (_core/spare_block.ts): the start record and the result
// that go through shared memory come back as structuredClone gives them;
// what does not fit (objects, symbols, functions, text over the block's
// room) is refused and leaves the result unwritten.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  newBlock,
  readRecord,
  readResult,
  writeRecord,
  writeResult,
} from "../../_core/spare_block.ts";

const PLAIN: unknown[] = [
  0,
  -0,
  1.5,
  -1e308,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  2 ** 53 + 2,
  10n ** 30n,
  -7n,
  "",
  "é\u{1F600}",
  "\uD800 lone",
  '"quoted" \\ ["u"]',
  true,
  false,
  null,
  undefined,
];

// What a value looks like after structuredClone, as a comparable list.
function shape(v: unknown): unknown[] {
  return [typeof v, Object.is(v, -0), Number.isNaN(v), v];
}

describe("spare block", () => {
  it("writeRecord()/readRecord(): plain args and both target kinds round-trip", () => {
    const block = newBlock();
    const source = { kind: "source" as const, source: "(a) => a", name: "f" };
    assert.equal(
      writeRecord(block, {
        ident: 7,
        entry: 3,
        nameSeq: -6,
        target: source,
        args: PLAIN,
      }),
      true,
    );
    const got = readRecord(block);
    assert.equal(got.ident, 7);
    assert.equal(got.entry, 3);
    assert.equal(got.nameSeq, -6);
    assert.deepEqual(got.target, source);
    assert.deepEqual(got.args.map(shape), structuredClone(PLAIN).map(shape));
    const module = {
      kind: "module" as const,
      module: "file:///x.ts",
      export: "run",
    };
    assert.equal(
      writeRecord(block, {
        ident: 8,
        entry: 4,
        nameSeq: 2,
        target: module,
        args: [],
      }),
      true,
    );
    assert.deepEqual(readRecord(block), {
      ident: 8,
      entry: 4,
      nameSeq: 2,
      target: module,
      args: [],
    });
  });

  it("writeRecord() refuses objects and a record over its room", () => {
    const block = newBlock();
    const target = { kind: "source" as const, source: "() => 1", name: "" };
    for (const arg of [{}, [1], new Int32Array(1), () => 1, Symbol("s")]) {
      assert.equal(
        writeRecord(block, {
          ident: 1,
          entry: 0,
          nameSeq: 0,
          target,
          args: [arg],
        }),
        false,
      );
    }
    const long = { ...target, source: `() => "${"x".repeat(9000)}"` };
    assert.equal(
      writeRecord(block, {
        ident: 1,
        entry: 0,
        nameSeq: 0,
        target: long,
        args: [],
      }),
      false,
    );
  });

  it("writeResult()/readResult(): plain values round-trip once written; the rest is refused", () => {
    for (const value of PLAIN) {
      const block = newBlock();
      assert.equal(readResult(block), undefined);
      assert.equal(writeResult(block, value), true);
      assert.deepEqual(shape(readResult(block)!.value), shape(value));
    }
    for (const value of [{ a: 1 }, [], () => 1, "x".repeat(5000)]) {
      const block = newBlock();
      assert.equal(writeResult(block, value), false);
      assert.equal(readResult(block), undefined);
    }
  });

  it('writeResult()/readResult(): a final name goes with the value, whole (_core/names.ts, "Final names"); a result and name over the room are refused', () => {
    const block = newBlock();
    const final = { name: "é\u{1f40d} last", seq: -4 };
    assert.equal(writeResult(block, 5, final), true);
    assert.deepEqual(readResult(block), { value: 5, final });
    const plain = newBlock();
    assert.equal(writeResult(plain, undefined), true);
    assert.deepEqual(readResult(plain), { value: undefined });
    const big = newBlock();
    assert.equal(
      writeResult(big, 1, { name: "n".repeat(5000), seq: 2 }),
      false,
    );
    assert.equal(readResult(big), undefined);
  });
});
