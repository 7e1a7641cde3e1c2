// Copyright 2026 the threadkit authors. MIT license.
// A program whose first Thread.start, of a daemon thread, is made at every
// depth from the end of the stack up (the first that does not overflow
// starts the thread; on Deno a daemon thread's start loads
// node:worker_threads, _core/host.ts nodeThreads), then starts and joins one
// more at a shallow depth (daemon and not), and joins every thread started.
// Prints one JSON line.
import { Thread } from "../../../mod.ts";
import { sweep } from "../../queue/_stack_end.ts";

const g = globalThis as unknown as {
  addEventListener?: (t: string, f: (e: Event) => void) => void;
  process?: { on(t: string, f: () => void): void };
};
if (typeof g.addEventListener === "function") {
  g.addEventListener("unhandledrejection", (e) => e.preventDefault());
}
if (!("Deno" in globalThis)) g.process?.on("unhandledRejection", () => {});

const started: Thread[] = new Array(64).fill(undefined);
let k = 0;
const daemon = true;
const tries = sweep(() => {
  const t = new Thread({ target: (x: number) => x + 1, args: [1], daemon });
  t.start();
  started[k] = t;
  k++;
});
const out: Record<string, unknown> = { tries, k };
const results: unknown[] = [];
for (let i = 0; i < k; i++) {
  try {
    started[i].join({ timeout: 20_000 });
    results.push(started[i].result);
  } catch (e) {
    results.push(String(e));
  }
}
out.deep = results;
for (const d of [false, true]) {
  try {
    const t = new Thread({
      target: (x: number) => x + 1,
      args: [41],
      daemon: d,
    });
    t.start();
    t.join({ timeout: 20_000 });
    out[d ? "daemonThread" : "thread"] = t.result;
  } catch (e) {
    out[d ? "daemonThread" : "thread"] = String(e).slice(0, 100);
  }
}
console.log(JSON.stringify(out));
