// Copyright 2026 the threadkit authors. MIT license.
// CPython's test_concurrent_futures subprocess cases: a task that works for
// 300 ms and prints "apple", submitted by a program whose main code then
// ends in one of three ways (argv[2]):
//   drop    - drops the Future, never shuts down (test_interpreter_shutdown)
//   nowait  - shutdown({ wait: false }) (test_hang_gh83386)
//   cancel  - shutdown({ wait: false, cancelFutures: true })
//             (test_cancel_futures_wait_false)
// The process must print "apple" (or, for cancel, may print nothing when the
// task had not started) and exit by itself with nothing on stderr.
import process from "node:process";
import { ThreadPoolExecutor } from "../../../mod.ts";

const mode = process.argv[2];
const pool = new ThreadPoolExecutor({ maxWorkers: 3 });
pool.submit(() => {
  // The task's work: 300 ms (CPython: sleep_and_print(1.0, "apple")).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  console.log("apple");
});
if (mode === "nowait") pool.shutdown({ wait: false });
else if (mode === "cancel") pool.shutdown({ wait: false, cancelFutures: true });
else if (mode !== "drop") throw new Error(`unknown mode ${mode}`);
