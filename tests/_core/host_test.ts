// Copyright 2026 the threadkit authors. MIT license.
// The runtime adapter's host part (_core/host.ts): the package root that
// keys each thread's state, cut from a module's URL as text, is what the
// URL parser gives.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { folderAbove } from "../../_core/host.ts";

describe("folderAbove", () => {
  it("folderAbove gives new URL('..', url).href for a module's URL", () => {
    for (
      const url of [
        import.meta.url,
        "file:///work/pkg/_core/host.ts",
        "file:///work/pkg/thread/_worker_bundle.js",
        "https://jsr.io/@threadkit/threadkit/1.2.3/_core/host.ts",
        "https://example.com/a%20b/_core/host.js?v=1#top",
        "https://example.com/pkg/_core/host.js#x/y",
        "file:///C:/Users/me/pkg/_core/host.ts",
      ]
    ) assert.equal(folderAbove(url), new URL("..", url).href, url);
  });
});
