// Copyright 2026 the threadkit authors. MIT license.
// The only thread left running is a daemon, blocked on a lock the main thread
// keeps: the process must exit by itself once the main thread is done.
import { Lock, Thread } from "../../../mod.ts";

const lock = new Lock();
lock.acquire();
const t = new Thread({
  target: (lock: Lock) => {
    lock.acquire(); // blocks forever: main never releases
  },
  args: [lock],
  daemon: true,
});
t.start();
// Give it time to be blocked for real.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
console.log(`main done, daemon alive: ${t.isAlive()}`);
