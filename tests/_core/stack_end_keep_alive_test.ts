// Copyright 2026 the threadkit authors. MIT license.
// The async waits' keep-alive (_core/keep_alive.ts) taken near the end of
// the stack: Event.waitAsync at every depth, the event set later from
// another thread, while nothing else keeps the event loop alive. Every
// wait that returned a promise must keep the loop alive until it settles.
// The runtimes' timer ref and unref (Deno's core refTimer, Node's
// Timeout.ref) set the timer's flag, then count it in a call that may
// overflow: such a call left the keep-alive marked ref'd and counted by
// nobody, so later holds were no-ops and the loop ended with waits pending
// ("Promise resolution is still pending but the event loop has already
// resolved": failed, on Deno, with the keep-alive made and unref'd by a
// shallow wait just before).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, Thread } from "../../mod.ts";
import { sweep } from "../queue/_stack_end.ts";

// Waits made a pad, the deepest that did not overflow.
const PER_PAD = 64;
// Thrown by an attempt that returned, so the sweep goes on one frame up.
const ON = new Error("on");
// The sweep's frames are all one size, so its attempts begin at one offset
// of that size each: the attempts are also made PADS - 1 slots deeper, one
// slot more each time (a native callee given that many arguments), so that
// the overflow meets every step of the ref, whatever its frames' sizes.
const PADS = 32;
const padded: unknown[][] = Array.from(
  { length: PADS },
  (_, n) => Array.from({ length: n }, () => 0),
);
const apply = Reflect.apply;

describe("async waits keep the loop alive at the end of the stack", () => {
  for (const idle of [false, true]) {
    it(
      `Event.waitAsync at every depth ${
        idle
          ? "after the keep-alive timer was cleared"
          : "with the keep-alive timer unref'd"
      }: the loop stays alive until the waits settle`,
      { timeout: 120_000 },
      async () => {
        const ev = new Event();
        // words[0]: the pads swept (main), words[1]: the pads set (thread).
        const words = new Int32Array(new SharedArrayBuffer(8));
        // Sets the event once per pad, after the main thread swept it and
        // went back to its event loop, where only the waits' keep-alive
        // holds it (the 30 ms are not an order: the main thread waits for
        // the set however late it comes).
        const t = new Thread({
          target: (e: Event, w: Int32Array, pads: number) => {
            const nap = new Int32Array(new SharedArrayBuffer(4));
            for (let p = 1; p <= pads; p++) {
              while (Atomics.load(w, 0) < p) Atomics.wait(w, 0, p - 1, 1_000);
              Atomics.wait(nap, 0, 0, 30);
              Atomics.store(w, 1, p);
              e.set();
            }
          },
          args: [ev, words, PADS],
          daemon: true,
        });
        t.start();
        const other: unknown[] = [];
        let total = 0;
        for (let pad = 0; pad < PADS; pad++) {
          // The keep-alive timer made by a shallow wait and unref'd once it
          // settled; cleared two idle ticks later (`idle`).
          const first = new Event();
          const p0 = first.waitAsync({ timeout: 10_000 });
          first.set();
          assert.equal(await p0, true);
          if (idle) await new Promise((r) => setTimeout(r, 160));
          ev.clear();
          const kept: (Promise<boolean> | undefined)[] = Array.from(
            { length: PER_PAD },
            () => undefined,
          );
          let k = 0;
          const wait = (..._pad: unknown[]): void => {
            kept[k] = ev.waitAsync({ timeout: 60_000 });
          };
          sweep(() => {
            if (k === PER_PAD) return;
            try {
              apply(wait, undefined, padded[pad]);
            } catch (e) {
              if (!(e instanceof RangeError)) other[other.length] = e;
              throw e;
            }
            k++;
            throw ON;
          });
          assert.deepEqual(other, []);
          assert.ok(k > 0);
          total += k;
          Atomics.store(words, 0, pad + 1);
          Atomics.notify(words, 0);
          // Each settles: true, or (an overflow inside the async call) a
          // rejection with the RangeError.
          const r = await Promise.allSettled(kept.slice(0, k));
          for (const x of r) {
            if (x.status === "fulfilled") assert.equal(x.value, true);
            else assert.ok(x.reason instanceof RangeError, String(x.reason));
          }
          // The set of this pad made before the next pad's clear (the
          // waits may all have been rejected before it came).
          while (Atomics.load(words, 1) <= pad) {
            await new Promise((r) => setTimeout(r, 5));
          }
        }
        assert.ok(total > 0);
        await t.joinAsync({ timeout: 30_000 });
        assert.equal(t.isAlive(), false);
      },
    );
  }
});
