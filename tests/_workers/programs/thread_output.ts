// Copyright 2026 the threadkit authors. MIT license.
// A thread's console output, as its program ends (argv[2]):
//   pool   - a pool task logs; the main thread takes its result
//   plain  - a thread logs; the main thread joins it
//   daemon - the same, a daemon thread
//   spare  - the same, the thread on a spare worker (prestartThreads)
// The thread writes "a", "b", then "e" to stderr, then "c"; the main thread
// writes "done" once the result is in or the join returned, and its code
// ends there (the pool's threads and the daemon hold nothing). Every line
// must be out before "done": a Python thread's print is written when it
// returns.
import process from "node:process";
import { prestartThreads, Thread, ThreadPoolExecutor } from "../../../mod.ts";

const mode = process.argv[2];
const logs = () => {
  console.log("a");
  console.log("b");
  console.error("e");
  console.log("c");
  return 7;
};
const WAIT = { timeout: 60_000 };
if (mode === "pool") {
  const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
  if (pool.submit(logs).result(WAIT) !== 7) throw new Error("no result");
} else {
  if (mode === "spare") {
    const until = performance.now() + 60_000;
    while (prestartThreads(1) < 1 && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 5));
    }
    if (prestartThreads(1) < 1) throw new Error("no spare");
  }
  const t = new Thread({ target: logs, daemon: mode === "daemon" });
  t.start();
  if (!t.join(WAIT) || t.result !== 7) throw new Error("no join");
}
console.log("done");
