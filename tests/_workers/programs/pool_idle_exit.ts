// Copyright 2026 the threadkit authors. MIT license.
// Submits work, awaits it, never shuts the executor down: the process must
// exit by itself (pool threads are daemons; idle ones end after idleTimeout).
import { ThreadPoolExecutor } from "../../../mod.ts";

const pool = new ThreadPoolExecutor({ maxWorkers: 2, idleTimeout: 200 });
const results = await Promise.all(
  [1, 2, 3].map((n) => pool.submit((x: number) => x * 2, n)),
);
console.log(`results ${results.join(",")}`);
