// Copyright 2026 the threadkit authors. MIT license.
// CPython's SimpleQueue test_many_threads (tests/cpython/simple_queue_test.ts)
// with n feeders and n consumers, all started and parked on a gate first:
// prints the time of the start() calls, until all are parked, and the queue
// phase alone (from the gate's release to the last join), so that start-up
// and the queue path are told apart.
//
//   deno run -A bench/simple_queue_threads.ts [n] [total] [block|nonblock|timeout]
import { SimpleQueue, Thread } from "../mod.ts";
const n = Number(Deno.args[0] ?? 50);
const total = Number(Deno.args[1] ?? 10_000);
const how = Deno.args[2] ?? "block";
const q = new SimpleQueue<number>();
const w = new Int32Array(new SharedArrayBuffer(16)); // 0 next, 1 gate, 2 parked
const t0 = performance.now();
const threads: Thread[] = [];
for (let i = 0; i < n; i++) {
  const f = new Thread({
    target: (q: SimpleQueue<number>, w: Int32Array, total: number) => {
      Atomics.add(w, 2, 1);
      Atomics.notify(w, 2);
      while (Atomics.load(w, 1) === 0) Atomics.wait(w, 1, 0, 1000);
      for (;;) {
        const k = Atomics.add(w, 0, 1);
        if (k >= total) {
          q.put(-1);
          return 0;
        }
        q.put(k);
      }
    },
    args: [q, w, total],
  });
  f.start();
  threads.push(f);
  const c = new Thread({
    target: (q: SimpleQueue<number>, w: Int32Array, how: string) => {
      Atomics.add(w, 2, 1);
      Atomics.notify(w, 2);
      while (Atomics.load(w, 1) === 0) Atomics.wait(w, 1, 0, 1000);
      let got = 0;
      for (;;) {
        let v: number;
        if (how === "block") v = q.get({ timeout: 60_000 });
        else {for (;;) {
            try {
              v = how === "nonblock"
                ? q.get({ block: false })
                : q.get({ timeout: 0.01 });
              break;
            } catch { /* empty */ }
          }}
        if (v === -1) return got;
        got++;
      }
    },
    args: [q, w, how],
  });
  c.start();
  threads.push(c);
}
const started = performance.now();
while (Atomics.load(w, 2) < 2 * n) await new Promise((r) => setTimeout(r, 5));
const parked = performance.now();
Atomics.store(w, 1, 1);
Atomics.notify(w, 1);
const got = await Promise.all(
  threads.map((t) => t.joinAsync({ timeout: 300_000 })),
);
const done = performance.now();
console.log(
  JSON.stringify({
    n,
    total,
    how,
    sum: (got as number[]).reduce((a, b) => a + b, 0),
    startCallsMs: Math.round(started - t0),
    allParkedMs: Math.round(parked - t0),
    queuePhaseMs: Math.round(done - parked),
  }),
);
Deno.exit(0);
