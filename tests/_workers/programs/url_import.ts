// Copyright 2026 the threadkit authors. MIT license.
// The package as JSR delivers it: every module loaded over http(s). Run by
// tests/thread/url_import_test.ts as
//   deno run --allow-import=127.0.0.1:PORT url_import.ts http://127.0.0.1:PORT
// (no read permission: nothing is loaded from files). Every kind of thread
// starts: non-daemon and daemon, function (source) and module targets,
// threads started by threads of either kind, and Timers; then a daemon is
// left blocked and a non-daemon outlives the main thread's code. Prints one
// line per check; a wrong value throws (exit code 1).
import type * as Threadkit from "../../../mod.ts";
import type * as Target from "../url_target.ts";

const base = (globalThis as unknown as { Deno: { args: string[] } }).Deno
  .args[0];
const tk: typeof Threadkit = await import(`${base}/mod.ts`);
const { Event, Lock, moduleTarget, Queue, Thread, Timer } = tk;
const target = `${base}/tests/_workers/url_target.ts`;
const T = { timeout: 20_000 };
// In scope inside function targets (threadkit's names), not here.
declare const currentThread: typeof Threadkit.currentThread;

function check(what: string, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
    );
  }
  console.log(`ok ${what}: ${JSON.stringify(got)}`);
}

const lock = new Lock();
for (const daemon of [false, true]) {
  const kind = daemon ? "daemon" : "non-daemon";
  const source = new Thread({
    target: (lock: Threadkit.Lock, a: number, b: number) => {
      using _held = lock.guard();
      return [a + b, currentThread().daemon];
    },
    args: [lock, 2, 3],
    daemon,
  });
  source.start();
  check(`${kind} source target`, await source.joinAsync(T), [5, daemon]);

  const module = new Thread({
    target: moduleTarget<typeof Target.add>(target, "add"),
    args: [lock, 4, 5],
    daemon,
  });
  module.start();
  check(`${kind} module target`, await module.joinAsync(T), [
    9,
    daemon,
  ]);

  const q = new Queue<boolean>({ capacity: 4 });
  const outer = new Thread({
    target: moduleTarget<typeof Target.nested>(target, "nested"),
    args: [q],
    daemon,
  });
  outer.start();
  check(`${kind} thread starting a ${daemon ? "non-daemon" : "daemon"}`, [
    await outer.joinAsync(T),
    await q.getAsync(T),
  ], ["inner done", !daemon]);

  const timer = new Timer(10, (x: number) => x * 2, [21], { daemon });
  timer.start();
  check(`${kind} Timer`, await timer.joinAsync(T), 42);
}

// A daemon left blocked (the process must not wait for it) and a non-daemon
// that ends after the main thread's code (the process must wait for it).
const never = new Event();
const go = new Event();
new Thread({
  target: (never: Threadkit.Event) => never.wait({ timeout: 60_000 }),
  args: [never],
  daemon: true,
}).start();
new Thread({
  target: (go: Threadkit.Event) => {
    if (!go.wait({ timeout: 20_000 })) throw new Error("go never set");
    console.log("ok non-daemon ran past the main thread's code");
  },
  args: [go],
  daemon: false,
}).start();
console.log("main done");
go.set();
