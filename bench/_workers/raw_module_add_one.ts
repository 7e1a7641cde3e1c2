// Copyright 2026 the threadkit authors. MIT license.
// The raw web Worker for the module-target start baseline: its script
// imports the module a Thread's module target names (add_one.ts) and answers
// one number with that module's addOne of it, as a worker written by hand to
// run an exported function does.
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { addOne } from "./add_one.ts";

self.onmessage = (e: MessageEvent<number>) => {
  self.postMessage(addOne(e.data));
};
