// Copyright 2026 the threadkit authors. MIT license.
// The main thread's end is an end, never a stop (_core/lifetime.ts): its
// code may still run afterwards, here in an unref'd timer (which keeps
// nothing alive, so the main thread ends at once). argv[2] says what to run:
// - rlock: the main thread holds an RLock across its end; a thread that saw
//   the end (join) tries it for 300 ms (six death-check slices), which must
//   time out (no takeover, no OwnerDiedError), then waits for it; the main
//   thread's timer releases it once told, and the thread gets it then.
// - barrier: a 3-party Barrier; T1 waits at it, the main thread arrives
//   after its end (waitAsync from its timer), T2 waits until both are there,
//   looks 300 ms later that the barrier is not broken, and arrives: all
//   three pass.
// Each thread prints one JSON line; every wait is bounded.
import process from "node:process";
import { Barrier, mainThread, RLock, Thread } from "../../../mod.ts";

const how = process.argv[2];

function unref(timer: ReturnType<typeof setInterval>): void {
  const deno = (globalThis as { Deno?: { unrefTimer(id: number): void } })
    .Deno;
  if (deno !== undefined) deno.unrefTimer(timer as unknown as number);
  else (timer as unknown as { unref(): void }).unref();
}

// Runs `fn` in the main thread once its end is recorded, from an unref'd
// timer: code of the main thread that runs after its end.
function afterMainEnd(fn: () => void): void {
  const timer = setInterval(() => {
    if (mainThread().isAlive()) return;
    clearInterval(timer);
    fn();
  }, 10);
  unref(timer);
}

if (how === "rlock") {
  const rlock = new RLock();
  // [0]: the thread's first try is over; [1]: the main thread released
  const word = new Int32Array(new SharedArrayBuffer(8));
  rlock.acquire();
  new Thread({
    // Sent as source: mainThread is in its scope there.
    target: (rlock: RLock, word: Int32Array) => {
      const ended = mainThread().join({ timeout: 30_000 });
      const attempt = (timeout: number) => {
        try {
          return String(rlock.acquire({ timeout }));
        } catch (error) {
          return (error as Error).name;
        }
      };
      const first = attempt(300);
      Atomics.store(word, 0, 1);
      Atomics.notify(word, 0);
      const second = attempt(30_000);
      const released = Atomics.load(word, 1) === 1;
      if (second === "true") rlock.release();
      console.log(
        JSON.stringify({ who: "thread", ended, first, second, released }),
      );
    },
    args: [rlock, word],
  }).start();
  afterMainEnd(() => {
    const timer = setInterval(() => {
      if (Atomics.load(word, 0) === 0) return;
      clearInterval(timer);
      Atomics.store(word, 1, 1);
      rlock.release();
      console.log(JSON.stringify({ who: "main", released: true }));
    }, 10);
    unref(timer);
  });
} else if (how === "barrier") {
  const barrier = new Barrier(3);
  new Thread({
    target: (barrier: Barrier) => {
      let out: string;
      try {
        barrier.wait({ timeout: 30_000 });
        out = "passed";
      } catch (error) {
        out = (error as Error).name;
      }
      console.log(JSON.stringify({ who: "t1", out }));
    },
    args: [barrier],
  }).start();
  new Thread({
    target: (barrier: Barrier) => {
      const ended = mainThread().join({ timeout: 30_000 });
      // Until T1 and the ended main thread wait at the barrier.
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const until = Date.now() + 30_000;
      while (barrier.nWaiting < 2 && Date.now() < until) {
        Atomics.wait(pause, 0, 0, 5);
      }
      const both = barrier.nWaiting === 2;
      // Six death-check slices of the two waiters.
      Atomics.wait(pause, 0, 0, 300);
      const broken = barrier.broken;
      let out: string;
      try {
        barrier.wait({ timeout: 30_000 });
        out = "passed";
      } catch (error) {
        out = (error as Error).name;
      }
      console.log(JSON.stringify({ who: "t2", ended, both, broken, out }));
    },
    args: [barrier],
  }).start();
  afterMainEnd(() => {
    barrier.waitAsync({ timeout: 30_000 }).then(
      () => "passed",
      (error) => (error as Error).name,
    ).then((out) => console.log(JSON.stringify({ who: "main", out })));
  });
}
console.log(JSON.stringify({ who: "module", alive: mainThread().isAlive() }));
