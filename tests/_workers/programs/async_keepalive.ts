// Copyright 2026 the threadkit authors. MIT license.
// Pending async waits alone keep the process alive (_core/wait.ts: a ref'd
// timer while one is pending, unref'd once none is). The waits are ended by
// a node:worker_threads worker that the program unrefs (so it holds
// nothing), 300 ms after each began: it sets the Event's word and notifies,
// then releases the Lock's. Between the two waits a timer runs, so the
// second wait refs the keep-alive again. On Node a missing keep-alive ends
// the process early (exit code 13: measured, a bare pending
// Atomics.waitAsync with an unref'd worker to end it); Deno 2.9.6 keeps the
// process alive for the running worker itself, so there the program checks
// the other half only: a keep-alive left ref'd would keep the process alive
// until the test's bound.
import { Worker } from "node:worker_threads";
import { Event, Lock } from "../../../mod.ts";

const TO_DESCRIPTOR = Symbol.for("threadkit.toDescriptor");
type Described = Record<
  symbol,
  () => { buffer: SharedArrayBuffer; byteOffset: number }
>;
const where = (p: object) => (p as unknown as Described)[TO_DESCRIPTOR]();

const event = new Event(), lock = new Lock();
lock.acquire(); // held until the worker releases it (any thread may)
const go = new Int32Array(new SharedArrayBuffer(4));
const worker = new Worker(
  `
  const { workerData: d } = require("node:worker_threads");
  const go = d.go;
  const ev = new Int32Array(d.event.buffer, d.event.byteOffset, 1);
  const lock = new Int32Array(d.lock.buffer, d.lock.byteOffset, 1);
  const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  // A pause of this worker, not an ordering: the main thread's wait must be
  // pending for a while with nothing else holding the process.
  Atomics.wait(go, 0, 0, 20000);
  pause();
  Atomics.or(ev, 0, 1); // Event.set: an even (clear) STATE becomes odd
  Atomics.notify(ev, 0);
  Atomics.wait(go, 0, 1, 20000);
  pause();
  const prev = Atomics.exchange(lock, 0, 0); // Lock.release
  if (prev >= 0x40000000) Atomics.notify(lock, 0, 1);
  `,
  { eval: true, workerData: { go, event: where(event), lock: where(lock) } },
);
worker.unref();
Atomics.store(go, 0, 1);
Atomics.notify(go, 0);
console.log("event", await event.waitAsync({ timeout: 20_000 }));
await new Promise((r) => setTimeout(r, 200));
Atomics.store(go, 0, 2);
Atomics.notify(go, 0);
console.log("lock", await lock.acquireAsync({ timeout: 20_000 }));
