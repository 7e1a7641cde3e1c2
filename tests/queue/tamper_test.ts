// Copyright 2026 the threadkit authors. MIT license.
// A queue whose shared memory was overwritten: every later call returns or
// throws (a RangeError where the damage is seen cheaply) within a bound, and
// none spins forever. Each header word of a live queue of each kind gets a
// few bad values (tests/_workers/tamper.ts); the cases run in a thread, so a
// hang fails the test by its join's timeout and names the case.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LifoQueue, Lock, Queue, Thread } from "../../mod.ts";
import type * as tamperModule from "../_workers/tamper.ts";
import { cases } from "../_workers/tamper.ts";
import { identStopped } from "../../_core/runtime.ts";
import { blockRefs } from "../../_core/heap.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { until } from "../_helpers.ts";

const tamper = new URL("../_workers/tamper.ts", import.meta.url);

type Described = {
  [TO_DESCRIPTOR](): { buffer: SharedArrayBuffer; byteOffset: number };
};
const offsetOf = (p: object) => (p as Described)[TO_DESCRIPTOR]().byteOffset;

describe("Queue with tampered shared memory", () => {
  it("every call after a single-word overwrite of a live queue's header returns or throws", async () => {
    // An ident from the stop ring: a thread that ran and stopped.
    const gone = new Thread({ target: () => 1 });
    gone.start();
    await gone.joinAsync({ timeout: 60_000 });
    const stopped = gone.ident!;
    await until(() => identStopped(stopped) !== undefined, "the stop record");
    const all = cases(stopped);
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const t = new Thread<typeof tamperModule.run>({
      target: { module: tamper, export: "run" },
      args: [progress, stopped],
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
    assert.ok(
      lines.some((l) => /^LifoQueue COUNT=2147483647: .*RangeError/.test(l)),
      "a locked store's COUNT past its capacity is a RangeError",
    );
    // Lock words no operation writes are RangeErrors where a call would
    // otherwise sleep behind them for good (queue/_corrupt.ts).
    const line = (name: string, slot: string, v: number) => {
      const found = lines.find((l) => l.startsWith(`${name} ${slot}=${v}: `));
      assert.ok(found !== undefined, `${name} ${slot}=${v}`);
      return found;
    };
    const bit31Locked = (1 << 31) | (1 << 28);
    for (const name of ["Queue<int32>", "Queue"]) {
      assert.match(line(name, "TAIL", bit31Locked | 3), / put:RangeError/);
      assert.match(line(name, "TAIL", -1), / shutdown:RangeError/);
    }
    assert.match(line("Queue", "HEAD", bit31Locked | 2), / get:RangeError/);
    for (const name of ["LifoQueue<int32>", "LifoQueue", "PriorityQueue"]) {
      for (const v of [-1, 0x7fffffff, 1 << 20]) {
        assert.match(line(name, "LOCK", v), / shutdown:RangeError/);
      }
      // A holder that stopped holding the store lock is taken over: every
      // call works, and the items are still there (get, then getMany).
      for (const v of [stopped, stopped | (1 << 30)]) {
        assert.match(
          line(name, "LOCK", v),
          /^\S+ LOCK=\d+: qsize:ok putNowait:ok getNowait:ok put:ok get:ok putMany:ok getMany:ok /,
        );
      }
    }
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

  it("a put refused by a corrupt lock word gives its item's heap references back (put, putNowait, putAsync, putMany)", async () => {
    const lock = new Lock();
    const at = offsetOf(lock);
    const words = (q: object) => {
      const d = (q as Described)[TO_DESCRIPTOR]();
      return new Int32Array(d.buffer, d.byteOffset, 96);
    };
    // A FIFO ring with bit 31 and LOCKED in TAIL; a locked store whose LOCK
    // names an ident never issued.
    const rings = [
      () => {
        const q = new Queue<unknown>({ capacity: 4 });
        Atomics.store(words(q), 16, (1 << 31) | (1 << 28));
        return q;
      },
      () => {
        const q = new LifoQueue<unknown>({ capacity: 4 });
        Atomics.store(words(q), 80, 1 << 29);
        return q;
      },
    ];
    for (const make of rings) {
      const q = make();
      assert.throws(() => q.put({ lock }, { timeout: 5000 }), RangeError);
      assert.throws(() => q.putNowait({ lock }), RangeError);
      await assert.rejects(
        q.putAsync({ lock }, { timeout: 5000 }),
        RangeError,
      );
      assert.throws(
        () => q.putMany([{ lock }, { lock }], { timeout: 5000 }),
        RangeError,
      );
      assert.equal(blockRefs(at), 1, "every encode's reference went back");
    }
  });
});
