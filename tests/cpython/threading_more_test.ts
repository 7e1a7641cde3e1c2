// Copyright 2026 the threadkit authors. MIT license.
// Cases of CPython's Lib/test/test_threading.py that threading_test.ts and
// lock_threading_more_test.ts do not port yet; each `it` names its CPython
// case. ThreadJoinOnShutdown's test_1_join_on_shutdown, test_thread_from_thread
// and ThreadTests.test_join_nondaemon_on_shutdown run as subprocess programs
// in tests/thread/main_end_test.ts and exit_test.ts. Not ported, for want of
// a JavaScript counterpart: test_system_exit (a thread's process.exit() is a
// thread death, reported as ThreadExitError; JavaScript has no SystemExit
// to ignore), test_bare_raise_in_brand_new_thread (no bare raise),
// test_boolean_target (functions are always truthy), test_name's int name
// (a name that is not a string is a TypeError here, as the types say),
// test_lock_no_args's keyword form (an options object with unknown keys is
// accepted, as JavaScript options are), InterruptMainTests (no
// interrupt_main) and AtexitTests (no _register_atexit).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  BoundedSemaphore,
  currentThread,
  defaultExcepthook,
  enumerate,
  Event,
  type ExceptHookArgs,
  getNativeId,
  Lock,
  RLock,
  setExcepthook,
  Thread,
} from "../../mod.ts";
import { until } from "../_helpers.ts";
import { bunch, JOIN, joinAll, words } from "./_bunch.ts";

describe("test_threading.ThreadTests (outside)", () => {
  it("test_various_ops: ident and inspect say initial before start(), stopped after join(); native ids differ", async () => {
    const NUMTASKS = 10;
    const sema = new BoundedSemaphore(3);
    const running = words(2); // [now, most at once]
    const threads: Thread[] = [];
    for (let i = 0; i < NUMTASKS; i++) {
      const t = new Thread({
        target: (sema: BoundedSemaphore, running: Int32Array) => {
          sema.acquire({ timeout: 120_000 });
          try {
            const now = Atomics.add(running, 0, 1) + 1;
            let most = Atomics.load(running, 1);
            while (now > most) {
              const was = Atomics.compareExchange(running, 1, most, now);
              if (was === most) break;
              most = was;
            }
            Atomics.sub(running, 0, 1);
            return getNativeId();
          } finally {
            sema.release();
          }
        },
        args: [sema, running],
        name: `<thread ${i}>`,
      });
      assert.equal(t.ident, undefined);
      assert.match(inspect(t), /state: 'initial'/);
      threads.push(t);
      t.start();
    }
    const natives = await joinAll(threads);
    for (const t of threads) {
      assert.equal(t.isAlive(), false);
      assert.ok(Number.isInteger(t.ident) && t.ident! > 1, `${t.ident}`);
      assert.match(inspect(t), new RegExp(`state: 'stopped'`));
    }
    assert.equal(running[0], 0);
    assert.ok(running[1] >= 1 && running[1] <= 3, `${running[1]} at once`);
    // Where the platform gives native ids, every thread had its own; the
    // threads overlap in time only partly, so only the main thread's id is
    // sure to differ from all of theirs (a finished thread's id may be
    // reused by the OS).
    const main = getNativeId();
    if (main !== undefined) {
      for (const id of natives) {
        assert.ok(Number.isInteger(id), `native id ${id}`);
        assert.notEqual(id, main);
      }
    }
  });

  it("test_ident_of_no_threading_threads: currentThread().ident is set everywhere and is the starter's t.ident", async () => {
    assert.ok(Number.isInteger(currentThread().ident));
    const done = new Event();
    const t = new Thread({
      target: (done: Event) => {
        const ident = currentThread().ident;
        done.set();
        return ident;
      },
      args: [done],
    });
    t.start();
    assert.equal(done.wait({ timeout: 120_000 }), true);
    assert.equal(await t.joinAsync(JOIN), t.ident);
  });

  it("test_repr_daemon: inspect says daemon: true only for a daemon thread", () => {
    assert.doesNotMatch(
      inspect(new Thread({ target: () => 0 })),
      /daemon: true/,
    );
    const t = new Thread({ target: () => 0 });
    t.daemon = true;
    assert.match(inspect(t), /daemon: true/);
    assert.match(
      inspect(new Thread({ target: () => 0, daemon: true })),
      /daemon: true/,
    );
  });

  it("test_repr_stopped: inspect says started while it runs, and stopped all on its own once it ends", async () => {
    const started = new Event(), finish = new Event();
    const t = new Thread({
      target: (started: Event, finish: Event) => {
        started.set();
        finish.wait({ timeout: 120_000 });
      },
      args: [started, finish],
    });
    t.start();
    assert.equal(started.wait({ timeout: 120_000 }), true);
    assert.match(inspect(t), /state: 'started'/);
    finish.set();
    // No join(): the state must turn to stopped by itself.
    await until(
      () => /state: 'stopped'/.test(inspect(t)),
      "stopped in inspect",
    );
    await t.joinAsync(JOIN);
  });

  it("test_join_from_multiple_threads: 2 and 5 joiners of one thread all return, with no error", async () => {
    // Both rounds at once: CPython's N = 2..19 in turn would start 200 threads.
    const rounds = [2, 5].map((n) => {
      const go = new Event();
      const worker = new Thread({
        target: (go: Event) => go.wait({ timeout: 120_000 }),
        args: [go],
      });
      worker.start();
      const joiners = bunch((t: Thread) => t.join({ timeout: 120_000 }), n, [
        worker,
      ]);
      return { n, go, worker, joiners };
    });
    for (const { go } of rounds) go.set();
    for (const { n, worker, joiners } of rounds) {
      assert.equal(await worker.joinAsync(JOIN), true);
      assert.deepEqual(await joinAll(joiners), Array(n).fill(true));
    }
  });

  it("test_recursion_limit: endless recursion in a thread is a RangeError it can catch; the program goes on", async () => {
    const t = new Thread({
      target: () => {
        const recurse = (): number => recurse() + 1;
        try {
          recurse();
          return "returned";
        } catch (e) {
          return (e as Error).name;
        }
      },
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), "RangeError");
  });

  it("test_leak_without_join: a thread never joined ends and leaves enumerate()", async () => {
    const t = new Thread({ target: () => 0 });
    t.start();
    await until(() => !t.isAlive(), "the thread's end");
    assert.equal(enumerate().some((x) => x.ident === t.ident), false);
  });

  it("test_can_interrupt_tight_loops: a thread spinning on a shared word sees it change", async () => {
    const w = words(2); // [cont, started]
    w[0] = 1;
    const t = new Thread({
      target: (w: Int32Array) => {
        let iterations = 100_000_000;
        Atomics.store(w, 1, 1);
        while (Atomics.load(w, 0) === 1) {
          if (iterations-- === 0) return "not interrupted";
        }
        return "interrupted";
      },
      args: [w],
    });
    t.start();
    await until(() => Atomics.load(w, 1) === 1, "the loop's start");
    Atomics.store(w, 0, 0);
    assert.equal(await t.joinAsync(JOIN), "interrupted");
  });

  it("test_lock_no_args and CRLockTests.test_signature: Lock(1), RLock(1) and RLock(1, 2) are TypeErrors", () => {
    new Lock();
    new RLock();
    // deno-lint-ignore no-explicit-any
    const L = Lock as any, R = RLock as any;
    assert.throws(() => new L(1), TypeError);
    assert.throws(() => new R(1), TypeError);
    assert.throws(() => new R(1, 2), TypeError);
  });
});

describe("test_threading.MiscTestCase (outside)", () => {
  const SHORT = ["CustomName", "namé€", "embed\0null", "x".repeat(100)];
  it("test_set_name: short, non-ASCII and NUL-holding names are the thread's name inside it, unchanged", async () => {
    const threads = SHORT.map((name) => {
      const t = new Thread({ target: () => currentThread().name, name });
      t.start();
      return t;
    });
    assert.deepEqual(await joinAll(threads), SHORT);
    assert.deepEqual(threads.map((t) => t.name), SHORT);
  });

  // threading.Thread.name is never truncated in Python (only the OS-level
  // name that _thread.set_name writes is): names over the thread table's
  // field (104 UTF-8 bytes) live whole in the shared heap
  // (_core/names.ts), so the thread and enumerate() elsewhere see them so.
  const LONG = [
    "x".repeat(110),
    "x".repeat(99) + "é€",
    "x".repeat(99) + "\u{10FFFF}",
    "x" + "\u{1f40d}".repeat(100),
  ];
  it("test_set_name: long names (110 x, 99 x + é€, 1 x + 100 snakes) are the thread's name inside it, unchanged", async () => {
    const threads = LONG.map((name) => {
      const t = new Thread({ target: () => currentThread().name, name });
      t.start();
      return t;
    });
    assert.deepEqual(await joinAll(threads), LONG);
    assert.deepEqual(threads.map((t) => t.name), LONG);
  });

  it("test_set_name: another thread's enumerate() lists long names whole", async () => {
    const go = new Event();
    const threads = LONG.map((name) => {
      const t = new Thread({
        target: (go: Event) => go.wait({ timeout: 120_000 }),
        args: [go],
        name,
      });
      t.start();
      return t;
    });
    try {
      const idents = threads.map((t) => t.ident!);
      const lister = new Thread({
        target: (idents: number[]) => {
          const byIdent = new Map(enumerate().map((t) => [t.ident, t.name]));
          return idents.map((i) => byIdent.get(i));
        },
        args: [idents],
      });
      lister.start();
      assert.deepEqual(await lister.joinAsync(JOIN), LONG);
    } finally {
      go.set();
    }
    assert.deepEqual(await joinAll(threads), LONG.map(() => true));
  });

  it("test_set_name: a long name set after start() is the thread's name inside it and everywhere, whole; the thread's own rename is seen by its starter", async () => {
    const [renamed, own] = ["y".repeat(150) + "é", "w".repeat(300) + "€"];
    const [go, done, release] = [new Event(), new Event(), new Event()];
    const t = new Thread({
      target: (go: Event, done: Event, release: Event, own: string) => {
        go.wait({ timeout: 120_000 });
        const before = currentThread().name;
        currentThread().name = own;
        done.set();
        release.wait({ timeout: 120_000 });
        return before;
      },
      args: [go, done, release, own],
      name: LONG[3],
    });
    t.start();
    try {
      t.name = renamed;
      assert.equal(t.name, renamed);
      go.set();
      assert.equal(await done.waitAsync({ timeout: 120_000 }), true);
      assert.equal(t.name, own);
      const lister = new Thread({
        target: (ident: number) =>
          enumerate().find((x) => x.ident === ident)?.name,
        args: [t.ident!],
      });
      lister.start();
      assert.equal(await lister.joinAsync(JOIN), own);
    } finally {
      release.set();
    }
    assert.equal(await t.joinAsync(JOIN), renamed);
    assert.equal(t.name, own);
  });

  it("test_change_name: a thread that renames itself sees the new name", async () => {
    const t = new Thread({
      target: () => {
        const name1 = currentThread().name;
        currentThread().name = "new name";
        return [name1, currentThread().name];
      },
      name: "name",
    });
    t.start();
    assert.deepEqual(await t.joinAsync(JOIN), ["name", "new name"]);
  });
});

describe("test_threading.ExceptHookTests (outside)", () => {
  /** Runs a thread that fails unjoined; returns what console.error got. */
  async function runThread(): Promise<string> {
    const lines: string[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => {
      lines.push(a.map((x) => String(x)).join(" "));
    };
    try {
      const t = new Thread({
        target: () => {
          throw new RangeError("run failed");
        },
        name: "excepthook thread",
      });
      t.start();
      await until(() => lines.length > 0, "the hook's report");
      await until(() => !t.isAlive(), "the thread's end");
    } finally {
      console.error = original;
    }
    return lines.join("\n");
  }

  it("test_excepthook: the default hook prints the thread's name and the error on stderr", async () => {
    const text = await runThread();
    assert.match(text, /^Exception in thread excepthook thread:\n/);
    assert.match(text, /RangeError: run failed/);
  });

  it("test_original_excepthook: after setExcepthook(undefined) the report is the default one again", async () => {
    const strip = (s: string) => s.replace(/:\d+:\d+\)?/g, "");
    const defaultOutput = strip(await runThread());
    let custom: string;
    setExcepthook((_args: ExceptHookArgs) => {
      console.error("Running a thread failed");
    });
    try {
      custom = await runThread();
    } finally {
      setExcepthook(undefined);
    }
    const recovered = strip(await runThread());
    assert.equal(recovered, defaultOutput);
    assert.equal(custom, "Running a thread failed");
    // defaultExcepthook is threading.__excepthook__: the same report.
    setExcepthook((args) => defaultExcepthook(args));
    try {
      assert.equal(strip(await runThread()), defaultOutput);
    } finally {
      setExcepthook(undefined);
    }
  });
});
