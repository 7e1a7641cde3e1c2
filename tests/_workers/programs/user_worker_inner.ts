// Copyright 2026 the threadkit authors. MIT license.
// The module of the program's own worker in user_worker.ts: starts a
// non-daemon thread and ends.
import { parentPort, workerData } from "node:worker_threads";
import { currentThread, Thread } from "../../../mod.ts";

const t = new Thread({
  target: (words: Int32Array) => {
    // Bounded: a bug shows as "thread done before: false", not as a hang.
    const woke = Atomics.wait(words, 0, 0, 30_000) !== "timed-out";
    Atomics.store(words, 1, woke ? 1 : 2);
  },
  args: [workerData as Int32Array],
  name: "inner",
});
t.start();
parentPort!.postMessage(`module done, ident ${currentThread().ident}`);
