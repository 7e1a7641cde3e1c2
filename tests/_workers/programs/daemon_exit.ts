// Copyright 2026 the threadkit authors. MIT license.
// The only thread left running is a daemon, blocked on a lock the main thread
// keeps: the process must exit by itself once the main thread is done.
import { Lock, Thread } from "../../../mod.ts";

const buffer = new SharedArrayBuffer(Lock.byteLength);
const lock = new Lock({ buffer, byteOffset: 0 });
lock.acquire();
const t = new Thread({
  target: (lock: Lock) => {
    lock.acquire(); // blocks forever: main never releases
  },
  args: [lock],
  daemon: true,
});
t.start();
// Blocked for real: the daemon marks the lock's word CONTENDED (2^30,
// sync/lock.ts) just before it sleeps on it; polled (bounded), not slept
// for. Its Atomics.wait itself cannot be seen from here: marked, it is
// asleep or about to be, and stays so, since main never releases.
const word = new Int32Array(buffer);
const pause = new Int32Array(new SharedArrayBuffer(4));
const end = performance.now() + 20_000;
while (Atomics.load(word, 0) < 2 ** 30 && performance.now() < end) {
  Atomics.wait(pause, 0, 0, 1);
}
const blocked = Atomics.load(word, 0) >= 2 ** 30;
console.log(`main done, daemon alive: ${t.isAlive()}, blocked: ${blocked}`);
