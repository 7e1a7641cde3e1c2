// Copyright 2026 the threadkit authors. MIT license.
// The unbounded Queue (and SimpleQueue) of this tree against another copy of
// the package (a checkout of the baseline), in one process, timed in
// alternating rounds (bench/_ab.ts): the machine's load hits both alike.
// - SPSC: the main thread puts N single items, a consumer thread gets them
//   (int32 and structured { id, payload }); one queue per side, reused by
//   every round (grown once, in the untimed warm-up);
// - grow: a fresh queue per round, N items put then taken on one thread
//   (its segments made in the round: 1024 items doubling to N).
// Each round checks the consumer's count and checksum.
//
//   deno run -A bench/unbounded_ab.ts BASE_DIR [REPS] [ROW]
// BASE_DIR holds the baseline's mod.ts (for example
// `git archive main | tar -x -C /tmp/base`).
import { compare, median, type Runner, type Side } from "./_ab.ts";
import * as here from "../mod.ts";

type Mod = typeof here;
const base = Deno.args[0];
if (base === undefined) throw new Error("usage: unbounded_ab.ts BASE_DIR");
const REPS = Number(Deno.args[1] ?? 21);
// The transfer registry lives on globalThis so that two copies of one
// version share it; two versions must not (each revives its own classes):
// the baseline gets a registry of its own. Everything else (the runtime
// block, the heap) the two copies share, as two copies in a program would.
const KEY = Symbol.for("threadkit.transfer.registry.v1");
const g = globalThis as Record<symbol, unknown>;
const ours = g[KEY];
delete g[KEY];
const there = await import(
  new URL(`file://${Deno.realPathSync(base)}/mod.ts`).href
) as Mod;
g[KEY] = ours;

const INT_ITEMS = 200_000;
const OBJ_ITEMS = 20_000;
const PAYLOAD = "abcdefghijklmnopqrstuvwxyz012345";

// The consumer: sent as source, so it runs on the side's own package copy.
const consumer = (
  q: { get(): unknown },
  ctl: { get(): number },
  done: { put(x: number): void },
  structured: boolean,
) => {
  for (;;) {
    const n = ctl.get();
    if (n < 0) return;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = q.get() as number | { id: number; payload: string };
      sum += structured
        ? (x as { id: number }).id + (x as { payload: string }).payload.length
        : x as number;
    }
    done.put(sum);
  }
};

function spsc(name: string, m: Mod, structured: boolean): Side {
  const n = structured ? OBJ_ITEMS : INT_ITEMS;
  return {
    name,
    start(): Promise<Runner> {
      const q = structured
        ? new m.Queue<unknown>({ initialCapacity: 1024 })
        : new m.Queue<unknown>({ type: "int32", initialCapacity: 1024 });
      const ctl = new m.Queue<number>({ capacity: 4, type: "int32" });
      const done = new m.Queue<number>({ capacity: 4, type: "float64" });
      const t = new m.Thread({
        target: consumer as never,
        args: [q, ctl, done, structured] as never,
      });
      t.start();
      const items = Array.from(
        { length: n },
        (_, id) => structured ? { id, payload: PAYLOAD } : id,
      );
      return Promise.resolve({
        round(k: number) {
          ctl.put(k);
          for (let i = 0; i < k; i++) q.put(items[i % n]);
          const sum = done.get({ timeout: 60_000 });
          let expect = 0;
          for (let i = 0; i < k; i++) {
            const x = items[i % n];
            expect += structured ? (x as { id: number }).id + 32 : x as number;
          }
          if (sum !== expect) {
            throw new Error(`${name}: checksum ${sum}, want ${expect}`);
          }
          return k;
        },
        async stop() {
          ctl.put(-1);
          await t.joinAsync({ timeout: 60_000 });
        },
      });
    },
  };
}

function grow(name: string, m: Mod, simple: boolean): Side {
  return {
    name,
    start(): Promise<Runner> {
      return Promise.resolve({
        round(k: number) {
          const q = simple
            ? new m.SimpleQueue<number>({ type: "int32" })
            : new m.Queue<number>({ type: "int32" });
          for (let i = 0; i < k; i++) q.put(i);
          let sum = 0;
          for (let i = 0; i < k; i++) sum += q.getNowait();
          if (sum !== k * (k - 1) / 2) throw new Error(`${name}: sum ${sum}`);
          return k;
        },
        stop: () => Promise.resolve(),
      });
    },
  };
}

const rows: [string, (m: Mod, tag: string) => Side, number][] = [
  [
    "Queue int32 put/get (unbounded), SPSC",
    (m, t) => spsc(t, m, false),
    INT_ITEMS,
  ],
  [
    "Queue structured put/get (unbounded), SPSC",
    (m, t) => spsc(t, m, true),
    OBJ_ITEMS,
  ],
  [
    "Queue int32 put then get, grown from 1024 (1 thread)",
    (m, t) => grow(t, m, false),
    INT_ITEMS,
  ],
  [
    "SimpleQueue int32 put then get, grown from 1024 (1 thread)",
    (m, t) => grow(t, m, true),
    INT_ITEMS,
  ],
];
const only = Deno.args[2]; // a row's name contains it
for (const [what, side, n] of rows) {
  if (only !== undefined && !what.includes(only)) continue;
  const [a, b] = await compare(
    [side(here, "this tree"), side(there, "base")],
    n,
    REPS,
  );
  // Paired: each repetition times both sides back to back.
  const paired = median(a.rounds.map((ns, i) => b.rounds[i] / ns));
  console.log(
    `${what}: this tree ${a.nsPerOp.toFixed(1)} ns/item, base ${
      b.nsPerOp.toFixed(1)
    } ns/item; throughput this / base: ${
      (b.nsPerOp / a.nsPerOp).toFixed(3)
    } (medians), ${paired.toFixed(3)} (paired median), CPU ${
      (b.cpuPerOp / a.cpuPerOp).toFixed(3)
    }`,
  );
}
Deno.exit(0);
