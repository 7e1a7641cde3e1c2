// Copyright 2026 the threadkit authors. MIT license.
// Submits work, awaits it and shuts the executor down: the process must exit
// at once.
import { ThreadPoolExecutor } from "../../../mod.ts";

const pool = new ThreadPoolExecutor({ maxWorkers: 2 });
const results = await Promise.all(
  [1, 2, 3].map((n) => pool.submit((x: number) => x + 1, n)),
);
pool.shutdown();
console.log(`results ${results.join(",")} at ${Math.round(performance.now())}`);
