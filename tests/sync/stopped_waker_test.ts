// Copyright 2026 the threadkit authors. MIT license.
// A notifier that stops between its state change and its wake (Event.set
// between its flip and its notify; Lock, Semaphore and RWLock releases
// between their store and their wake): the sleeper still returns within a
// bound (_core/wait.ts, "A waker that stops"). The stopping thread is a real
// thread that makes the library's own call and stops at the wake's first
// step (tests/_workers/stop_waker.ts): by a real stack overflow there, which
// it catches and survives, or by exiting there. Async sleepers in the test's
// thread (an Event's waitAsync sleeps in long slices: the keep-alive's tick
// ends one whose word changed), and a blocking Event sleeper in a thread.
// (A Condition's notifier holds the lock: one that stops there is seen by
// the sleepers' death check, tests/sync/owner_stop_test.ts.)
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Event, Lock, RWLock, Semaphore, Thread } from "../../mod.ts";
import { until } from "../_helpers.ts";

const stop = new URL("../_workers/stop_waker.ts", import.meta.url);
const JOIN = { timeout: 30_000 };
// A lost wakeup hangs forever: any bound catches it (slices are 50 ms).
const BOUND = 15_000;

// The primitive's words (its descriptor names them).
function words(p: object, n: number): Int32Array {
  const key = Symbol.for("threadkit.toDescriptor");
  const d = (p as Record<
    symbol,
    () => {
      buffer: SharedArrayBuffer;
      byteOffset: number;
    }
  >)[key]();
  return new Int32Array(d.buffer, d.byteOffset, n);
}

interface Case {
  name: string;
  make(): object;
  /** The stopper's call: first `before`, then `verb`, which stops. */
  before: string;
  verb: string;
  method: "add" | "notify";
  index: number;
  /** The sleeper's async wait (no timeout); resolves when it got through. */
  sleep(p: object): Promise<unknown>;
  /** Whether the sleeper has registered (word `at` of the view is 1). */
  registered?: number;
  /** After a failure: the wake the stopper did not make. */
  rescue(p: object): void;
}

// A case whose verb wakes with a notify on word 0 (its rescue: that notify).
function notifyCase(
  name: string,
  make: () => object,
  before: string,
  verb: string,
  sleep: (p: object) => Promise<unknown>,
  registered?: number,
): Case {
  const rescue = (p: object) => void Atomics.notify(words(p, 1), 0);
  return {
    name,
    make,
    before,
    verb,
    method: "notify",
    index: 0,
    sleep,
    registered,
    rescue,
  };
}

// An RWLock case: releaseWrite bumps sequence word `index` (WSEQ 3, RSEQ
// 4) for a sleeper registered in word `registered` (WWAIT 1, RWAIT 2).
function rwCase(
  name: string,
  index: number,
  sleep: (rw: RWLock) => Promise<unknown>,
  registered: number,
): Case {
  return {
    name,
    make: () => new RWLock(),
    before: "acquireWrite",
    verb: "releaseWrite",
    method: "add",
    index,
    sleep: (rw) => sleep(rw as RWLock),
    registered,
    rescue: (rw) => {
      Atomics.add(words(rw, 5), index, 1);
      Atomics.notify(words(rw, 5), index);
    },
  };
}

const CASES: Case[] = [
  notifyCase(
    "Event.set",
    () => new Event(),
    "",
    "set",
    (e) => (e as Event).waitAsync(),
  ),
  notifyCase(
    "Lock.release",
    () => new Lock(),
    "acquire",
    "release",
    (l) => (l as Lock).acquireAsync(),
  ),
  notifyCase(
    "Semaphore.release",
    () => new Semaphore(0),
    "",
    "release",
    (s) => (s as Semaphore).acquireAsync(),
    1, // WAITERS
  ),
  rwCase(
    "RWLock.releaseWrite to a writer",
    3,
    (rw) => rw.acquireWriteAsync(),
    1,
  ),
  rwCase(
    "RWLock.releaseWrite to a reader",
    4,
    (rw) => rw.acquireReadAsync(),
    2,
  ),
];

type Mode = "overflow" | "exit";

// Starts the stopping thread: it calls `before` on `p`, holds (word 0 of
// `held` set) until go(held), then calls `verb` and stops at its wake
// (`method`, word `index`), setting word 0 of `stopped`.
function startStopper(
  p: object,
  before: string,
  verb: string,
  method: string,
  index: number,
  mode: Mode,
) {
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  const held = new Int32Array(new SharedArrayBuffer(8));
  const t: Thread = new Thread({
    target: { module: stop, export: "callThenStop" },
    args: [p, before, verb, method, index, mode, stopped, held],
  });
  t.start();
  return { t, stopped, held };
}

// Lets the held stopper go on to its verb.
function go(held: Int32Array): void {
  Atomics.store(held, 1, 1);
  Atomics.notify(held, 1);
}

// The stopper ended as its mode makes it end, stopped at the wake.
async function stoppedAtWake(
  t: Thread,
  stopped: Int32Array,
  mode: Mode,
): Promise<void> {
  if (mode === "overflow") {
    assert.equal(await t.joinAsync(JOIN), "RangeError");
  } else await assert.rejects(t.joinAsync(JOIN));
  assert.equal(Atomics.load(stopped, 0), 1, "the stop came at the wake");
}

for (const mode of ["overflow", "exit"] as const) {
  describe(`a notifier that stops before its wake (${mode})`, () => {
    for (const c of CASES) {
      it(`${c.name}: an async sleeper gets through`, async () => {
        const p = c.make();
        const { t, stopped, held } = startStopper(
          p,
          c.before,
          c.verb,
          c.method,
          c.index,
          mode,
        );
        let sleeping: Promise<unknown> | undefined;
        try {
          await until(() => Atomics.load(held, 0) === 1, "the stopper's hold");
          sleeping = c.sleep(p);
          if (c.registered !== undefined) {
            const v = words(p, c.registered + 1);
            await until(
              () => Atomics.load(v, c.registered!) === 1,
              "the sleeper",
            );
          }
          go(held);
          await stoppedAtWake(t, stopped, mode);
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error("the sleeper never got through")),
              BOUND,
            );
          });
          try {
            assert.equal(await Promise.race([sleeping, late]), true);
          } finally {
            clearTimeout(timer);
          }
        } finally {
          go(held);
          c.rescue(p);
          await sleeping?.catch(() => {});
          if (t.isAlive()) await t.joinAsync(JOIN).catch(() => {});
        }
      });
    }

    it("Event.set: a blocking sleeper in a thread gets through", async () => {
      const e = new Event();
      const done = new Int32Array(new SharedArrayBuffer(4));
      const sleeper = new Thread({
        target: (e: Event, done: Int32Array) => {
          const r = e.wait(); // no timeout
          Atomics.store(done, 0, 1);
          return r;
        },
        args: [e, done],
      });
      sleeper.start();
      const { t, stopped, held } = startStopper(
        e,
        "",
        "set",
        "notify",
        0,
        mode,
      );
      try {
        await until(() => Atomics.load(held, 0) === 1, "the stopper");
        go(held);
        await stoppedAtWake(t, stopped, mode);
        await until(() => Atomics.load(done, 0) === 1, "the sleeper", BOUND);
        assert.equal(await sleeper.joinAsync(JOIN), true);
      } finally {
        Atomics.notify(words(e, 1), 0);
        await sleeper.joinAsync(JOIN);
      }
    });
  });
}
