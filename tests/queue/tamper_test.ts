// Copyright 2026 the threadkit authors. MIT license.
// A queue whose shared memory was overwritten: every later call returns or
// throws (a RangeError where the damage is seen cheaply) within a bound, and
// none spins forever. Each header word of a live queue of each kind gets a
// few bad values (tests/_workers/tamper.ts); the cases run in a thread, so a
// hang fails the test by its join's timeout and names the case.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Queue, Thread } from "../../mod.ts";
import type * as tamperModule from "../_workers/tamper.ts";
import { cases } from "../_workers/tamper.ts";

const tamper = new URL("../_workers/tamper.ts", import.meta.url);

describe("Queue with tampered shared memory", () => {
  it("every call after a single-word overwrite of a live queue's header returns or throws", async () => {
    const all = cases();
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const t = new Thread<typeof tamperModule.run>({
      target: { module: tamper, export: "run" },
      args: [progress],
      daemon: true, // a hang must not keep the process alive
    });
    t.start();
    let lines: string[];
    try {
      lines = await t.joinAsync({ timeout: 120_000 });
    } catch (error) {
      const begun = Atomics.load(progress, 0);
      throw new Error(
        `case ${begun - 1} of ${all.length} did not end: ${
          JSON.stringify(all[begun - 1])
        }`,
        { cause: error },
      );
    }
    assert.equal(lines.length, all.length);
    // Some overwrites are seen and refused with a RangeError naming the
    // corrupt memory (a FIFO ring's cursor outside the ring, a locked
    // store's COUNT past the capacity).
    assert.ok(
      lines.some((l) => /HEAD=1048576: .*get:RangeError/.test(l)),
      "a FIFO ring's HEAD outside the ring is a RangeError",
    );
    // The numeric ring's HEAD has no lock bits: a word with one (or bit 30)
    // is refused by every get form, not spun on.
    for (const v of [-1, 0x7fffffff]) {
      const line = lines.find((l) => l.startsWith(`Queue<int32> HEAD=${v}:`));
      assert.match(
        line ?? "",
        /getNowait:RangeError .*getMany:RangeError getManyInto:RangeError/,
      );
    }
    assert.ok(
      lines.some((l) => /^LifoQueue COUNT=2147483647: .*RangeError/.test(l)),
      "a locked store's COUNT past its capacity is a RangeError",
    );
  });

  it("new Queue() placed over a live queue is a RangeError and leaves it working", () => {
    const buffer = new SharedArrayBuffer(1 << 20);
    const live = new Queue<number>({ capacity: 4, type: "int32", buffer });
    live.put(7);
    for (
      const make of [
        () => new Queue<number>({ capacity: 4, type: "int32", buffer }),
        () => new LifoQueue<unknown>({ capacity: 2, buffer }),
      ]
    ) {
      assert.throws(make, (e: unknown) => {
        assert.ok(e instanceof RangeError);
        assert.match(e.message, /holds a queue already/);
        return true;
      });
    }
    assert.equal(live.qsize(), 1);
    assert.equal(live.get({ timeout: 1000 }), 7);
    // Reusing the region is the caller's choice: zero its first word.
    new Int32Array(buffer, 0, 1)[0] = 0;
    const again = new Queue<number>({ capacity: 4, type: "int32", buffer });
    again.put(8);
    assert.equal(again.get({ timeout: 1000 }), 8);
  });
});
