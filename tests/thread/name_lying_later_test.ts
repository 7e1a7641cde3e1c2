// Copyright 2026 the threadkit authors. MIT license.
// A thread that, after threadkit loaded there, replaced TextEncoder's
// encodeInto and encode with ones that write another name's bytes, then
// renamed itself: the main thread reads the name it set.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { currentThread, prestartThreads, Thread } from "../../mod.ts";

describe("TextEncoder replaced by a thread after load", () => {
  for (const name of ["renamed", "renamed-\u00e9"]) {
    it(`its new name ${JSON.stringify(name)} is read as set`, async () => {
      prestartThreads(0);
      const t = new Thread({
        target: (name: string) => {
          const forged = [0x66, 0x6f, 0x72, 0x67, 0x65, 0x64]; // "forged"
          TextEncoder.prototype.encodeInto = function (_s, u8) {
            for (let i = 0; i < forged.length; i++) u8[i] = forged[i];
            return { read: _s.length, written: forged.length };
          };
          TextEncoder.prototype.encode = () => new Uint8Array(forged);
          currentThread().name = name;
          return currentThread().name;
        },
        args: [name],
      });
      t.start();
      assert.equal(await t.joinAsync({ timeout: 60_000 }), name);
      assert.equal(t.name, name);
    });
  }
});
