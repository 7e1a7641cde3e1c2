// Copyright 2026 the threadkit authors. MIT license.
// One task at a time, finely interleaved in one process (the loaded machine's
// load moves faster than mitata's one-benchmark-after-another runs): per
// round, 100 round trips of each kind (raw waitAsync and wait/notify
// ping-pong with a blocked peer, executor submit+await and submit+result());
// the ratio per round, then the median ratio over ROUNDS rounds. For scale,
// a raw waitAsync ping-pong whose peer works 1 µs before it answers
// (rawAsync1us): the raw peer answers in about 0.25 µs, before this thread's
// event loop has gone to sleep, and an answer that comes later pays for the
// loop's wake.
//
//   deno run -A bench/round_trip_ab.ts [ROUNDS]
import { Thread, ThreadPoolExecutor } from "../mod.ts";
const N = 100, ROUNDS = Number(Deno.args[0] ?? 40);
const addOne = (x: number) => x + 1;
function rawPeer(a: Int32Array, workMs: number): number {
  let seen = 0;
  for (;;) {
    while (Atomics.load(a, 0) === seen) Atomics.wait(a, 0, seen, 1000);
    seen = Atomics.load(a, 0);
    if (Atomics.load(a, 2) === 1) return seen;
    if (workMs > 0) {
      const t0 = performance.now();
      while (performance.now() - t0 < workMs);
    }
    Atomics.store(a, 1, seen);
    Atomics.notify(a, 1);
  }
}
const a = new Int32Array(new SharedArrayBuffer(12));
const peer = new Thread({ target: rawPeer, args: [a, 0], daemon: true });
peer.start();
const a1 = new Int32Array(new SharedArrayBuffer(12));
const peer1 = new Thread({ target: rawPeer, args: [a1, 0.001], daemon: true });
peer1.start();
let sent = 0, sent1 = 0;
const ping = () => {
  const i = ++sent;
  Atomics.store(a, 0, i);
  Atomics.notify(a, 0);
  return i;
};
const rawAsync1us = async () => {
  const i = ++sent1;
  Atomics.store(a1, 0, i);
  Atomics.notify(a1, 0);
  while (Atomics.load(a1, 1) !== i) {
    const r = Atomics.waitAsync(a1, 1, i - 1, 60000);
    if (r.async) await r.value;
  }
};
const rawSync = () => {
  const i = ping();
  while (Atomics.load(a, 1) !== i) Atomics.wait(a, 1, i - 1, 60000);
};
const rawAsync = async () => {
  const i = ping();
  while (Atomics.load(a, 1) !== i) {
    const r = Atomics.waitAsync(a, 1, i - 1, 60000);
    if (r.async) await r.value;
  }
};
const keep = setInterval(() => {}, 1000);
await rawAsync();
await rawAsync1us();
const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
await Promise.all(Array.from({ length: 64 }, (_, i) => pool.submit(addOne, i)));
const kinds: Record<string, () => Promise<void> | void> = {
  rawAsync: async () => {
    for (let i = 0; i < N; i++) await rawAsync();
  },
  rawAsync1us: async () => {
    for (let i = 0; i < N; i++) await rawAsync1us();
  },
  await: async () => {
    for (let i = 0; i < N; i++) {
      if (await pool.submit(addOne, i) !== i + 1) throw new Error("bad");
    }
  },
  rawSync: () => {
    for (let i = 0; i < N; i++) rawSync();
  },
  result: () => {
    for (let i = 0; i < N; i++) {
      if (pool.submit(addOne, i).result({ timeout: 60000 }) !== i + 1) {
        throw new Error("bad");
      }
    }
  },
};
const t: Record<string, number[]> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, f] of Object.entries(kinds)) {
    const t0 = performance.now();
    await f();
    (t[k] ??= []).push((performance.now() - t0) * 1000 / N);
  }
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];
const ratio = (x: string, y: string) => med(t[x].map((v, i) => v / t[y][i]));
console.log(
  `await/rawAsync ${
    ratio("await", "rawAsync").toFixed(2)
  }x  await/rawAsync1us ${
    ratio("await", "rawAsync1us").toFixed(2)
  }x  await/rawSync ${ratio("await", "rawSync").toFixed(2)}x  result/rawSync ${
    ratio("result", "rawSync").toFixed(2)
  }x  (medians: rawAsync ${med(t.rawAsync).toFixed(1)} await ${
    med(t.await).toFixed(1)
  } rawAsync1us ${med(t.rawAsync1us).toFixed(1)} rawSync ${
    med(t.rawSync).toFixed(1)
  } result ${med(t.result).toFixed(1)} us)`,
);
Atomics.store(a, 2, 1);
ping();
await peer.joinAsync({ timeout: 10000 });
Atomics.store(a1, 2, 1);
Atomics.store(a1, 0, ++sent1);
Atomics.notify(a1, 0);
await peer1.joinAsync({ timeout: 10000 });
await pool.shutdownAsync();
clearInterval(keep);
