// Copyright 2026 the threadkit authors. MIT license.
// threadkit from npm, in a plain Node program (Node >= 20.16): the main
// thread feeds numbers into a Queue, two threads take them out and add them
// to a shared total guarded by a Lock, and each returns how many it handled.
//
// It imports "threadkit" as any npm user does. To run it by hand:
//   deno task build:npm                  # writes the package to npm/
//   mkdir /tmp/try && cd /tmp/try && npm init -y >/dev/null
//   npm install /path/to/threadkit/npm  # or the tarball of `npm pack`
//   cp /path/to/threadkit/examples/node.mjs . && node node.mjs
// scripts/ci_node.sh does the same with the packed tarball.

import { Lock, Queue, Thread } from "threadkit";

const N = 20_000;
const jobs = new Queue({ capacity: 256, type: "int32" });
const lock = new Lock();
// Shared memory: [0] the running total, [1] how many additions were made.
const shared = new Int32Array(new SharedArrayBuffer(8));

// A function target is sent to its thread as source text: it uses only its
// arguments and threadkit's exports (Lock, QueueShutDownError, ...), which
// are in scope there.
function consume(jobs, lock, shared) {
  let handled = 0;
  for (;;) {
    let n;
    try {
      n = jobs.get({ timeout: 30_000 });
    } catch (error) {
      if (error instanceof QueueShutDownError) return handled; // drained
      throw error;
    }
    lock.acquire();
    try {
      shared[0] += n; // a read-modify-write that needs the lock
      shared[1] += 1;
    } finally {
      lock.release();
    }
    handled++;
  }
}

const threads = ["left", "right"].map((name) =>
  new Thread({ target: consume, args: [jobs, lock, shared], name })
);
for (const t of threads) t.start();
// putAsync waits for room without blocking this thread's event loop.
for (let n = 1; n <= N; n++) await jobs.putAsync(n, { timeout: 30_000 });
jobs.shutdown(); // the threads drain what is left, then their get() throws
const handled = await Promise.all(
  threads.map((t) => t.joinAsync({ timeout: 30_000 })),
);

for (const [i, t] of threads.entries()) {
  console.log(`${t.name}: handled ${handled[i]} numbers`);
}
console.log(`total ${shared[0]} from ${shared[1]} additions`);
const expected = (N * (N + 1)) / 2;
if (
  shared[0] !== expected || shared[1] !== N || handled[0] + handled[1] !== N
) {
  console.error(`expected total ${expected} from ${N} additions`);
  process.exitCode = 1;
}
// No process.exit(): the program ends by itself once its threads have ended.
