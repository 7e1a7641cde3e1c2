// Copyright 2026 the threadkit authors. MIT license.
// The only thread left running is a daemon, blocked on a lock the main thread
// keeps: the process must exit by itself once the main thread is done.
import { Lock, Thread } from "../../../mod.ts";
import { CONTENDED } from "../../../sync/_holder.ts";
import { until } from "../../_helpers.ts";

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
// Blocked for real: the daemon marks the lock's word CONTENDED
// (sync/lock.ts) just before it sleeps on it; waited for (bounded), not
// slept for. Its Atomics.wait itself cannot be seen from here: marked, it
// is asleep or about to be, and stays so, since main never releases.
const word = new Int32Array(buffer);
const marked = () => Atomics.load(word, 0) >= CONTENDED;
await until(() => marked() || !t.isAlive(), "the daemon to block", 20_000);
const blocked = marked();
console.log(`main done, daemon alive: ${t.isAlive()}, blocked: ${blocked}`);
