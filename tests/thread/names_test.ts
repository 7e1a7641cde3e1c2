// Copyright 2026 the threadkit authors. MIT license.
// Thread names of any length reach the thread table whole (_core/names.ts):
// a name over the table's field (104 UTF-8 bytes) lives in a heap block the
// entry owns, released by the entry's next reservation. Stress: threads
// with names of every kind start and end while another thread lists them,
// and two threads rename one while two others read its name; every name
// read is whole. Also: the blocks do not pile up, and a refused start gives
// its block back.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { currentThread, enumerate, Thread } from "../../mod.ts";
import { heapLiveBytes } from "../../_core/heap.ts";
import { readName, writeName } from "../../_core/names.ts";
import { endEntry, MAX_THREADS, reserveEntry } from "../../_core/runtime.ts";
import { stressSize } from "../_helpers.ts";

const JOIN = { timeout: 30_000 };
const PREFIX = "names-stress|";

/** Names across the table field's bound, ASCII and multi-byte. */
function nameOf(i: number): string {
  const tails = [
    "a".repeat(104 - PREFIX.length - 4), // 104 bytes in all, in the table
    "b".repeat(105 - PREFIX.length - 4), // 105: in the heap
    "é".repeat(60), // 120 bytes
    "\u{1f40d}".repeat(1000), // 4000 bytes
    "short",
  ];
  return `${PREFIX}${String(i).padStart(3, "0")}|${tails[i % tails.length]}`;
}

describe("thread names of any length", () => {
  // 80 threads under Deno, 15 on Node and Bun (stressSize): every name kind
  // three times or more.
  const THREADS = stressSize(80, 15);
  it(`stress: ${THREADS} threads (4 runners, names of 11 to 4017 bytes) each see their whole name; a lister's enumerate() never sees a cut or torn one`, async () => {
    const N = THREADS;
    const names = Array.from({ length: N }, (_, i) => nameOf(i));
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const lister = new Thread({
      target: (stop: Int32Array, names: string[], prefix: string) => {
        const known = new Set(names);
        let listings = 0, seen = 0, bad = 0;
        while (Atomics.load(stop, 0) === 0 || listings === 0) {
          for (const t of enumerate()) {
            if (!t.name.startsWith(prefix)) continue;
            seen++;
            if (!known.has(t.name)) bad++;
          }
          listings++;
        }
        return [listings > 0, seen, bad];
      },
      args: [stop, names, PREFIX],
    });
    lister.start();
    const results: unknown[] = new Array(N);
    let next = 0;
    const runner = async () => {
      while (next < N) {
        const i = next++;
        const t = new Thread({
          target: () => [currentThread().name, enumerate().map((t) => t.name)],
          name: names[i],
        });
        t.start();
        results[i] = await t.joinAsync(JOIN);
      }
    };
    try {
      await Promise.all([runner(), runner(), runner(), runner()]);
    } finally {
      Atomics.store(stop, 0, 1);
    }
    const [listed, seen, bad] = await lister.joinAsync(JOIN) as number[];
    assert.equal(listed, true);
    assert.equal(bad, 0, `${bad} of ${seen} names listed were not whole`);
    for (let i = 0; i < N; i++) {
      const [own, all] = results[i] as [string, string[]];
      assert.equal(own, names[i]);
      assert.ok(all.includes(names[i]), `thread ${i} not listed whole`);
      for (const n of all) {
        if (n.startsWith(PREFIX)) assert.ok(names.includes(n), n);
      }
    }
  });

  it("stress: 2 threads rename a third 2000 times each (names of 10 to 3000 bytes) while 2 others read its name; every read is one whole name, the last is a renamer's last, no block kept", async () => {
    const K = 2000;
    const renames = (tag: string) =>
      Array.from(
        { length: K },
        (_, i) =>
          `${tag}${i}|` +
          ["é".repeat(5), "x".repeat(200), "\u{1f40d}".repeat(750)][i % 3],
      );
    const [a, b] = [renames("A"), renames("B")];
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const target = new Thread({
      target: (stop: Int32Array) => Atomics.wait(stop, 0, 0, 60_000),
      args: [stop],
      name: "start|" + "s".repeat(300),
    });
    target.start();
    const live = heapLiveBytes();
    const renamer = new Int32Array(new SharedArrayBuffer(4)); // renamers done
    const readers = [0, 1].map((_, r) => {
      const t = new Thread({
        target: (
          t: Thread,
          done: Int32Array,
          known: string[],
          byEnumerate: boolean,
        ) => {
          const set = new Set(known);
          let reads = 0, bad = 0;
          while (Atomics.load(done, 0) < 2 || reads === 0) {
            const name = byEnumerate
              ? enumerate().find((x) => x.ident === t.ident)?.name
              : t.name;
            reads++;
            if (name === undefined || !set.has(name)) bad++;
          }
          return [reads > 0, bad];
        },
        args: [target, renamer, [target.name, ...a, ...b], r === 0],
      });
      t.start();
      return t;
    });
    const renamers = [a, b].map((list) => {
      const t = new Thread({
        target: (
          t: Thread,
          list: string[],
          all: string[],
          done: Int32Array,
        ) => {
          const known = new Set(all);
          let whole = 0; // reads right after a rename: one of the renames
          for (const name of list) {
            t.name = name;
            if (known.has(t.name)) whole++;
          }
          Atomics.add(done, 0, 1);
          return whole;
        },
        args: [target, list, [...a, ...b], renamer],
      });
      t.start();
      return t;
    });
    try {
      assert.deepEqual(
        await Promise.all(renamers.map((t) => t.joinAsync(JOIN))),
        [K, K],
      );
      assert.deepEqual(
        await Promise.all(readers.map((t) => t.joinAsync(JOIN))),
        [[true, 0], [true, 0]],
      );
      assert.ok([a[K - 1], b[K - 1]].includes(target.name), target.name);
      // 4000 renames, 2667 of them long: each replaced block was released;
      // the entry keeps one (at most 4 KiB).
      assert.ok(
        heapLiveBytes() - live <= 4096,
        `heap grew by ${heapLiveBytes() - live} bytes`,
      );
    } finally {
      Atomics.store(stop, 0, 1);
      Atomics.notify(stop, 0);
    }
    assert.ok(
      ["ok", "not-equal"].includes(String(await target.joinAsync(JOIN))),
    );
  });

  // 60 threads under Deno, 20 on Node and Bun (stressSize): without the
  // release even 20 would hold 80 KiB more, five times the bound.
  const REUSED = stressSize(60, 20);
  it(`a long name's block is released when its entry is reused: ${REUSED} threads, one after another, keep at most a few`, async () => {
    const name = "z".repeat(3000); // a 4 KiB block each
    const run = async () => {
      const t = new Thread({ target: () => currentThread().name, name });
      t.start();
      assert.equal(await t.joinAsync(JOIN), name);
    };
    await run(); // the heap's first block of this class, and the worker's
    const live = heapLiveBytes();
    for (let i = 0; i < REUSED; i++) await run();
    // One block per entry used at most (these reuse the same few entries);
    // kept without the release, each of the REUSED would hold 4 KiB more.
    assert.ok(
      heapLiveBytes() - live <= 4 * 4096,
      `heap grew by ${heapLiveBytes() - live} bytes`,
    );
  });

  it("a thread's rename of itself just before it ends is its name for the starter after join, whatever the timing; a rename after the end stays with the thread", async () => {
    for (let i = 0; i < 5; i++) {
      const renamed = `renamed inside ${i} ` + "i".repeat(i * 60);
      const t = new Thread({
        target: (name: string) => {
          currentThread().name = name;
        },
        args: [renamed],
        name: "original",
      });
      t.start();
      await t.joinAsync(JOIN);
      assert.equal(t.name, renamed);
    }
    const t = new Thread({ target: () => currentThread().name, name: "q" });
    t.start();
    assert.equal(await t.joinAsync(JOIN), "q");
    t.name = "r".repeat(400);
    assert.equal(t.name, "r".repeat(400));
    assert.ok(!enumerate().some((x) => x.name === "r".repeat(400)));
  });

  it("a name section held past its bound (a writer stopped inside it) makes readers read no name and writers give up, after about a second, instead of spinning for good", () => {
    const view = new Int32Array(new SharedArrayBuffer(4096));
    const base = 16;
    const bytes = new TextEncoder().encode("held");
    assert.equal(writeName(view, base, bytes, 0, 7, false), 0);
    assert.equal(readName(view, base, 7), "held");
    assert.equal(readName(view, base, 8), undefined); // another owner's
    Atomics.add(view, base + 6, 1); // NAME_SEQ odd: a writer inside
    const t0 = performance.now();
    assert.equal(readName(view, base, 7), undefined);
    assert.equal(writeName(view, base, bytes, 0, 7, true), -2);
    assert.equal(writeName(view, base, bytes, 0, 9, false), -2);
    const took = performance.now() - t0;
    assert.ok(took >= 2900 && took < 30_000, `${took} ms`);
    Atomics.add(view, base + 6, 1);
    assert.equal(readName(view, base, 7), "held");
  });

  it("a start refused for a full table gives the long name's block back", () => {
    const live = heapLiveBytes();
    const fillers: { ident: number; entry: number }[] = [];
    try {
      for (let i = 0; i < MAX_THREADS; i++) {
        fillers.push(reserveEntry("filler", true));
      }
    } catch {
      // full
    }
    try {
      const t = new Thread({ target: () => 1, name: "w".repeat(500) });
      assert.throws(() => t.start(), /threads are already alive/);
      assert.equal(heapLiveBytes(), live);
    } finally {
      for (const f of fillers) endEntry(f.entry, f.ident);
    }
  });

  it("a long name the heap cannot hold is refused at start() with a RuntimeError, nothing reserved", () => {
    const before = enumerate().length;
    assert.throws(
      () =>
        reserveEntry("v".repeat(200), false, {
          alloc: () => -1,
          release: () => assert.fail("nothing to release"),
        }),
      /Cannot start thread: its name \(200 UTF-8 bytes\) does not fit in the shared heap/,
    );
    assert.equal(enumerate().length, before);
  });
});
