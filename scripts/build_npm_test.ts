// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { npmBundle, npmReadme, rewriteFileNames } from "./build_npm.ts";

describe("build:npm", () => {
  it("rewriteFileNames() turns lazy dynamic imports by URL into literal .js imports", () => {
    const source = [
      'const a = import(new URL("../mod.ts", import.meta.url).href);',
      'const b = import(new URL("./x.ts", import.meta.url).href) as Promise<unknown>;',
      'const w = new URL("./_worker.ts", import.meta.url);',
      "const c = import(new URL(name, import.meta.url).href);",
    ].join("\n");
    const out = ts.transpileModule(source, {
      fileName: "lib.ts",
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
      },
      transformers: { before: [rewriteFileNames] },
    }).outputText;
    assert.match(out, /const a = import\("\.\.\/mod\.js"\);/);
    assert.match(out, /const b = import\("\.\/x\.js"\);/);
    assert.match(out, /new URL\("\.\/_worker\.js", import\.meta\.url\)/);
    // Not a relative .ts literal: left as it is.
    assert.match(out, /import\(new URL\(name, import\.meta\.url\)\.href\)/);
  });

  it("npmBundle() names the built .js files in the worker bundle's URL imports, and refuses a .ts name left", () => {
    const out = npmBundle([
      "// and why its copies of the modules keep one state per thread.",
      'const a = import(new URL("../mod.ts", import.meta.url).href);',
      'const b = () => import(new URL("./_spare.ts", import.meta.url).href);',
      "const c = await import(target.module);",
      'const e = import(new LoadTimeURL("../_core/x.ts", import.meta.url).href);',
    ].join("\n"));
    assert.match(
      out,
      /new LoadTimeURL\("\.\.\/_core\/x\.js", import\.meta\.url\)/,
    );
    assert.match(
      out,
      /import\(new URL\("\.\.\/mod\.js", import\.meta\.url\)\.href\)/,
    );
    assert.match(out, /new URL\("\.\/_spare\.js", import\.meta\.url\)/);
    assert.match(out, /import\(target\.module\)/);
    assert.match(out, /npm build: its lazy imports name the built \.js files/);
    assert.throws(
      () => npmBundle('const d = import("./other.ts");'),
      /still names "\.\/other\.ts"/,
    );
    // The bundle the sources give converts whole.
    const real = npmBundle(
      readFileSync(
        new URL("../thread/_worker_bundle.js", import.meta.url),
        "utf8",
      ),
    );
    assert.doesNotMatch(real.replace(/^\/\/.*$/gm, ""), /\.ts["']/);
  });

  it("npmReadme() drops deno-only regions, imports threadkit and unmarks ignored fences", () => {
    const out = npmReadme([
      "# t",
      "<!-- deno-only -->",
      "deno add jsr:@threadkit/threadkit",
      "<!-- /deno-only -->",
      "",
      "```ts ignore",
      'import { Lock } from "@threadkit/threadkit";',
      'import { Event } from "@threadkit/threadkit/sync/event";',
      "```",
      "",
    ].join("\n"));
    assert.doesNotMatch(out, /deno add|deno-only/);
    assert.match(out, /^```ts$/m);
    assert.match(out, /from "threadkit";/);
    assert.match(out, /from "threadkit\/sync\/event";/);
    assert.doesNotMatch(out, /@threadkit\/threadkit/);
  });

  it("npmReadme() refuses a code block with `using` outside deno-only regions", () => {
    const block = (line: string) => ["```ts", line, "```", ""].join("\n");
    assert.throws(
      () => npmReadme(block("  using _held = lock.guard();")),
      /using/,
    );
    assert.throws(
      () => npmReadme(block("await using _g = await lock.guardAsync();")),
      /using/,
    );
    // Prose and identifiers that merely contain the word are fine.
    npmReadme(block("const using = 1; // `using` forms"));
  });

  it("npmReadme() of this repository's README passes its own checks", async () => {
    const text = await Deno.readTextFile(
      new URL("../README.md", import.meta.url),
    );
    const out = npmReadme(text);
    assert.match(out, /npm install threadkit/);
    assert.doesNotMatch(out, /jsr:@threadkit/);
  });
});
