// Many tasks while live pool threads are declared dead
// (endIdent: their entry ends, they run on) and some tasks exit their
// thread. Every Future settles; a task that succeeded ran exactly once and
// returns its own value; none runs twice; only ThreadDiedError fails one.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent } from "../../_core/runtime.ts";
import { TO_DESCRIPTOR } from "../../_core/transfer.ts";
import { ThreadDiedError, ThreadPoolExecutor } from "../../mod.ts";
import { Block, R_IDENT } from "../../pool/_layout.ts";
import { within } from "./_fixtures.ts";

async function chaos(
  n: number,
  seed: number,
  blocking: boolean,
): Promise<void> {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const runs = new Int32Array(new SharedArrayBuffer(4 * n));
  const pool = new ThreadPoolExecutor({ maxWorkers: 3 });
  const b = new Block(pool[TO_DESCRIPTOR]().buffer as SharedArrayBuffer);
  const futures: PromiseLike<number>[] = [];
  const exits = new Set<number>();
  let declared = 0;
  try {
    for (let i = 0; i < n; i++) {
      const exit = rnd() < 0.03;
      if (exit) exits.add(i);
      futures.push(pool.submit(
        (c: Int32Array, k: number, e: boolean, spin: number) => {
          Atomics.add(c, k, 1);
          const end = Date.now() + spin;
          while (Date.now() < end);
          if (e) {
            (globalThis as unknown as { process: { exit(c: number): void } })
              .process.exit(3);
          }
          return k;
        },
        runs,
        i,
        exit,
        Math.floor(rnd() * 3),
      ));
      if (rnd() < 0.04) {
        // Declare a live pool thread dead (it runs on).
        const w = Math.floor(rnd() * b.l.records);
        const id = Atomics.load(b.v, b.record(w) + R_IDENT);
        if (id > 0 && endIdent(id)) declared++;
      }
      if (blocking && rnd() < 0.05) {
        try {
          (futures[i] as unknown as { result(o: unknown): unknown }).result({
            timeout: 60_000,
          });
        } catch { /* settled either way */ }
      }
      if (rnd() < 0.1) await new Promise((r) => setTimeout(r, 1));
    }
    const out = await within(
      Promise.all(futures.map((f) =>
        Promise.resolve(f).then(
          (v) => ({ ok: true, v }),
          (e: unknown) => ({ ok: false, v: e }),
        )
      )),
      240_000,
    );
    let died = 0;
    for (let i = 0; i < n; i++) {
      const r = out[i], c = Atomics.load(runs, i);
      assert.ok(c <= 1, `task ${i} ran ${c} times`);
      if (r.ok) {
        assert.equal(r.v, i, `task ${i} returned ${r.v}`);
        assert.equal(c, 1, `task ${i} settled ok but ran ${c} times`);
        assert.ok(!exits.has(i), `task ${i} exited yet settled ok`);
      } else {
        died++;
        assert.ok(r.v instanceof ThreadDiedError, `task ${i}: ${String(r.v)}`);
      }
    }
    console.log(`n=${n} died=${died} exits=${exits.size} declared=${declared}`);
  } finally {
    await within(pool.shutdownAsync({ cancelFutures: true }), 120_000);
  }
}

describe("pool: tasks while pool threads are declared dead and exit", () => {
  it("async owner", async () => {
    await chaos(250, 7, false);
  });
  it("owner that blocks in result() now and then", async () => {
    await chaos(150, 11, true);
  });
});
