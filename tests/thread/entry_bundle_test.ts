// Copyright 2026 the threadkit authors. MIT license.
// The worker entry bundled into one file (thread/_worker_bundle.js, made by
// scripts/bundle_entry.ts), which threads start in on Deno: it is what the
// sources give, and the state it sets is the state the package's modules in
// the same thread read (one state per thread, though the bundle has copies
// of those modules). A thread's owned threads, which the entry waits for,
// are checked by tests/thread/children_test.ts, through the same registry.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as A from "../../mod.ts";
import {
  currentThread,
  Event,
  moduleTarget,
  setExcepthook,
  setWorkerEntry,
  Thread,
} from "../../mod.ts";
import { defaultEntry } from "../../_core/adapter.ts";
import type * as State from "../_workers/entry_state.ts";
import type * as Copies from "../_workers/two_copies.ts";
import { isDeno } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
const STATE = new URL("../_workers/entry_state.ts", import.meta.url);
// The sources (Deno): the npm build starts threads on its own entry file.
const fromSource = import.meta.url.endsWith(".ts");

describe("the bundled worker entry", () => {
  it("is what scripts/bundle_entry.ts makes of the sources", {
    skip: !(isDeno && fromSource),
  }, async () => {
    const deno = (globalThis as unknown as {
      Deno: {
        execPath(): string;
        Command: new (cmd: string, o: object) => {
          output(): Promise<{ code: number; stderr: Uint8Array }>;
        };
      };
    }).Deno;
    const script = new URL("../../scripts/bundle_entry.ts", import.meta.url);
    const out = await new deno.Command(deno.execPath(), {
      args: ["run", "-A", script.href, "--check"],
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(120_000),
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  });

  it(
    "refuses module-level state that a bundled module would keep once per copy",
    {
      skip: !(isDeno && fromSource),
    },
    async () => {
      const script = new URL("../../scripts/bundle_entry.ts", import.meta.url);
      const { stateProblems } = await import(script.href) as {
        stateProblems(modules: Record<string, string>): string[];
      };
      const root = new URL("../../", import.meta.url).href;
      const problems = stateProblems({
        [`${root}_core/a.ts`]: [
          "let n = 0;",
          "const hooks = new Set<() => void>();",
          'const kept: Kept = threadState("kept", () => ({}));',
          "const LIMIT = 4;",
          "function f() {\n  let local = 1;\n}",
        ].join("\n"),
        [`${root}_core/host.ts`]: "let nodeWorkerThreads: unknown;",
        [`${root}thread/_worker.ts`]: "let current: unknown;",
      });
      assert.equal(problems.length, 2, problems.join("\n"));
      assert.match(problems[0], /^_core\/a\.ts: module-level n /);
      assert.match(problems[1], /^_core\/a\.ts: module-level hooks /);
    },
  );

  it(
    "holds the load-time built-ins' module and takes the record as it loads, before the entry's code",
    {
      skip: !(isDeno && fromSource),
    },
    async () => {
      const bundle = await readFile(
        new URL("../../thread/_worker_bundle.js", import.meta.url),
        "utf8",
      );
      const code = bundle.split("\n").filter((l) => !l.startsWith("//"));
      // Compiled with the module (EAGER), first.
      assert.equal(
        code[0],
        "var loadTimeBuiltins = (function loadTimeBuiltins() {",
      );
      // Its module's section calls it (the record taken as the bundle runs),
      // before the sections of host.ts (which reads the record at load) and
      // of the entry.
      const record = bundle.indexOf("\n// _core/primordials_record.ts\n");
      const host = bundle.indexOf("\n// _core/host.ts\n");
      const entry = bundle.indexOf("\n// thread/_worker.ts\n");
      assert.ok(record > 0 && record < host && host < entry);
      assert.equal(
        bundle.slice(record).split("\n")[2],
        "var B = loadTimeBuiltins();",
      );
    },
  );

  it(
    "compiles the start path's functions with the module: moved to the top as parenthesized expressions",
    {
      skip: !(isDeno && fromSource),
    },
    async () => {
      const script = new URL("../../scripts/bundle_entry.ts", import.meta.url);
      const { eager } = await import(script.href) as {
        eager(
          bundle: string,
          names: readonly string[],
        ): { text: string; problems: string[] };
      };
      const bundle = [
        "// header",
        "// _core/a.ts",
        "var x = f(1);",
        "function f(n) {",
        "  if (n) {",
        "    return g(n);",
        "  }",
        "  return 0;",
        "}",
        "async function g(n) {",
        "  return n;",
        "}",
        "function h() {",
        "  return `",
        "}",
        "`;",
        "}",
        "",
      ].join("\n");
      const { text, problems } = eager(bundle, ["f", "g", "h", "missing"]);
      assert.deepEqual(problems.length, 2, problems.join("\n"));
      assert.match(problems[0], /^h: a template literal/);
      assert.match(problems[1], /missing/);
      assert.equal(
        text,
        [
          "// header",
          "// Compiled with the module (scripts/bundle_entry.ts, EAGER).",
          "var f = (function f(n) {",
          "  if (n) {",
          "    return g(n);",
          "  }",
          "  return 0;",
          "});",
          "var g = (async function g(n) {",
          "  return n;",
          "});",
          "",
          "// _core/a.ts",
          "var x = f(1);",
          "function h() {",
          "  return `",
          "}",
          "`;",
          "}",
          "",
        ].join("\n"),
      );
      // The bundle itself: every EAGER function is defined at its top.
      const made = await readFile(
        new URL("../../thread/_worker_bundle.js", import.meta.url),
        "utf8",
      );
      assert.match(made, /^var run = \(async function run\(/m);
      assert.doesNotMatch(made, /^(async )?function (run|installHooks)\(/m);
    },
  );

  it("is the default entry on Deno", { skip: !(isDeno && fromSource) }, () => {
    assert.match(defaultEntry().href, /\/thread\/_worker_bundle\.js$/);
  });

  it("is the default entry on Node and Bun (npm build)", {
    skip: isDeno || fromSource,
  }, async () => {
    assert.match(defaultEntry().href, /\/thread\/_worker_bundle\.js$/);
    // A fresh thread (no spare) starts in it and runs a target.
    const t = new Thread({ target: (n: number) => n * 3, args: [14] });
    t.start();
    assert.equal(await t.joinAsync(JOIN), 42);
  });

  it("sets the inherited worker entry where the package reads it", async () => {
    setWorkerEntry(defaultEntry());
    try {
      const t = new Thread({
        target: moduleTarget<typeof State.inheritedEntry>(
          STATE,
          "inheritedEntry",
        ),
      });
      t.start();
      assert.equal(await t.joinAsync(JOIN), defaultEntry().href);
    } finally {
      setWorkerEntry(undefined);
    }
  });

  it("loads the package's names for a source target where the package reads them", async () => {
    const t = new Thread({
      args: [STATE.href],
      target: async (url: string) => {
        // Naming an export makes the entry load the names before the call.
        if (typeof Lock !== "function") return "no Lock";
        // import() in a string: compiled for Node, an import() in the source
        // would call a helper of TypeScript's that the thread does not have.
        const load = new Function("u", "return import(u)") as (
          u: string,
        ) => Promise<typeof State>;
        return (await load(url)).scopeLoaded();
      },
    });
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
  });
});

// A second copy of the package under another root: its library folders and
// its root module, copied to a fresh folder (removed by the caller).
function copyPackage(): { dir: string; mod: string } {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "threadkit-copy-"));
  for (const f of ["_core", "sync", "queue", "thread", "pool"]) {
    cpSync(join(root, f), join(dir, f), { recursive: true });
  }
  const file = existsSync(join(root, "mod.ts")) ? "mod.ts" : "mod.js";
  cpSync(join(root, file), join(dir, file));
  return { dir, mod: pathToFileURL(join(dir, file)).href };
}

const COPIES = new URL("../_workers/two_copies.ts", import.meta.url);

describe("two copies of the package in one thread", () => {
  it(
    "each copy's currentThread() is its own Thread, in the main thread and in a thread",
    async () => {
      const { dir, mod } = copyPackage();
      try {
        const B = await import(mod) as typeof A;
        assert.notEqual(B.Thread, A.Thread);
        const t = new Thread({ target: () => 1 });
        t.start();
        await t.joinAsync(JOIN);
        assert.ok(currentThread() instanceof Thread);
        assert.ok(B.currentThread() instanceof B.Thread);
        const inner = new Thread({
          target: moduleTarget<typeof Copies.identities>(COPIES, "identities"),
          args: [mod],
        });
        inner.start();
        assert.deepEqual(await inner.joinAsync(JOIN), [true, true]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("each copy revives its own primitives (an unbounded Queue's chain lock, an RLock) and error classes, the other copy loaded second", async () => {
    const { dir, mod } = copyPackage();
    try {
      const B = await import(mod) as typeof A;
      // Each copy's internal revivals (lockAt: an unbounded queue's chain
      // lock, an RLock's inner lock) get its own Lock: the registry is per
      // package root (_core/transfer.ts).
      for (const P of [A, B]) {
        const q = new P.Queue<number>({ type: "int32" });
        for (let i = 0; i < 3; i++) q.put(i);
        assert.deepEqual([q.get(), q.get(), q.get()], [0, 1, 2]);
        const r = new P.RLock();
        assert.equal(r.acquire(), true);
        r.release();
      }
      // A primitive of one copy given to the other arrives as the
      // receiving copy's class.
      const e = new B.Event();
      const t = new Thread({
        target: (e: A.Event) => (e.set(), e.isSet()),
        args: [e as unknown as A.Event],
      });
      t.start();
      assert.equal(await t.joinAsync(JOIN), true);
      assert.equal(e.isSet(), true);
      const q = new A.Queue<unknown>();
      q.put(new B.Lock());
      assert.ok(q.get() instanceof A.Lock);
      // An error a thread throws arrives as the joining copy's class (the
      // error classes are per package root too: _core/outcome.ts).
      for (const P of [A, B]) {
        const bad = new P.Thread({
          target: (lock: A.Lock) => lock.release(), // not held: RuntimeError
          args: [new P.Lock() as unknown as A.Lock],
        });
        bad.start();
        await assert.rejects(
          bad.joinAsync(JOIN),
          (e) =>
            e instanceof P.RuntimeError &&
            !(e instanceof (P === A ? B : A).RuntimeError),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a thread's worker waits for the threads it started with its copy, another copy loaded", async () => {
    const { dir, mod } = copyPackage();
    const reported: unknown[] = [];
    setExcepthook(({ error }) => reported.push(error));
    try {
      const go = new Event(), done = new Event();
      const outer = new Thread({
        target: moduleTarget<typeof Copies.leaveChild>(COPIES, "leaveChild"),
        args: [mod, go, done],
      });
      outer.start();
      assert.equal(typeof await outer.joinAsync(JOIN), "number");
      go.set();
      // A worker that did not wait (its registry's hooks taken by the other
      // copy's Thread) died, cutting its child short: done never set.
      assert.equal(await done.waitAsync({ timeout: 20_000 }), true);
      assert.deepEqual(reported, []);
    } finally {
      setExcepthook(undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

declare const Lock: unknown;
