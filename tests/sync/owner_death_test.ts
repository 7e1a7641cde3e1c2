// Copyright 2026 the threadkit authors. MIT license.
// A lock holder that dies while others wait: exactly one waiter takes the
// lock over (OwnerDiedError, holding it) and the others get it after; a
// Condition waiter returns the lock as it held it (guards stay balanced)
// and leaves its registration behind in no case (a timed-out wait whose
// reacquire meets the dead holder included).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Condition,
  Event,
  Lock,
  OwnerDiedError,
  RLock,
  RWLock,
  Thread,
} from "../../mod.ts";
import { sleepers, until } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };

// A Lock at byte 0 and its Condition at byte 4 of one buffer: the
// Condition's words are SEQ (word 1), WAITERS (word 2), PERMITS (word 3).
function placed(): { lock: Lock; cond: Condition; words: Int32Array } {
  const buffer = new SharedArrayBuffer(16);
  const lock = new Lock({ buffer, byteOffset: 0 });
  const cond = new Condition(lock, { buffer, byteOffset: 4 });
  return { lock, cond, words: new Int32Array(buffer) };
}
const WAITERS = 2;

// The waiter's timeout: short; the holder takes the lock only once the
// waiter sleeps, so its start-up does not count against it.
const TIMEOUT = 3_000;

// Takes the lock once the waiter sleeps in its wait (WAITERS is 1) and has
// released it, by non-blocking tries, so the lock word holds the holder's
// bare ident; holds it until the waiter's timed-out reacquire marks the
// word CONTENDED (nobody else touches the lock); then fails holding it (a
// dead holder). Every wait is bounded: a bug fails the test, never hangs.
function startDyingHolder(lock: Lock, words: Int32Array): Thread {
  const t = new Thread({
    target: (lock: Lock, words: Int32Array) => {
      const tick = new Int32Array(new SharedArrayBuffer(4));
      const bounded = (done: () => boolean, what: string) => {
        for (let i = 0; !done(); i++) {
          if (i > 60_000) throw new Error(`holder: no ${what}`);
          Atomics.wait(tick, 0, 0, 1);
        }
      };
      bounded(() => Atomics.load(words, 2) === 1, "waiter"); // WAITERS
      bounded(() => lock.acquire({ blocking: false }), "lock");
      bounded(() => (Atomics.load(words, 0) & 0x40000000) !== 0, "reacquire");
      throw new RangeError("died holding the lock");
    },
    args: [lock, words],
  });
  t.start();
  return t;
}

describe("owner death", () => {
  for (const form of ["wait", "waitAsync"] as const) {
    it(`Condition.${form}() that timed out and then meets a dead holder leaves WAITERS (no ghost waiter)`, async () => {
      const { lock, cond, words } = placed();
      lock.acquire();
      const holder = startDyingHolder(lock, words);
      if (form === "wait") {
        assert.throws(() => cond.wait({ timeout: TIMEOUT }), OwnerDiedError);
      } else {
        await assert.rejects(
          cond.waitAsync({ timeout: TIMEOUT }),
          OwnerDiedError,
        );
      }
      await assert.rejects(holder.joinAsync(JOIN), RangeError);
      assert.equal(Atomics.load(words, WAITERS), 0);
      // No stale registration: a notify with nobody waiting grants nothing,
      // so a later notify(1) wakes one of two waiters, not both.
      assert.equal(lock.locked(), true); // taken over: this thread holds it
      lock.release();
      lock.acquire();
      cond.notify(1);
      lock.release();
      const waiters = [0, 1].map(() =>
        new Thread({
          target: (c: Condition, l: Lock) => {
            l.acquire();
            try {
              return c.wait({ timeout: 1_500 });
            } finally {
              l.release();
            }
          },
          args: [cond, lock],
        })
      );
      for (const w of waiters) w.start();
      const end = performance.now() + 20_000;
      while (Atomics.load(words, WAITERS) < 2 && performance.now() < end) {
        await new Promise((r) => setTimeout(r, 2));
      }
      lock.acquire();
      cond.notify(1);
      lock.release();
      const woken = await Promise.all(waiters.map((w) => w.joinAsync(JOIN)));
      assert.deepEqual(woken.filter(Boolean).length, 1);
    });
  }
});

// A lock (Lock or RLock) at byte 0 of a buffer and a Condition over it at
// byte 16: the lock's word is word 0, the Condition's WAITERS word 5.
function placedOver<L extends Lock | RLock>(
  make: (p: { buffer: SharedArrayBuffer; byteOffset: number }) => L,
): { lock: L; cond: Condition; words: Int32Array } {
  const buffer = new SharedArrayBuffer(32);
  const lock = make({ buffer, byteOffset: 0 });
  const cond = new Condition(lock, { buffer, byteOffset: 16 });
  return { lock, cond, words: new Int32Array(buffer) };
}
const COND_WAITERS = 5;

// Holds `lock` once started (sets `held`), and fails holding it when `die`
// is set: a dead holder for a Lock and an RLock alike.
function startFailingHolder(lock: Lock | RLock, held: Event, die: Event) {
  const t = new Thread({
    name: "failing holder",
    target: (lock: Lock | RLock, held: Event, die: Event) => {
      if (!lock.acquire({ timeout: 60_000 })) return;
      held.set();
      die.wait({ timeout: 20_000 });
      throw new RangeError("died holding the lock");
    },
    args: [lock, held, die],
  });
  t.start();
  return t;
}

describe("owner death: takeover", () => {
  for (const kind of ["Lock", "RLock"] as const) {
    it(`${kind}: a holder fails while 3 threads wait (blocking and async): exactly one takes it over (OwnerDiedError naming it, the lock held), the others acquire after it, one at a time`, async () => {
      const { lock, words } = placedOver((p) =>
        kind === "Lock" ? new Lock(p) : new RLock(p)
      );
      const held = new Event(), die = new Event();
      const holder = startFailingHolder(lock, held, die);
      assert.equal(await held.waitAsync({ timeout: 60_000 }), true);
      // stats: [0] threads inside, [1] overlaps seen, [2] entries.
      const stats = new Int32Array(new SharedArrayBuffer(12));
      const waiters = [0, 1, 2].map((i) =>
        new Thread({
          target: async (l: Lock | RLock, stats: Int32Array, i: number) => {
            let how = "acquired";
            try {
              const ok = i === 1
                ? await l.acquireAsync({ timeout: 20_000 })
                : l.acquire({ timeout: 20_000 });
              if (!ok) return "timed out";
            } catch (e) {
              how = `${(e as Error).name} ${(e as { ident: number }).ident}`;
              if ("isOwned" in l && !l.isOwned()) how += " not owned";
              if ("count" in l && l.count !== 1) how += ` count ${l.count}`;
            }
            // Held here either way.
            if (Atomics.add(stats, 0, 1) !== 0) Atomics.add(stats, 1, 1);
            Atomics.add(stats, 2, 1);
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
            Atomics.sub(stats, 0, 1);
            l.release();
            return how;
          },
          args: [lock, stats, i],
        })
      );
      for (const w of waiters) w.start();
      await sleepers(words, 0, 3); // all three wait on the lock word
      die.set();
      await assert.rejects(holder.joinAsync(JOIN), RangeError);
      const results = await Promise.all(waiters.map((w) => w.joinAsync(JOIN)));
      assert.deepEqual(
        results.toSorted(),
        [`OwnerDiedError ${holder.ident}`, "acquired", "acquired"],
      );
      assert.deepEqual([...stats], [0, 0, 3]);
      assert.equal(lock.locked(), false);
    });
  }

  for (
    const [kind, form] of [
      ["RLock", "wait"],
      ["RLock", "waitAsync"],
      ["Lock", "wait"],
      ["Lock", "waitForAsync"],
      ["RLock", "waitFor"],
    ] as const
  ) {
    it(`Condition over a ${kind}: a thread dies holding the lock while another sits in ${form}(): it throws OwnerDiedError holding the lock as before, and its guard stays balanced`, async () => {
      const { lock, cond, words } = placedOver((p) =>
        kind === "Lock" ? new Lock(p) : new RLock(p)
      );
      const waiter = new Thread({
        target: async (c: Condition, l: Lock | RLock, form: string) => {
          using _held = c.guard({ timeout: 20_000 });
          const r = "isOwned" in l ? l : undefined;
          r?.acquire(); // depth 2: the wait must bring the depth back
          let how = "returned";
          try {
            const o = { timeout: 20_000 };
            if (form === "wait") c.wait(o);
            else if (form === "waitAsync") await c.waitAsync(o);
            else if (form === "waitFor") c.waitFor(() => false, o);
            else await c.waitForAsync(() => false, o);
          } catch (e) {
            how = `${(e as Error).name} ${(e as { ident: number }).ident}`;
          }
          how += r ? ` owned ${r.isOwned()} count ${r.count}` : "";
          how += ` locked ${l.locked()}`;
          r?.release();
          return how; // the guard releases here: a throw would fail the thread
        },
        args: [cond, lock, form],
      });
      waiter.start();
      await until(() => Atomics.load(words, COND_WAITERS) === 1, "the wait");
      const held = new Event(), die = new Event();
      die.set(); // fails as soon as it holds the lock
      const holder = startFailingHolder(lock, held, die);
      await assert.rejects(holder.joinAsync(JOIN), RangeError);
      const how = await waiter.joinAsync(JOIN);
      const depth = kind === "RLock" ? " owned true count 2" : "";
      assert.equal(
        how,
        `OwnerDiedError ${holder.ident}${depth} locked true`,
      );
      assert.equal(lock.locked(), false); // released by the guard
      assert.equal(Atomics.load(words, COND_WAITERS), 0);
      assert.equal(lock.acquire({ timeout: 1_000 }), true);
      lock.release();
    });
  }
});

describe("owner death: RWLock", () => {
  it("RWLock: a writer fails holding it while two readers and a writer wait: exactly one takes it over for writing (OwnerDiedError), the others get it after", async () => {
    const buffer = new SharedArrayBuffer(RWLock.byteLength);
    const rw = new RWLock({ buffer, byteOffset: 0 });
    const words = new Int32Array(buffer); // [STATE, WWAIT, RWAIT, ...]
    const held = new Event(), die = new Event();
    const writer = new Thread({
      target: (rw: RWLock, held: Event, die: Event) => {
        rw.acquireWrite();
        held.set();
        die.wait({ timeout: 20_000 });
        throw new RangeError("died holding the write lock");
      },
      args: [rw, held, die],
    });
    writer.start();
    assert.equal(await held.waitAsync({ timeout: 60_000 }), true);
    const waiters = ["read", "readAsync", "write"].map((mode) =>
      new Thread({
        target: async (rw: RWLock, mode: string) => {
          const o = { timeout: 20_000 };
          try {
            const ok = mode === "read"
              ? rw.acquireRead(o)
              : mode === "readAsync"
              ? await rw.acquireReadAsync(o)
              : rw.acquireWrite(o);
            if (!ok) return "timed out";
          } catch (e) {
            const how = `${(e as Error).name} ${
              (e as { ident: number }).ident
            }`;
            const w = rw.writeLocked() && rw.readers === 0;
            rw.releaseWrite(); // taken over for writing, whatever was asked
            return `${how} writing ${w}`;
          }
          if (mode === "write") rw.releaseWrite();
          else rw.releaseRead();
          return "acquired";
        },
        args: [rw, mode],
      })
    );
    for (const w of waiters) w.start();
    await until(
      () => Atomics.load(words, 1) === 1 && Atomics.load(words, 2) === 2,
      "one writer and two readers waiting",
    );
    die.set();
    await assert.rejects(writer.joinAsync(JOIN), RangeError);
    const results = await Promise.all(waiters.map((w) => w.joinAsync(JOIN)));
    assert.equal(
      results.filter((r) => r === `OwnerDiedError ${writer.ident} writing true`)
        .length,
      1,
      String(results),
    );
    assert.equal(results.filter((r) => r === "acquired").length, 2);
    assert.equal(rw.locked(), false);
    assert.deepEqual([...words.subarray(0, 3)], [0, 0, 0]);
  });

  it("RWLock: readers are not named: a read lock held by a thread that failed stays held, and a writer waits until its timeout (README)", async () => {
    const rw = new RWLock();
    const t = new Thread({
      target: (rw: RWLock) => {
        rw.acquireRead();
        throw new RangeError("died holding a read lock");
      },
      args: [rw],
    });
    t.start();
    await assert.rejects(t.joinAsync(JOIN), RangeError);
    assert.equal(rw.acquireWrite({ timeout: 200 }), false);
    assert.equal(rw.readers, 1);
    rw.releaseRead(); // any thread may release an RWLock
    assert.equal(rw.acquireWrite({ timeout: 1_000 }), true);
    rw.releaseWrite();
  });

  it("RWLock: a writer whose target returned holding it is not dead (any thread may release): a waiter times out with false", async () => {
    const rw = new RWLock();
    const t = new Thread({
      target: (rw: RWLock) => rw.acquireWrite(),
      args: [rw],
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
    assert.equal(rw.acquireRead({ timeout: 200 }), false);
    rw.releaseWrite();
    assert.equal(rw.acquireRead({ timeout: 1_000 }), true);
    rw.releaseRead();
  });
});
