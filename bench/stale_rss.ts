// Copyright 2026 the threadkit authors. MIT license.
// RSS of a pool thread inside one long task while home registers 200 fresh
// 1 MB buffers (filled) one at a time (pool/_stale.ts): printed as the RSS after
// minus before, with the long task still running, after GCs. `holder`: a
// thread the executor was passed to registers them instead (pool/_mesh.ts). Run:
//   deno run -A --v8-flags=--expose-gc bench/stale_rss.ts [mod.ts URL] [holder]
// (the URL: another checkout's mod.ts, for a before/after).
import process from "node:process";

const url = process.argv[2] ??
  Deno.args[0] ?? new URL("../mod.ts", import.meta.url).href;
const byHolder = (process.argv[3] ?? Deno.args[1]) === "holder";
const { Event, ThreadPoolExecutor, Barrier, Thread } = await import(url);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const rss = () => {
  for (let i = 0; i < 5; i++) gc();
  return process.memoryUsage().rss / 2 ** 20;
};
const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
const warm = new Barrier(2);
await Promise.all(
  [0, 1].map(() =>
    pool.submit((b: typeof warm) => b.wait({ timeout: 30_000 }), warm)
  ),
);
const add = (w: Int32Array) => Atomics.add(w, 0, 1);
// Warm the view path (one registration) before the first figure.
await pool.submit(add, new Int32Array(new SharedArrayBuffer(8)));
const release = new Event(), started = new Event();
const long = pool.submit(
  (
    r: typeof release,
    s: typeof started,
  ) => (s.set(), r.wait({ timeout: 60_000 })),
  release,
  started,
);
await started.waitAsync({ timeout: 30_000 });
const before = rss();
if (byHolder) {
  const holder = new Thread({
    target: async (p: typeof pool) => {
      for (let i = 0; i < 200; i++) {
        await p.submit(
          (w: Int32Array) => Atomics.add(w, 0, 1),
          new Int32Array(new SharedArrayBuffer(1 << 20)).fill(1),
        );
      }
    },
    args: [pool],
  });
  holder.start();
  await holder.joinAsync({ timeout: 120_000 });
} else {
  for (let i = 0; i < 200; i++) {
    await pool.submit(
      add,
      new Int32Array(new SharedArrayBuffer(1 << 20)).fill(1),
    );
  }
}
// The serving pool threads collect what they dropped (8 tasks in flight:
// each serving thread runs some), so what stays is what is held.
await Promise.all(
  Array.from({ length: 8 }, () =>
    pool.submit(() => {
      const g = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 5; i++) g?.();
    })),
);
await new Promise((r) => setTimeout(r, 200));
const after = rss();
release.set();
await long;
await pool.shutdownAsync();
console.log(
  `${byHolder ? "holder" : "home"}: rss before ${before.toFixed(0)} MB, after ${
    after.toFixed(0)
  } MB: +${(after - before).toFixed(0)} MB`,
);
