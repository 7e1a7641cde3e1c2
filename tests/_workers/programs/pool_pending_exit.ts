// Copyright 2026 the threadkit authors. MIT license.
// Submits a task and does not await it: a pending Future keeps the process
// alive until the task is done (its callback prints), then the process exits.
import { Event, ThreadPoolExecutor } from "../../../mod.ts";

const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
const go = new Event();
const f = pool.submit((go: Event) => {
  go.wait({ timeout: 20_000 });
  return "task done";
}, go);
f.addDoneCallback((f) => console.log(f.result()));
// Released from a timer after the main module has finished.
setTimeout(() => go.set(), 300);
console.log("main done");
