// Copyright 2026 the threadkit authors. MIT license.
// Deno on Linux: a daemon thread keeps three spares (MODE "ready": waits
// until they are; "loading": ends at once) and ends. Prints the spares'
// states (_core/spare_block.ts) and how many worker OS threads are left
// once they are gone (bounded wait): none may be left (Deno 2.9.6 keeps a
// node:worker_threads worker running after the worker that made it ends).
import { moduleTarget, Thread } from "../../../mod.ts";
import type * as Keeper from "../spare_keeper.ts";

const mode = Deno.args[0];
// A thread that ends between the directory read and its comm read is gone:
// not counted (its comm file no longer exists, or the read fails ESRCH,
// "No such process": seen with a thread ending during the read).
const comm = (task: string) => {
  try {
    return Deno.readTextFileSync(`/proc/self/task/${task}/comm`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    const code = (error as { code?: string }).code;
    if (code === "ESRCH" || /\(os error 3\)/.test(String(error))) return "";
    throw error;
  }
};
const workers = () =>
  [...Deno.readDirSync("/proc/self/task")].filter((e) =>
    comm(e.name).startsWith("worker-")
  ).length;

const t = new Thread({
  target: moduleTarget<typeof Keeper.keep>(
    new URL("../spare_keeper.ts", import.meta.url),
    "keep",
  ),
  args: [3, mode === "ready", false],
  daemon: true,
});
t.start();
const blocks = await t.joinAsync({ timeout: 30_000 });
const until = performance.now() + 20_000;
while (workers() > 0 && performance.now() < until) {
  await new Promise((r) => setTimeout(r, 20));
}
console.log(
  `states ${
    blocks.map((b) => Atomics.load(b, 0)).join(",")
  } workers ${workers()}`,
);
