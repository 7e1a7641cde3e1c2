// Copyright 2026 the threadkit authors. MIT license.
// A program: Thread.start at every depth from the end of the stack up,
// each attempt with a tag of its own, on a module target that records each
// run in a file (tests/depth/_tag.ts). Prints one JSON line: whether every
// started thread returned its own tag (a spare handed back with a refused
// start's record still in its port would run that record instead), how
// many ran on a spare against how many spares left the list taken, runs
// nobody started, errors other than RangeError, the thread table's reserved
// entries right after the sweep and after a turn of the event loop.
// Args: daemon|plain, spares (N, or ~N: not waited for), sweeps,
// args: shared (plain values: a spare's block) | object (the spare's port) |
// port (a MessagePort in the args, one per sweep made up front), and a
// fifth: long | field | warm (below).
import { prestartThreads, Thread } from "../../mod.ts";
import { sweep } from "../queue/_stack_end.ts";
import { spareBlocks, sparesTaken } from "../../_core/spare.ts";
import { runtime } from "../../_core/runtime.ts";
import { probes } from "../../_core/host.ts";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { receiveMessageOnPort } from "node:worker_threads";

const TABLE = 16, ENTRY_SLOTS = 32; // _core/runtime.ts
// Also: entries whose name section stayed taken (NAME_SEQ odd: lost to
// starts for good, _core/names.ts), and the heap's live bytes (HEAP_LIVE).
// An entry keeps its last long name's block (NAME_AT) until its next
// reservation releases it (_core/names.ts): `named` counts those.
const NAME_SEQ = 6, HEAP_LIVE = 5, NAME_AT = 5;
function table(): {
  reserved: number;
  live: number;
  oddSeq: number;
  heap: number;
  named: number;
} {
  const view = runtime().view;
  let reserved = 0, live = 0, oddSeq = 0, named = 0;
  for (let i = 1; i < 256; i++) {
    const tid = Atomics.load(view, TABLE + i * ENTRY_SLOTS);
    if (tid === -1) reserved++;
    else if (tid !== 0 && tid !== 1) live++;
    if (Atomics.load(view, TABLE + i * ENTRY_SLOTS + NAME_SEQ) & 1) oddSeq++;
    if (Atomics.load(view, TABLE + i * ENTRY_SLOTS + NAME_AT) > 0) named++;
  }
  const heap = Atomics.load(view, HEAP_LIVE);
  return { reserved, live, oddSeq, heap, named };
}

const g = globalThis as unknown as {
  Deno?: { args: string[]; pid: number };
  process?: { argv: string[]; pid: number };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const daemon = argv[0] === "daemon";
const loading = (argv[1] ?? "").startsWith("~");
const nSpares = Number((argv[1] ?? "0").replace("~", ""));
const sweeps = Number(argv[2] ?? 4);
const argsKind = argv[3] ?? "shared";
// A fifth arg "long": each thread's name is 200 characters (a heap block
// the entry owns, _core/names.ts).
// "field": 96 characters (the most the entry's own field holds).
// "warm": one thread with a MessagePort in its args started and joined at
// a shallow depth first, so the lookups a first such start makes (the
// platform classes, node:util's type tests: _core/platform.ts, host.ts)
// are done and the sweep's refusals come at the later steps (the port's
// move, the record's post). Without it every attempt near the end retries
// those lookups, each a probe of 2,000 frames that fails there.
const long = argv[4] === "long";
const field = argv[4] === "field";
const warm = argv[4] === "warm";
const path = join(
  tmpdir(),
  `own_sweep_${g.Deno?.pid ?? g.process?.pid}_${Date.now()}.txt`,
);
const target = {
  module: new URL("./_tag.ts", import.meta.url),
  export: "tag",
};

if (warm) {
  const { port1, port2 } = new MessageChannel();
  const first = new Thread({
    target: (p: MessagePort) => (p.close(), 1),
    args: [port2],
    daemon,
  });
  first.start();
  first.join({ timeout: 30_000 });
  port1.close();
  if (first.result !== 1) throw new Error(`warm start: ${first.result}`);
}
if (nSpares > 0 && loading) prestartThreads(nSpares);
else if (nSpares > 0) {
  const until = performance.now() + 90_000;
  while (prestartThreads(nSpares) < nSpares && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
  }
}
// Ports made up front, at a shallow depth: one per sweep (a refused
// attempt's port must stay usable: the next attempt passes it again).
const channels: MessageChannel[] = [];
if (argsKind === "port") {
  for (let i = 0; i < sweeps; i++) channels.push(new MessageChannel());
}
const tableBefore = table();
const before = spareBlocks().slice();
const takenBefore = sparesTaken();
const started: Thread[] = new Array(4096).fill(undefined);
const tags: number[] = new Array(4096).fill(0);
let k = 0, refused = 0, nextTag = 1;
const others: string[] = new Array(8).fill("");
let nOthers = 0;
for (let s = 0; s < sweeps; s++) {
  sweep(() => {
    const t = nextTag++;
    try {
      const args = argsKind === "object"
        ? [path, t, { o: [1, "x"] }]
        : argsKind === "port"
        ? [path, t, channels[s].port2]
        : [path, t];
      const th = new Thread({
        target: target as unknown as (...a: unknown[]) => unknown,
        args,
        daemon,
        ...long && { name: `${"n".repeat(196)}${t}` },
        ...field && { name: `${t}`.padStart(96, "f") },
      });
      th.start();
      started[k] = th;
      tags[k] = t;
      k++;
    } catch (e) {
      refused++;
      if (!(e instanceof RangeError) && nOthers < 8) {
        others[nOthers++] = String(e).slice(0, 160);
      }
      throw e;
    }
  });
}
const tableSync = table();
const fateOf = () => {
  const now = new Set(spareBlocks());
  const fate: Record<string, number> = {};
  for (const b of before) {
    const key = `${now.has(b) ? "listed" : "out"}-${Atomics.load(b, 0)}`;
    fate[key] = (fate[key] ?? 0) + 1;
  }
  return fate;
};
const fateSync = fateOf();
let wrong = 0, spareRuns = 0, joinErrors = 0;
const bad: string[] = [];
for (let i = 0; i < k; i++) {
  try {
    started[i].join({ timeout: 30_000 });
    const r = started[i].result as [number, string] | undefined;
    if (started[i].isAlive()) {
      joinErrors++;
      bad.push(`${tags[i]}: still alive`);
    } else if (r === undefined || r[0] !== tags[i]) {
      wrong++;
      bad.push(`${tags[i]}: got ${JSON.stringify(r)}`);
    } else if (r[1] === "spare") spareRuns++;
  } catch (e) {
    joinErrors++;
    bad.push(`${tags[i]}: ${String(e).slice(0, 120)}`);
  }
}
let portsOk = 0;
if (argsKind === "port") {
  for (const c of channels) {
    const got = receiveMessageOnPort(c.port1 as never);
    if (got !== undefined && String(got.message).startsWith("from ")) portsOk++;
    c.port1.close();
  }
}
// A run for a refused start, or a second run, may come later: a bounded
// window for it (a probe, not an ordering).
await new Promise((r) => setTimeout(r, 1500));
let lines: string[] = [];
try {
  lines = readFileSync(path, "utf8").trim().split("\n").filter((l) => l);
  rmSync(path);
} catch {
  // no run at all
}
const ranTags = lines.map((l) => Number(l.split(" ")[0]));
const okTags = new Set(tags.slice(0, k));
const strays = ranTags.filter((t) => !okTags.has(t)).length;
const twice = ranTags.length - new Set(ranTags).size;
const fateTurn = fateOf();
let outTaken = 0;
for (const [key, n] of Object.entries(fateTurn)) {
  if (key === "out-2" || key === "out-3") outTaken += n;
}
console.log(JSON.stringify({
  // A start's one-probe memo (_core/host.ts probes), back to rest.
  probes: { ...probes },
  daemon,
  spares: before.length,
  argsKind,
  k,
  refused,
  runs: lines.length,
  strays,
  twice,
  wrong,
  joinErrors,
  bad: bad.slice(0, 4),
  spareRuns,
  outTaken,
  taken: sparesTaken() - takenBefore,
  fateSync,
  fateTurn,
  portsOk,
  tableBefore,
  tableSync,
  tableTurn: table(),
  others: others.slice(0, nOthers),
}));
