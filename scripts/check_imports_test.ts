// Copyright 2026 the threadkit authors. MIT license.
// The gate's import check (scripts/check_imports.ts): it passes on the
// repository, and fails on a planted cycle, an upward import and an
// oversized file, both as a pure analysis and run on a planted copy of the
// library. Deno only (the check reads `deno info`); not part of the npm build.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  findViolations,
  type GraphModule,
  urlImports,
} from "./check_imports.ts";

const ROOT = "file:///repo/";
const mod = (path: string, ...deps: (string | [string, "dynamic"])[]) =>
  ({
    specifier: ROOT + path,
    dependencies: deps.map((d) =>
      typeof d === "string"
        ? { code: { specifier: ROOT + d } }
        : { code: { specifier: ROOT + d[0] }, isDynamic: true }
    ),
  }) satisfies GraphModule;

describe("check_imports", () => {
  it("findViolations() accepts a layered graph with the scope's dynamic import", () => {
    const graph = [
      mod("mod.ts", "sync/lock.ts", "queue/bounded.ts", "thread/thread.ts"),
      mod("_core/errors.ts"),
      mod("_core/scope.ts", ["mod.ts", "dynamic"]),
      mod("sync/lock.ts", "_core/errors.ts"),
      mod("thread/thread.ts", "_core/errors.ts", "_core/scope.ts"),
      mod("queue/bounded.ts", "sync/lock.ts", "_core/errors.ts"),
    ];
    assert.deepEqual(findViolations(graph, ROOT), []);
  });

  it("findViolations() reports a planted cycle", () => {
    const graph = [
      mod("thread/thread.ts", "thread/excepthook.ts"),
      mod("thread/excepthook.ts", "thread/thread.ts"),
    ];
    assert.deepEqual(findViolations(graph, ROOT), [
      "import cycle: thread/excepthook.ts -> thread/thread.ts -> thread/excepthook.ts",
    ]);
  });

  it("findViolations() reports upward and sideways imports", () => {
    const graph = [
      mod("_core/errors.ts", "sync/lock.ts"),
      mod("sync/lock.ts"),
      mod("sync/barrier.ts", "mod.ts"),
      mod("thread/timer.ts", "sync/lock.ts"),
      mod("_core/scope.ts", "mod.ts"), // static: not the exempt edge
      mod("mod.ts"),
    ];
    const found = findViolations(graph, ROOT);
    assert.equal(found.length, 4, found.join("\n"));
    assert.match(found[0], /^_core\/errors\.ts: imports sync\/lock\.ts/);
    assert.match(found[1], /^sync\/barrier\.ts: imports mod\.ts/);
    assert.match(found[2], /^thread\/timer\.ts: imports sync\/lock\.ts/);
    assert.match(found[3], /^_core\/scope\.ts: imports mod\.ts/);
  });

  it("urlImports() finds dynamic imports by URL, which deno info does not see", () => {
    const text = [
      'import("../mod.ts");',
      'const a = import(new URL("../mod.ts", import.meta.url).href);',
      "const b = import(",
      '  new URL("../pool/_thread.ts", import.meta.url).href,',
      ");",
      "const c = import(new URL(name, import.meta.url).href);",
    ].join("\n");
    assert.deepEqual(urlImports(text), ["../mod.ts", "../pool/_thread.ts"]);
  });

  it("the check passes on this repository", async () => {
    const { code, out } = await runCheck(new URL("..", import.meta.url));
    assert.equal(code, 0, out);
    assert.match(out, /imports: \d+ library files, 0 problems/);
  });

  it("the check fails on a copy of the library with a planted cycle", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const repo = new URL("..", import.meta.url);
      for (const folder of ["_core", "sync", "thread", "queue"]) {
        await Deno.mkdir(`${dir}/${folder}`);
        for await (const f of Deno.readDir(new URL(folder, repo))) {
          if (f.isFile) {
            await Deno.copyFile(
              new URL(`${folder}/${f.name}`, repo),
              `${dir}/${folder}/${f.name}`,
            );
          }
        }
      }
      await Deno.copyFile(new URL("mod.ts", repo), `${dir}/mod.ts`);
      // The plant: the core's errors import a lock, which imports the errors.
      const errors = `${dir}/_core/errors.ts`;
      await Deno.writeTextFile(
        errors,
        `import "../sync/lock.ts";\n${await Deno.readTextFile(errors)}`,
      );
      await git(dir, "init", "-q");
      const { code, out } = await runCheck(new URL(`file://${dir}/`));
      assert.equal(code, 1, out);
      assert.match(out, /_core\/errors\.ts: imports sync\/lock\.ts/);
      assert.match(out, /import cycle: .*_core\/errors\.ts/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

async function runCheck(dir: URL): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./check_imports.ts", import.meta.url).href,
      dir.pathname,
    ],
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout) + text.decode(stderr) };
}

async function git(dir: string, ...args: string[]): Promise<void> {
  await new Deno.Command("git", { args, cwd: dir }).output();
}
