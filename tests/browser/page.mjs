// Copyright 2026 the threadkit authors. MIT license.
// threadkit in a cross-origin isolated page: threads are web Workers, the
// page's main thread uses the async forms, and its blocking forms throw
// CannotBlockError naming the async form. Every check is recorded in
// window.threadkitResult = { checks: [{ name, ok, detail }], error }.
// ?mode=npm (default): the npm build, unbundled, served beside this page.
// ?mode=bundle: an esbuild bundle of it (scripts/ci_browser.sh builds it with
// the worker entry as a second entry point and calls setWorkerEntry).
// A variable, so that `deno check` of tests/ does not look for npm/, which
// only the build makes.
const mode = new URLSearchParams(location.search).get("mode") ?? "npm";
const PACKAGE = mode === "bundle" ? "/bundle/entry.js" : "/npm/mod.js";
const { CannotBlockError, Event, Lock, Queue, Thread, Timer } = await import(
  PACKAGE
);

const checks = [];
function check(name, ok, detail = "") {
  checks.push({ name, ok: ok === true, detail: String(detail) });
}
const T = { timeout: 20_000 };

async function main() {
  check("page is cross-origin isolated", globalThis.crossOriginIsolated);

  // Two threads share a Lock, a Queue and an Event: each waits for the
  // event (blocking, allowed in a worker), then adds under the lock and
  // puts its numbers on the queue.
  const lock = new Lock();
  const go = new Event();
  const q = new Queue({ capacity: 64, type: "int32" });
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const work = (lock, go, q, counter, id, n) => {
    if (!go.wait({ timeout: 20_000 })) throw new Error("go never set");
    for (let i = 0; i < n; i++) {
      lock.acquire();
      counter[0]++;
      lock.release();
      if (i % 100 === 0) q.put(id * 1000 + i / 100, { timeout: 20_000 });
    }
    return `thread ${id} did ${n}`;
  };
  const threads = [1, 2].map((id) =>
    new Thread({ target: work, args: [lock, go, q, counter, id, 2000] })
  );
  for (const t of threads) t.start();
  go.set();
  const got = [];
  for (let i = 0; i < 40; i++) got.push(await q.getAsync(T));
  const results = await Promise.all(threads.map((t) => t.joinAsync(T)));
  check(
    "two threads: results",
    JSON.stringify(results) ===
      JSON.stringify(["thread 1 did 2000", "thread 2 did 2000"]),
    JSON.stringify(results),
  );
  check("two threads: counter under the Lock", counter[0] === 4000, counter[0]);
  got.sort((a, b) => a - b);
  const want = [];
  for (const id of [1, 2]) {
    for (let k = 0; k < 20; k++) want.push(id * 1000 + k);
  }
  check(
    "two threads: every queued item once",
    JSON.stringify(got) === JSON.stringify(want),
    JSON.stringify(got),
  );

  // Structured items, a thread started by a thread, a Timer, an error.
  const objects = new Queue({ capacity: 8 });
  const nested = new Thread({
    target: async (objects) => {
      const inner = new Thread({
        target: (objects) => {
          objects.put({ from: "inner", name: currentThread().name }, {
            timeout: 20_000,
          });
          return "inner done";
        },
        args: [objects],
        name: "inner",
      });
      inner.start();
      return await inner.joinAsync({ timeout: 20_000 });
    },
    args: [objects],
  });
  nested.start();
  check("nested thread", (await nested.joinAsync(T)) === "inner done");
  const item = await objects.getAsync(T);
  check(
    "structured item from a nested thread",
    item.from === "inner" && item.name === "inner",
    JSON.stringify(item),
  );
  const timer = new Timer(10, (x) => x * 2, [21]);
  timer.start();
  check("Timer", (await timer.joinAsync(T)) === 42);
  const failing = new Thread({
    target: () => {
      throw new RangeError("from a worker", { cause: new TypeError("inner") });
    },
  });
  failing.start();
  try {
    await failing.joinAsync(T);
    check("error from a thread", false, "no rejection");
  } catch (e) {
    check(
      "error from a thread",
      e instanceof RangeError && e.message === "from a worker" &&
        e.cause instanceof TypeError,
      e,
    );
  }

  // The page's main thread may not block: each blocking form that would
  // wait throws CannotBlockError naming its async form.
  const blocked = (name, call, asyncForm) => {
    try {
      call();
      check(`${name} throws CannotBlockError`, false, "returned");
    } catch (e) {
      check(
        `${name} throws CannotBlockError`,
        e instanceof CannotBlockError && e.asyncForm === asyncForm &&
          e.message.includes(asyncForm),
        e,
      );
    }
  };
  const held = new Lock();
  held.acquire(); // free: succeeds without waiting
  blocked("Lock.acquire on a held lock", () => held.acquire(), "acquireAsync");
  check(
    "Lock.acquire({ blocking: false }) on a held lock",
    held.acquire({ blocking: false }) === false,
  );
  blocked("Event.wait on a clear event", () => new Event().wait(), "waitAsync");
  blocked(
    "Queue.get on an empty queue",
    () => new Queue({ capacity: 1 }).get(),
    "getAsync",
  );
  const stop = new Event();
  const sleeper = new Thread({
    target: (stop) => stop.wait({ timeout: 20_000 }),
    args: [stop],
  });
  sleeper.start();
  blocked("Thread.join on a running thread", () => sleeper.join(), "joinAsync");
  stop.set();
  check(
    "joinAsync after the refused join",
    (await sleeper.joinAsync(T)) === true,
  );
}

main().then(
  () => globalThis.threadkitResult = { checks },
  (error) =>
    globalThis.threadkitResult = {
      checks,
      error: `${error?.name}: ${error?.message}\n${error?.stack}`,
    },
);
