// Copyright 2026 the threadkit authors. MIT license.
// Keeps two spare workers, runs a daemon thread on one: the spares must not
// keep the process alive.
import { prestartThreads, Thread } from "../../../mod.ts";

prestartThreads(2);
const until = performance.now() + 20_000;
while (prestartThreads(2) < 1 && performance.now() < until) {
  await new Promise((r) => setTimeout(r, 5));
}
const t = new Thread({
  target: (n: number) => n * 2,
  args: [21],
  daemon: true,
});
t.start();
console.log(`result ${await t.joinAsync({ timeout: 20_000 })}`);
