// Copyright 2026 the threadkit authors. MIT license.
// threadkit inside a worker the program started itself (a node:worker_threads
// worker, on Deno and Node): that worker's non-daemon thread runs to its end
// before the worker exits, as a started thread's would. There threadkit's
// main thread (ident 1) is not the process's, so its threads' workers are
// not unref'd (_core/adapter.ts onProcessMain).
// The inner module (user_worker_inner.ts) starts a thread that waits on
// word 0 and then sets word 1; this side sets word 0 once the inner module
// has run to its end (its message), and reports word 1 at the worker's exit.
import { Worker } from "node:worker_threads";

const words = new Int32Array(new SharedArrayBuffer(8));
const worker = new Worker(
  new URL("./user_worker_inner.ts", import.meta.url),
  { workerData: words },
);
worker.on("message", (m) => {
  console.log(`worker: ${m}`);
  // The thread goes on after the worker's module is done. Why no lost
  // wakeup: the thread checks word 0 before it sleeps (Atomics.wait's
  // value test), and this stores before it notifies.
  Atomics.store(words, 0, 1);
  Atomics.notify(words, 0);
});
worker.on("error", (e) => console.log(`worker error: ${e}`));
worker.on("exit", (code) => {
  console.log(
    `worker exit ${code}, thread done before: ${Atomics.load(words, 1) === 1}`,
  );
});
