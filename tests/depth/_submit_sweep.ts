// Copyright 2026 the threadkit authors. MIT license.
// A program: ThreadPoolExecutor.submit at every depth
// from the end of the stack up (a submit starts a pool thread while the
// pool has room: a Thread.start at that depth), each task with a tag of
// its own, recorded in a file when it runs (tests/depth/_tag.ts). Every
// call returns a Future that resolves to its tag, or throws a RangeError
// and its task never runs. Then the
// pool is as before: every slot free (maxQueue tasks held running at once,
// each submitted within a bounded wait). Prints one JSON line; exits by
// itself. Args: sweeps, max workers.
import { ThreadPoolExecutor } from "../../mod.ts";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweep } from "../queue/_stack_end.ts";

const g = globalThis as unknown as {
  Deno?: { args: string[]; pid: number };
  process?: { argv: string[]; pid: number };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const sweeps = Number(argv[0] ?? 6);
const workers = Number(argv[1] ?? 3);
const SLOTS = 16;
const path = join(
  tmpdir(),
  `submit_sweep_${g.Deno?.pid ?? g.process?.pid}_${Date.now()}.txt`,
);
const target = { module: new URL("./_tag.ts", import.meta.url), export: "tag" };
const tagged = target as unknown as (p: string, t: number) => [number, string];
const ex = new ThreadPoolExecutor({ maxWorkers: workers, maxQueue: SLOTS });
// Sized up front: the stores at depth are no calls.
const got: (PromiseLike<unknown> | undefined)[] = Array.from(
  { length: 256 },
  () => undefined,
);
const tags: number[] = Array.from({ length: 256 }, () => 0);
let k = 0, refused = 0, nextTag = 1, nOthers = 0;
const others: string[] = Array.from({ length: 8 }, () => "");
for (let s = 0; s < sweeps; s++) {
  sweep(() => {
    const t = nextTag++;
    try {
      got[k] = ex.submit(tagged, path, t);
      tags[k++] = t;
    } catch (e) {
      refused++;
      if (!(e instanceof RangeError) && nOthers < 8) {
        others[nOthers++] = String(e).slice(0, 160);
      }
      throw e;
    }
  });
}
let wrong = 0;
const bad: string[] = [];
for (let i = 0; i < k; i++) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const r = await Promise.race([
      got[i],
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error("timeout")), 60_000);
      }),
    ]);
    if ((r as [number, string])[0] !== tags[i]) {
      wrong++;
      bad.push(`${tags[i]}: got ${JSON.stringify(r)}`);
    }
  } catch (e) {
    wrong++;
    bad.push(`${tags[i]}: ${String(e).slice(0, 120)}`);
  } finally {
    clearTimeout(timer);
  }
}
// Every slot free again: SLOTS tasks held running (or queued) at once,
// each accepted within a bounded wait; a slot a refused submit kept makes
// the last one time out.
const gate = new Int32Array(new SharedArrayBuffer(4));
const hold = (w: Int32Array) => {
  while (Atomics.load(w, 0) === 0) Atomics.wait(w, 0, 0, 1_000);
  return 1;
};
let slotsFree = 0;
const holding: PromiseLike<number>[] = [];
try {
  for (let i = 0; i < SLOTS; i++) {
    holding.push(ex.submitWith(hold, [gate], { timeout: 20_000 }));
    slotsFree++;
  }
} catch {
  // a slot kept by a refused call
}
Atomics.store(gate, 0, 1);
Atomics.notify(gate, 0);
const held = (await Promise.all(holding)).length;
ex.shutdown({ wait: true });
let lines: string[] = [];
try {
  lines = readFileSync(path, "utf8").trim().split("\n").filter((l) => l);
  rmSync(path);
} catch {
  // no run at all
}
const ran = lines.map((l) => Number(l.split(" ")[0]));
const ok = new Set(tags.slice(0, k));
console.log(JSON.stringify({
  k,
  refused,
  wrong,
  bad: bad.slice(0, 4),
  runs: ran.length,
  strays: ran.filter((t) => !ok.has(t)).length,
  twice: ran.length - new Set(ran).size,
  others: others.slice(0, nOthers),
  slotsFree,
  held,
}));
