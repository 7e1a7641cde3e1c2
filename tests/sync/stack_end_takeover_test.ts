// Copyright 2026 the threadkit authors. MIT license.
// A Lock (and an RLock) whose holder died holding it, acquired at every
// depth from the end of the stack up: the waiter that takes it over must
// either throw OwnerDiedError holding it, or throw a RangeError without it.
// Before, a RangeError thrown after the takeover's compareExchange (the
// error's making, an RLock's owner record) left the lock held by a thread
// that did not know it held it (failed in the first round, every run).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Lock, OwnerDiedError, RLock, Thread } from "../../mod.ts";
import { currentIdent, identStopped } from "../../_core/runtime.ts";
import { until } from "../_helpers.ts";

const HOLDER = 0x3fffffff;

for (const kind of ["Lock", "RLock"] as const) {
  describe(`${kind}: a takeover at the end of the stack`, () => {
    it(
      `${kind}.acquire({ timeout }) after the holder died: no RangeError with the lock held`,
      { timeout: 300_000 },
      async () => {
        const me = currentIdent();
        let heldAfterRange = 0, died = 0, refused = 0, rounds = 0;
        for (let r = 0; r < 12 && heldAfterRange === 0; r++) {
          rounds++;
          const buffer = new SharedArrayBuffer(16);
          const word = new Int32Array(buffer);
          const lock = kind === "Lock"
            ? new Lock({ buffer })
            : new RLock({ buffer });
          const t = new Thread({
            target: (l: { acquire(): boolean }) => {
              l.acquire();
              throw new Error("dies holding the lock");
            },
            args: [lock],
          });
          t.start();
          await t.joinAsync({ timeout: 30_000 }).catch(() => {});
          await until(
            () => identStopped(t.ident!) !== undefined,
            "the holder's stop",
            30_000,
          );
          let stop = false;
          const deep = (): void => {
            try {
              deep();
            } catch {
              if (stop) return;
              try {
                lock.acquire({ timeout: 10_000 });
                stop = true; // took it without a takeover: not expected
              } catch (e) {
                if (e instanceof OwnerDiedError) {
                  died++;
                  stop = true;
                } else if (e instanceof RangeError) {
                  refused++;
                  if ((word[0] & HOLDER) === me) {
                    heldAfterRange++;
                    stop = true;
                  }
                } else stop = true;
                throw e;
              }
            }
          };
          try {
            deep();
          } catch {
            // the outermost attempt overflowed too
          }
          // Free the word for the next round (whoever holds it).
          Atomics.store(word, 0, 0);
        }
        assert.equal(
          heldAfterRange,
          0,
          JSON.stringify({ heldAfterRange, died, refused, rounds }),
        );
      },
    );
  });
}
