// Copyright 2026 the threadkit authors. MIT license.
// Threads that end their worker themselves (Deno: close() or Deno.exit, in
// turn; Node: process.exit) are forgotten by the main thread's tracking of
// its non-daemon workers (_core/lifetime.ts) once they have ended: at the
// process's exit none is left of the 16 started.
import process from "node:process";
import { Thread } from "../../../mod.ts";
import { trackedCount } from "../../../_core/lifetime.ts";

const threads = Array.from({ length: 16 }, (_, i) =>
  new Thread({
    target: (exit: boolean) => {
      const g = globalThis as unknown as {
        close?(): void;
        Deno?: { exit(code: number): void };
        process?: { exit(code: number): void };
      };
      if (exit || typeof g.close !== "function") {
        (g.Deno ?? g.process)!.exit(0);
      } else g.close();
      return new Promise(() => {});
    },
    args: [i % 2 === 0],
    name: `self-end-${i}`,
  }));
for (const t of threads) t.start();
let ended = 0;
for (const t of threads) {
  // A death: joinAsync rejects with ThreadExitError once the thread ended.
  await t.joinAsync({ timeout: 30_000 }).catch(() => {});
  if (!t.isAlive()) ended++;
}
console.log(`ended ${ended}`);
process.on("exit", () => console.log(`tracked at exit ${trackedCount()}`));
