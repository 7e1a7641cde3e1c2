// Copyright 2026 the threadkit authors. MIT license.
// Ended is not stopped: a lock is taken over only from a holder that has
// stopped (runs no more JavaScript), never from one that is merely ended
// (its starter died or returned and presumed it ended, or its target ended
// while its event loop runs on). The guard and with... forms release a lock
// they took over; the unbounded queue's chain goes on after a takeover.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Condition,
  currentThread,
  Lock,
  moduleTarget,
  OwnerDiedError,
  RLock,
  RWLock,
  Thread,
} from "../../mod.ts";
import { Chain } from "../../queue/_chain.ts";
import { lockAt } from "../../sync/_lock_at.ts";
import { endEntry, reserveEntry, runtime } from "../../_core/runtime.ts";
import { until } from "../_helpers.ts";
import type { dieHoldingChain } from "../_workers/chain_death.ts";

const JOIN = { timeout: 60_000 };
// How long a waiter tries while the holder sits inside: many 50 ms death
// checks. A takeover in this time is the bug; false is the right answer.
const TRY = { timeout: 1_000 };
// flags: [0] holder inside, [1] main done trying, [2] overlaps the holder
// saw (the lock word named another thread while it was inside), [3] holder
// left, [4] holder's result (1 released), [5] a keeper child may end
const flags = () => new Int32Array(new SharedArrayBuffer(32));

// Runs inside the holder: sets [0], stays inside until [1] (bounded),
// counting words that do not name it in [2]; then [3].
function holderBody(word: Int32Array, me: number, f: Int32Array): void {
  Atomics.store(f, 0, 1);
  Atomics.notify(f, 0);
  for (let i = 0; Atomics.load(f, 1) === 0 && i < 120_000; i++) {
    if ((Atomics.load(word, 0) & 0x3fffffff) !== me) Atomics.add(f, 2, 1);
    Atomics.wait(f, 1, 0, 1);
  }
  Atomics.store(f, 3, 1);
}

async function flag(f: Int32Array, i: number, what: string): Promise<void> {
  await until(() => Atomics.load(f, i) !== 0, what, 60_000);
}

describe("owner death: presumed ends are not stops", () => {
  it("a daemon thread still inside a Lock after its starter returned is not taken over", async () => {
    const buffer = new SharedArrayBuffer(8);
    const lock = new Lock({ buffer, byteOffset: 0 });
    const f = flags();
    const parent = new Thread({
      name: "parent",
      args: [buffer, f, holderBody.toString()],
      target: (buffer: SharedArrayBuffer, f: Int32Array, body: string) => {
        const child = new Thread({
          name: "daemon child",
          daemon: true,
          args: [buffer, f, body],
          target: (buffer: SharedArrayBuffer, f: Int32Array, body: string) => {
            const lock = new Lock({ buffer, byteOffset: 0 });
            lock.acquire();
            const me = new Int32Array(buffer)[0] & 0x3fffffff;
            new Function("return " + body)()(new Int32Array(buffer), me, f);
            lock.release();
          },
        });
        child.start();
        Atomics.wait(f, 0, 0, 60_000);
      },
    });
    parent.start();
    await flag(f, 0, "the child inside");
    await parent.joinAsync(JOIN); // endOrphans has ended the child's entry
    assert.equal(lock.acquire(TRY), false); // no OwnerDiedError, no entry
    Atomics.store(f, 1, 1);
    Atomics.notify(f, 1);
    assert.equal(Atomics.load(f, 2), 0);
    leftOrStopped(lock, f);
  });

  it("a thread still inside an RLock after its starter exited is not taken over", async () => {
    const buffer = new SharedArrayBuffer(16);
    const lock = new RLock({ buffer, byteOffset: 0 });
    const f = flags();
    const parent = new Thread({
      name: "parent",
      args: [buffer, f, holderBody.toString()],
      target: (buffer: SharedArrayBuffer, f: Int32Array, body: string) => {
        const child = new Thread({
          name: "child",
          args: [buffer, f, body],
          target: (buffer: SharedArrayBuffer, f: Int32Array, body: string) => {
            const lock = new RLock({ buffer, byteOffset: 0 });
            lock.acquire();
            const me = new Int32Array(buffer)[0] & 0x3fffffff;
            new Function("return " + body)()(new Int32Array(buffer), me, f);
            lock.release();
          },
        });
        child.start();
        Atomics.wait(f, 0, 0, 60_000);
        (globalThis as unknown as { process: { exit(n: number): never } })
          .process.exit(3);
      },
    });
    parent.start();
    await flag(f, 0, "the child inside");
    await assert.rejects(parent.joinAsync(JOIN), { name: "ThreadExitError" });
    assert.equal(lock.acquire(TRY), false);
    Atomics.store(f, 1, 1);
    Atomics.notify(f, 1);
    assert.equal(Atomics.load(f, 2), 0);
    leftOrStopped(lock, f);
  });

  it("leftover async work inside an RLock after the thread's target returned is not taken over", async () => {
    const buffer = new SharedArrayBuffer(16);
    const lock = new RLock({ buffer, byteOffset: 0 });
    const f = flags();
    const parent = new Thread({
      name: "parent",
      args: [buffer, f],
      target: (buffer: SharedArrayBuffer, f: Int32Array) => {
        // A non-daemon child keeps this thread's event loop up until [5],
        // set once the leftover work is out ([3]): released at [1], the
        // thread could end (and stop its leftover work) before that work
        // saw [1].
        new Thread({
          args: [f],
          target: (f: Int32Array) => void Atomics.wait(f, 5, 0, 60_000),
        }).start();
        const self = currentThread();
        (async () => {
          // After the target returned: its entry is freed.
          for (let i = 0; self.isAlive() && i < 60_000; i++) {
            await new Promise((r) => setTimeout(r, 1));
          }
          const lock = new RLock({ buffer, byteOffset: 0 });
          await lock.acquireAsync();
          const me = new Int32Array(buffer)[0] & 0x3fffffff;
          Atomics.store(f, 0, 1);
          for (let i = 0; Atomics.load(f, 1) === 0 && i < 60_000; i++) {
            if ((Atomics.load(new Int32Array(buffer), 0) & 0x3fffffff) !== me) {
              Atomics.add(f, 2, 1);
            }
            await new Promise((r) => setTimeout(r, 1));
          }
          Atomics.store(f, 3, 1);
          lock.release();
        })();
      },
    });
    parent.start();
    try {
      await parent.joinAsync(JOIN);
      await flag(f, 0, "the leftover work inside");
      assert.equal(parent.isAlive(), false);
      assert.equal(lock.acquire(TRY), false);
      Atomics.store(f, 1, 1);
      Atomics.notify(f, 1);
      await flag(f, 3, "the leftover work out");
      assert.equal(Atomics.load(f, 2), 0);
      assert.equal(lock.acquire(JOIN), true); // released by its holder
      lock.release();
    } finally {
      Atomics.store(f, 5, 1); // the child ends, and with it the parent
      Atomics.notify(f, 5);
    }
  });
});

// After [1]: the holder leaves and releases (a thread that runs on), or the
// runtime stopped it with its starter (then nobody may take the lock: a
// presumed end is never a stop, a stated limit). Either way no overlap.
function leftOrStopped(lock: Lock | RLock, f: Int32Array) {
  const got = lock.acquire({ timeout: 5_000 });
  if (got) {
    assert.equal(Atomics.load(f, 3), 1);
    lock.release();
  }
  assert.equal(Atomics.load(f, 2), 0);
}

// A thread that takes `acquire` and fails holding it: a stopped, failed
// holder (its stop is recorded before its worker goes).
async function deadHolder(
  target: (...args: never[]) => unknown,
  args: unknown[],
): Promise<number> {
  const t = new Thread({ target, args: args as never[] });
  t.start();
  await assert.rejects(t.joinAsync(JOIN), RangeError);
  return t.ident!;
}
const released = (ident: number) => (e: unknown) =>
  e instanceof OwnerDiedError && e.released && e.ident === ident &&
  /released again/.test(e.message);

describe("owner death: guard forms release a lock they took over", () => {
  const dieWith = (l: Lock | RLock | Condition) => {
    l.acquire();
    throw new RangeError("died holding it");
  };
  for (const kind of ["Lock", "RLock", "Condition"] as const) {
    const make = () =>
      kind === "Lock"
        ? new Lock()
        : kind === "RLock"
        ? new RLock()
        : new Condition(new RLock());
    it(`${kind}: guard, guardAsync, withLock, withLockAsync throw OwnerDiedError with released true, the lock free; acquire keeps it`, async () => {
      const forms: [string, (l: ReturnType<typeof make>) => unknown][] = [
        ["guard", (l) => l.guard(JOIN)],
        ["guardAsync", (l) => l.guardAsync(JOIN)],
        ["withLock", (l) => l.withLock(() => assert.fail("ran"), JOIN)],
        [
          "withLockAsync",
          (l) => l.withLockAsync(() => assert.fail("ran"), JOIN),
        ],
      ];
      for (const [name, form] of forms) {
        const l = make();
        const ident = await deadHolder(dieWith, [l]);
        try {
          await form(l);
          assert.fail(`${name} did not throw`);
        } catch (e) {
          assert.ok(released(ident)(e), `${name}: ${e}`);
          assert.equal((e as Error).cause instanceof OwnerDiedError, true);
        }
        assert.equal(l.acquire({ blocking: false }), true, `${name}: free`);
        l.release();
      }
      const l = make();
      const ident = await deadHolder(dieWith, [l]);
      assert.throws(
        () => l.acquire(JOIN),
        (e) => e instanceof OwnerDiedError && !e.released && e.ident === ident,
      );
      if (!(l instanceof Condition)) assert.equal(l.locked(), true); // held
      l.release();
    });
  }

  it("RWLock: readGuard, writeGuardAsync, withReadLock, withWriteLockAsync release the write lock they took over", async () => {
    const dieWriting = (rw: RWLock) => {
      rw.acquireWrite();
      throw new RangeError("died holding it");
    };
    const forms: [string, (rw: RWLock) => unknown][] = [
      ["readGuard", (rw) => rw.readGuard(JOIN)],
      ["writeGuardAsync", (rw) => rw.writeGuardAsync(JOIN)],
      ["withReadLock", (rw) => rw.withReadLock(() => assert.fail(), JOIN)],
      [
        "withWriteLockAsync",
        (rw) => rw.withWriteLockAsync(() => assert.fail(), JOIN),
      ],
    ];
    for (const [name, form] of forms) {
      const rw = new RWLock();
      const ident = await deadHolder(dieWriting, [rw]);
      await assert.rejects(async () => await form(rw), released(ident), name);
      assert.equal(rw.locked(), false, `${name}: free`);
    }
  });
});

describe("owner death: the unbounded queue's chain goes on after a takeover", () => {
  const die = moduleTarget<typeof dieHoldingChain>(
    new URL("../_workers/chain_death.ts", import.meta.url),
    "dieHoldingChain",
  );
  const dead = async (c: Chain<number>, how: string) => {
    const t = new Thread({
      target: die,
      args: [c.buffer, c.base, how as never],
    });
    t.start();
    await assert.rejects(t.joinAsync(JOIN), RangeError);
  };

  it("a grow that stopped after retiring its segment is finished by the next taker of LOCK", async () => {
    const c = new Chain<number>({ initialCapacity: 2, type: "int32" });
    c.segment(0).put(1);
    await dead(c, "retired");
    c.awaitGrow(0); // takes LOCK over, repairs, releases
    assert.equal(c.last(), 1);
    assert.equal(lockAt(c.buffer, c.base).locked(), false);
    c.segment(1).put(2);
    assert.equal(c.segment(0).getNowait(), 1);
    assert.equal(c.segment(1).getNowait(), 2);
  });

  // The async forms take LOCK over in the acquire's own step (queue/
  // _grow_wait.ts underLock): the repair and their step run there.
  const WAIT = { blocking: true, deadline: Infinity, signal: undefined };

  it("awaitGrowAsync and growAsync finish a grow that stopped after retiring its segment", async () => {
    for (const form of ["awaitGrowAsync", "growAsync"] as const) {
      const c = new Chain<number>({ initialCapacity: 2, type: "int32" });
      c.segment(0).put(1);
      await dead(c, "retired");
      if (form === "awaitGrowAsync") await c.awaitGrowAsync(0, WAIT);
      else assert.equal(await c.growAsync(0, 0, WAIT), true, form);
      assert.equal(c.last(), 1, form);
      assert.equal(lockAt(c.buffer, c.base).locked(), false, form);
      c.segment(1).put(2);
      assert.equal(c.segment(0).getNowait(), 1);
      assert.equal(c.segment(1).getNowait(), 2);
    }
  });

  it("growAsync after a holder stopped holding LOCK grows once", async () => {
    const c = new Chain<number>({ initialCapacity: 2, type: "int32" });
    await dead(c, "hold");
    assert.equal(await c.growAsync(0, 0, WAIT), true);
    assert.equal(c.last(), 1);
    assert.equal(lockAt(c.buffer, c.base).locked(), false);
  });

  for (const how of ["hold", "shut"] as const) {
    it(`shutdown() is applied after a takeover (${how === "hold" ? "a holder stopped holding LOCK" : "a shutdown stopped halfway"})`, async () => {
      const c = new Chain<number>({ initialCapacity: 2, type: "int32" });
      await dead(c, how);
      c.shutdown(false);
      assert.equal(c.isShutdown, true);
      assert.equal(c.segment(c.last()).isShutdown, true);
      assert.equal(lockAt(c.buffer, c.base).locked(), false);
    });
  }
});

describe("idents", () => {
  it("reserveEntry refuses an ident that reaches 2^30 with a RuntimeError", () => {
    const view = runtime().view;
    const next = Atomics.load(view, 1); // NEXT_IDENT
    Atomics.store(view, 1, 0x40000000);
    try {
      assert.throws(() => reserveEntry("x", false), {
        name: "RuntimeError",
        message: /thread idents/,
      });
    } finally {
      Atomics.store(view, 1, next);
    }
    const entry = reserveEntry("y", false); // the refused entry was freed
    assert.ok(entry.ident >= next && entry.ident < 0x40000000);
    endEntry(entry.entry, entry.ident);
  });
});
