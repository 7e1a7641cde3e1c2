// Copyright 2026 the threadkit authors. MIT license.
// The main thread's event loop runs dry while a raw Atomics.waitAsync (which
// holds nothing) waits for a non-daemon thread: threadkit records the main
// thread's end then (_core/lifetime.ts), yet the main thread's code runs on
// when the thread answers. Futures it submits after that settle, on the
// executor made before the end and on a new one. Every wait is bounded.
// No top-level await: the module's evaluation is over at once, so Deno too
// sees the loop run dry (it does not while a top-level await is pending).
import { mainThread, Thread, ThreadPoolExecutor } from "../../../mod.ts";

const addOne = (x: number) => x + 1;
const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
main().catch((error) => {
  console.error(error);
  (globalThis as { process?: { exitCode: number } }).process!.exitCode = 1;
});

async function main(): Promise<void> {
  console.log(`before ${await pool.submit(addOne, 1)}`);
  const word = new Int32Array(new SharedArrayBuffer(4));
  new Thread({
    // Answers once the main thread's end is recorded.
    target: (word: Int32Array) => {
      mainThread().join({ timeout: 20_000 });
      Atomics.store(word, 0, 1);
      Atomics.notify(word, 0);
    },
    args: [word],
  }).start();
  const r = Atomics.waitAsync(word, 0, 0, 20_000);
  if (r.async) await r.value;
  console.log(`main alive ${mainThread().isAlive()}`);
  // A ref'd timer bounds each wait (and keeps the loop from running dry).
  const bounded = <T>(p: PromiseLike<T>) => {
    let timer: ReturnType<typeof setTimeout>;
    return Promise.race([
      p,
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("timed out"), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
  };
  console.log(`after ${await bounded(pool.submit(addOne, 2))}`);
  const later = new ThreadPoolExecutor({ maxWorkers: 1 });
  console.log(`new pool ${await bounded(later.submit(addOne, 3))}`);
  console.log(`blocking ${pool.submit(addOne, 4).result({ timeout: 10_000 })}`);
  await later.shutdownAsync();
  pool.shutdown();
  console.log("done");
}
