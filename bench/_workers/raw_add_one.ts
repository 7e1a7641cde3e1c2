// Copyright 2026 the threadkit authors. MIT license.
// The raw web Worker for the thread-start baseline: answers one number with
// that number plus one.
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />

self.onmessage = (e: MessageEvent<number>) => {
  self.postMessage(e.data + 1);
};
