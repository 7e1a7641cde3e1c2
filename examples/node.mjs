// Copyright 2026 the threadkit authors. MIT license.
// threadkit from npm, in a plain Node program (Node >= 20): two threads share
// a counter guarded by a Lock, and each returns a result to the main thread.
//
// It imports "threadkit" as any npm user does. To run it by hand:
//   deno task build:npm                  # writes the package to npm/
//   mkdir /tmp/try && cd /tmp/try && npm init -y >/dev/null
//   npm install /path/to/threadkit/npm  # or the tarball of `npm pack`
//   cp /path/to/threadkit/examples/node.mjs . && node node.mjs
// scripts/ci_node.sh does the same with the packed tarball.
//
// TODO(queue): once queue/ lands, hand the work out through a Queue instead
// of by index (a producer thread, a consumer thread).

import { Lock, Thread } from "threadkit";

const lock = new Lock();
// Shared memory: [0] the running total, [1] how many additions were made.
const shared = new Int32Array(new SharedArrayBuffer(8));

// A function target is sent to its thread as source text: it uses only its
// arguments (threadkit's exports, such as Lock, are in scope there too).
function addRange(lock, shared, from, to) {
  let sum = 0;
  for (let n = from; n < to; n++) {
    lock.acquire();
    try {
      shared[0] += n; // a read-modify-write that needs the lock
      shared[1] += 1;
    } finally {
      lock.release();
    }
    sum += n;
  }
  return { from, to, sum };
}

const threads = [
  new Thread({
    target: addRange,
    args: [lock, shared, 0, 10_000],
    name: "low",
  }),
  new Thread({
    target: addRange,
    args: [lock, shared, 10_000, 20_000],
    name: "high",
  }),
];
for (const t of threads) t.start();
const results = await Promise.all(
  threads.map((t) => t.joinAsync({ timeout: 30_000 })),
);

const expected = (20_000 * 19_999) / 2;
for (const [i, r] of results.entries()) {
  console.log(`${threads[i].name}: summed ${r.from}..${r.to - 1} = ${r.sum}`);
}
console.log(`total ${shared[0]} from ${shared[1]} additions`);
if (shared[0] !== expected || shared[1] !== 20_000) {
  console.error(`expected total ${expected} from 20000 additions`);
  process.exitCode = 1;
}
// No process.exit(): the program ends by itself once its threads have ended.
