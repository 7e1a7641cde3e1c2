// Copyright 2026 the threadkit authors. MIT license.
// The int32 batch paths of this tree against another copy of the package (a
// checkout of the baseline), in one process, timed in alternating rounds
// (bench/_ab.ts): the machine's load hits both alike. Runs on Deno (the
// sources) and on Node (the npm builds):
// - "many": a producer thread puts Int32Array chunks of 1024 with putMany,
//   a consumer thread takes them with getMany(1024) (a fresh JS array) or
//   getManyInto (an Int32Array of 1024), capacity 4096: the int-many and
//   int-into rows of bench/_rows.ts, minus ringbuf.js;
// - "one thread": putMany(1024) then getMany / getManyInto on one thread,
//   CPU time per item (no cache line crosses cores, nobody sleeps);
// - single items (put / get, capacity 1024, default and singleWriter +
//   singleReader): thread -> thread and main -> thread (the int-t2t and
//   int-m2t rows minus the careful ring), and 256 puts then 256 gets on one
//   thread (put / get, or putNowait / getNowait).
// Each round checks the consumer's checksum.
//
//   deno run -A bench/batch_ab.mjs mod.ts BASE/mod.ts [REPS] [ROW]
//   node bench/batch_ab.mjs npm/mod.js BASE/npm/mod.js [REPS] [ROW]
// (BASE: for example `git archive main | tar -x -C /tmp/base`, and for
// Node `deno task build:npm` there.)
import process from "node:process";
import { pathToFileURL } from "node:url";

const isDeno = typeof Deno !== "undefined";
// The A/B timer: its source on Deno, its build (npm/bench/, made by
// `deno task bench` or bench/_node_build.ts) on Node.
const { compare, median } = await import(
  isDeno ? "./_ab.ts" : "../npm/bench/_ab.js"
);

const args = isDeno ? Deno.args : process.argv.slice(2);
const [herePath, basePath] = args;
if (basePath === undefined) {
  throw new Error("usage: batch_ab.mjs HERE_MOD BASE_MOD [REPS] [ROW]");
}
const REPS = Number(args[2] ?? 15);
const only = args[3];
const url = (p) => pathToFileURL(p).href;
// The transfer registry lives on globalThis (see bench/unbounded_ab.ts):
// each copy gets a registry of its own.
const KEY = Symbol.for("threadkit.transfer.registry.v1");
const here = await import(url(herePath));
const ours = globalThis[KEY];
delete globalThis[KEY];
const there = await import(url(basePath));
globalThis[KEY] = ours;

const BATCH = 1024;
const ITEMS = 2_000_000;

// Thread bodies, sent as source so they run on the side's own copy.
const producer = (q, ctl, done, batch) => {
  const chunk = new Int32Array(batch);
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    if (batch === 1) { for (let i = 0; i < n; i++) q.put(i); }
    else {for (let i = 0; i < n; i += batch) {
        const len = Math.min(batch, n - i);
        for (let j = 0; j < len; j++) chunk[j] = i + j;
        q.putMany(len === batch ? chunk : chunk.subarray(0, len));
      }}
    done.put(0);
  }
};
const consumer = (q, ctl, done, batch, into) => {
  const scratch = new Int32Array(batch);
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    let sum = 0;
    if (batch === 1) { for (let i = 0; i < n; i++) sum = (sum + q.get()) | 0; }
    else {for (let got = 0; got < n;) {
        if (into) {
          const k = q.getManyInto(
            got + batch <= n ? scratch : scratch.subarray(0, n - got),
          );
          for (let j = 0; j < k; j++) sum = (sum + scratch[j]) | 0;
          got += k;
        } else {
          const xs = q.getMany(Math.min(batch, n - got));
          for (let j = 0; j < xs.length; j++) sum = (sum + xs[j]) | 0;
          got += xs.length;
        }
      }}
    done.put(sum);
  }
};

function intSum(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i) | 0;
  return s;
}

// A loop of its own for each side (new Function): a call site shared by
// both copies of the package would see two Queue classes and inline
// neither.
const mainPuts = () =>
  new Function("q", "k", "for (let i = 0; i < k; i++) q.put(i);");
// nowait: putNowait and getNowait in place of put and get.
const putGets = (nowait = false) =>
  new Function(
    "q",
    "k",
    `let sum = 0;
    for (let i = 0; i < k; i += 256) {
      for (let j = 0; j < 256; j++) q.${nowait ? "putNowait" : "put"}(i + j);
      for (let j = 0; j < 256; j++) {
        sum = (sum + q.${nowait ? "getNowait" : "get"}()) | 0;
      }
    }
    return sum;`,
  );

// batch 1: single put / get on a queue of capacity 1024 with `modes`;
// fromMain: this thread is the producer; mixed: before the rounds this
// thread also puts to and gets from a Queue of the other kind (default, or
// singleWriter + singleReader), as the int-m2t row's main thread does, so
// QueueBase.put's call of the ring's tryPut has seen both ring classes.
function pipe(
  name,
  m,
  into,
  batch = BATCH,
  modes = {},
  fromMain = false,
  mixed = false,
) {
  return {
    name,
    start() {
      const q = new m.Queue({
        capacity: batch === 1 ? 1024 : 4 * batch,
        type: "int32",
        ...modes,
      });
      const ctl = [0, 1].map(() => new m.Queue({ capacity: 4, type: "int32" }));
      const done = [0, 1].map(() =>
        new m.Queue({ capacity: 4, type: "int32" })
      );
      const threads = [
        new m.Thread({ target: producer, args: [q, ctl[0], done[0], batch] }),
        new m.Thread({
          target: consumer,
          args: [q, ctl[1], done[1], batch, into],
        }),
      ];
      if (fromMain) threads.shift();
      const puts = mainPuts();
      if (mixed) mixIn(m, modes);
      for (const t of threads) t.start();
      return Promise.resolve({
        round(k) {
          ctl[1].put(k);
          if (fromMain) puts(q, k);
          else {
            ctl[0].put(k);
            done[0].get({ timeout: 120_000 });
          }
          const sum = done[1].get({ timeout: 120_000 });
          if (sum !== intSum(k)) {
            throw new Error(`${name}: checksum ${sum}, want ${intSum(k)}`);
          }
          return k;
        },
        async stop() {
          for (const c of fromMain ? ctl.slice(1) : ctl) c.put(-1);
          for (const t of threads) await t.joinAsync({ timeout: 60_000 });
        },
      });
    },
  };
}

// `mixed` (pipe, oneThread): this thread's puts and gets on a Queue of the
// other kind (default, or singleWriter + singleReader) of copy `m`.
function mixIn(m, modes, nowait = false) {
  const other = new m.Queue({
    capacity: 1024,
    type: "int32",
    ...(modes.singleWriter ? {} : SOLO),
  });
  const loop = putGets(nowait);
  for (let i = 0; i < 400; i++) loop(other, 1024);
}

function oneThread(
  name,
  m,
  into,
  single = false,
  modes = {},
  mixed = false,
  nowait = false,
) {
  return {
    name,
    start() {
      const q = new m.Queue({ capacity: 4 * BATCH, type: "int32", ...modes });
      const chunk = new Int32Array(BATCH);
      const scratch = new Int32Array(BATCH);
      const loop = putGets(nowait);
      if (mixed) mixIn(m, modes, nowait);
      return Promise.resolve({
        round(k) {
          let sum = 0;
          if (single) {
            sum = loop(q, k);
            const n = Math.ceil(k / 256) * 256;
            if (sum !== intSum(n)) throw new Error(`${name}: checksum ${sum}`);
            return n;
          }
          for (let i = 0; i < k; i += BATCH) {
            for (let j = 0; j < BATCH; j++) chunk[j] = i + j;
            q.putMany(chunk);
            if (into) {
              const n = q.getManyInto(scratch);
              for (let j = 0; j < n; j++) sum = (sum + scratch[j]) | 0;
            } else {
              const xs = q.getMany(BATCH);
              for (let j = 0; j < xs.length; j++) sum = (sum + xs[j]) | 0;
            }
          }
          const want = intSum(Math.ceil(k / BATCH) * BATCH);
          if (sum !== want) throw new Error(`${name}: checksum ${sum}`);
          return Math.ceil(k / BATCH) * BATCH;
        },
        stop: () => Promise.resolve(),
      });
    },
  };
}

const SOLO = { singleWriter: true, singleReader: true };
const rows = [
  ["put/get, thread -> thread", (m, t) => pipe(t, m, false, 1)],
  ["put/get, main -> thread", (m, t) => pipe(t, m, false, 1, {}, true)],
  ["put + get, one thread", (m, t) => oneThread(t, m, false, true)],
  ["put/get SW+SR, thread -> thread", (m, t) => pipe(t, m, false, 1, SOLO)],
  ["put/get SW+SR, main -> thread", (m, t) => pipe(t, m, false, 1, SOLO, true)],
  [
    "put/get, main -> thread, mixed",
    (m, t) => pipe(t, m, false, 1, {}, true, true),
  ],
  [
    "put/get SW+SR, main -> thread, mixed",
    (m, t) => pipe(t, m, false, 1, SOLO, true, true),
  ],
  ["put + get SW+SR, one thread", (m, t) => oneThread(t, m, false, true, SOLO)],
  [
    "put + get, one thread, mixed",
    (m, t) => oneThread(t, m, false, true, {}, true),
  ],
  [
    "put + get SW+SR, one thread, mixed",
    (m, t) => oneThread(t, m, false, true, SOLO, true),
  ],
  [
    "putNowait + getNowait SW+SR, one thread",
    (m, t) => oneThread(t, m, false, true, SOLO, false, true),
  ],
  [
    "putNowait + getNowait SW+SR, one thread, mixed",
    (m, t) => oneThread(t, m, false, true, SOLO, true, true),
  ],
  ["putMany/getMany x1024, thread -> thread", (m, t) => pipe(t, m, false)],
  ["putMany/getManyInto x1024, thread -> thread", (m, t) => pipe(t, m, true)],
  ["putMany + getMany x1024, one thread", (m, t) => oneThread(t, m, false)],
  ["putMany + getManyInto x1024, one thread", (m, t) => oneThread(t, m, true)],
];
const rt = isDeno ? "deno" : "node";
for (const [what, side] of rows) {
  if (only !== undefined && !only.split("|").some((o) => what.includes(o))) {
    continue;
  }
  const single = what.startsWith("put/") || what.startsWith("put +") ||
    what.startsWith("putNowait");
  const [a, b] = await compare(
    [side(here, "this tree"), side(there, "base")],
    single ? ITEMS / 4 : ITEMS,
    REPS,
    single ? ITEMS : undefined,
  );
  const paired = median(a.rounds.map((ns, i) => b.rounds[i] / ns));
  console.log(
    `${rt} ${what}: this tree ${a.nsPerOp.toFixed(2)} ns/item, base ${
      b.nsPerOp.toFixed(2)
    } ns/item; throughput this / base: ${
      (b.nsPerOp / a.nsPerOp).toFixed(3)
    } (medians), ${paired.toFixed(3)} (paired median), CPU ${
      (b.cpuPerOp / a.cpuPerOp).toFixed(3)
    }`,
  );
}
process.exit(0);
