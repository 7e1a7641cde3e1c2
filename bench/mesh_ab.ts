// Copyright 2026 the threadkit authors. MIT license.
// What a thread the executor reached in a Thread's args (a holder,
// pool/_mesh.ts) pays, in alternating rounds in one process (bench/_ab.ts):
// - submit: 500 awaited no-view submits from a holder thread, a baseline
//   package (A) against the subject (B), each imported by its mod file
//   (the holder's submit path must cost what it did);
// - start: a Thread start and join with the executor in its args (B), against
//   the same in A (what the channels add), and against B's start without it;
//   and B's start without an executor against A's (the entry reserved before
//   the encode, the start record handed to it).
//
//   deno run -A bench/mesh_ab.ts A/mod.ts B/mod.ts [reps]
import process from "node:process";
import { pathToFileURL } from "node:url";
import { compare, median, type Runner, type Side, type Timing } from "./_ab.ts";

type Executor = {
  submit(fn: (x: number) => number, x: number): PromiseLike<number>;
  shutdownAsync(): Promise<void>;
};
type Handle = { start(): void; joinAsync(o: { timeout: number }): unknown };
type Package = {
  ThreadPoolExecutor: new (o: { maxWorkers: number }) => Executor;
  Thread: new (o: { target: unknown; args: unknown[] }) => Handle;
};

const [aPath, bPath, repList] = process.argv.slice(2);
const load = async (p: string) =>
  await import(pathToFileURL(p).href) as Package;
const A = await load(aPath), B = await load(bPath);
const reps = Number(repList ?? 15);

// The holder: runs each round main asks for (ctl: [round, n, done, stop]).
async function holder(pool: Executor, ctl: Int32Array): Promise<number> {
  const addOne = (x: number) => x + 1;
  let seen = 0, total = 0;
  for (;;) {
    while (Atomics.load(ctl, 0) === seen) {
      const r = Atomics.waitAsync(ctl, 0, seen, 60_000);
      if (r.async) await r.value;
    }
    seen = Atomics.load(ctl, 0);
    if (Atomics.load(ctl, 3) === 1) return total;
    const n = Atomics.load(ctl, 1);
    for (let i = 0; i < n; i++) {
      if (await pool.submit(addOne, i) !== i + 1) throw new Error("bad");
    }
    total += n;
    Atomics.store(ctl, 2, seen);
    Atomics.notify(ctl, 2);
  }
}

function submitSide(name: string, pkg: Package): Side {
  return {
    name,
    start(): Promise<Runner> {
      const pool = new pkg.ThreadPoolExecutor({ maxWorkers: 2 });
      const ctl = new Int32Array(new SharedArrayBuffer(16));
      const t = new pkg.Thread({ target: holder, args: [pool, ctl] });
      t.start();
      let round = 0;
      const ask = (i: number) => {
        Atomics.store(ctl, 0, i);
        Atomics.notify(ctl, 0);
      };
      return Promise.resolve({
        round: async (n: number) => {
          Atomics.store(ctl, 1, n);
          const i = ++round;
          ask(i);
          while (Atomics.load(ctl, 2) !== i) {
            const r = Atomics.waitAsync(ctl, 2, i - 1, 60_000);
            if (r.async) await r.value;
          }
          return n;
        },
        stop: async () => {
          Atomics.store(ctl, 3, 1);
          ask(++round);
          await t.joinAsync({ timeout: 60_000 });
          await pool.shutdownAsync();
        },
      });
    },
  };
}

function startSide(name: string, pkg: Package, withPool: boolean): Side {
  return {
    name,
    start(): Promise<Runner> {
      const pool = new pkg.ThreadPoolExecutor({ maxWorkers: 2 });
      return Promise.resolve({
        round: async (n: number) => {
          for (let i = 0; i < n; i++) {
            const t = new pkg.Thread({
              target: (_p: unknown, x: number) => x,
              args: [withPool ? pool : null, i],
            });
            t.start();
            if (await t.joinAsync({ timeout: 60_000 }) !== i) {
              throw new Error("bad");
            }
          }
          return n;
        },
        stop: () => pool.shutdownAsync(),
      });
    },
  };
}

const us = (t: Timing) => `${t.name} ${(t.nsPerOp / 1e3).toFixed(1)} us`;
// The ratio of the medians, and the median of the rounds' paired ratios
// (each round of B beside the same round of the other side: steadier when
// the load moves between rounds).
const paired = (b: Timing, a: Timing) =>
  median(b.rounds.map((x, i) => x / a.rounds[i])).toFixed(3);
const show = (row: string, [b, ...rest]: Timing[]) =>
  console.log(
    `${row}: ${us(b)}; ` +
      rest.map((a) =>
        `${us(a)} (ratio ${(b.nsPerOp / a.nsPerOp).toFixed(3)}, paired ${
          paired(b, a)
        })`
      ).join("; "),
  );
show(
  "submit from a holder",
  await compare([submitSide("B", B), submitSide("A", A)], 500, reps),
);
show(
  "thread start+join",
  await compare(
    [
      startSide("B with executor", B, true),
      startSide("A with executor", A, true),
      startSide("B without", B, false),
    ],
    3,
    Math.min(reps, 7),
    1,
  ),
);
show(
  "thread start+join without an executor",
  await compare(
    [startSide("B without", B, false), startSide("A without", A, false)],
    3,
    Math.min(reps, 7),
    1,
  ),
);
