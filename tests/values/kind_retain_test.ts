// Copyright 2026 the threadkit authors. MIT license.
// An encode keeps nothing of the value alive after it
// returns: a prototype met by kindOf (_core/kinds.ts) is not held once the
// value and the program's references are gone (a class's prototype can hold
// a closure's data; another realm's Object.prototype holds the realm).
// Runs where gc is exposed (skipped otherwise):
// deno test -A --v8-flags=--expose-gc ; node --expose-gc --test
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import { Queue } from "../../mod.ts";
import { encodeTransfer } from "../../_core/transfer.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const tick = () => new Promise((r) => setTimeout(r, 0));
async function collected(wr: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 5 && wr.deref() !== undefined; i++) {
    await tick();
    gc!();
  }
  return wr.deref() === undefined;
}
const paths: Record<string, (v: unknown) => void> = {
  "Queue item": (v) => {
    const q = new Queue({ capacity: 4 });
    q.put(v);
    q.getNowait();
  },
  "Thread args (encodeTransfer)": (v) => void encodeTransfer([v]),
};

describe("an encode keeps no prototype of the value alive", {
  skip: gc === undefined,
}, () => {
  for (const [name, send] of Object.entries(paths)) {
    it(`${name}: a class's prototype`, async () => {
      const wr = ((): WeakRef<object> => {
        class Holder {
          a = 1;
        }
        send(new Holder());
        return new WeakRef(Holder.prototype);
      })();
      assert.ok(await collected(wr), "the class's prototype is still alive");
    });
    it(`${name}: another realm's Object.prototype`, async () => {
      const wr = ((): WeakRef<object> => {
        const ctx = vm.createContext({});
        const o = vm.runInContext("({ a: 1 })", ctx);
        send(o);
        return new WeakRef(Object.getPrototypeOf(o));
      })();
      assert.ok(
        await collected(wr),
        "the realm's Object.prototype is still alive",
      );
    });
  }
});
