// Copyright 2026 the threadkit authors. MIT license.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { npmReadme } from "./build_npm.ts";

describe("build:npm", () => {
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
