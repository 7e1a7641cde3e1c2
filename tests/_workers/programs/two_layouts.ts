// Copyright 2026 the threadkit authors. MIT license.
// Two versions of the package in one process, with runtime blocks of
// different layouts (tests/_core/heap_gc_test.ts, gc() exposed): a copy of
// this package whose layout is renamed stands for another version. Each
// copy has its own runtime block and its own heap's release hooks
// (_core/heap.ts "Blocks that own blocks": keyed with the layout), so an
// unbounded queue dropped in one copy gives back its own blocks through its
// own copy's hook, and never touches the other copy's heap: both copies'
// live queues keep every item. Prints one "ok" line per check; a wrong
// result throws (exit code 1).
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { heapBytes } from "./_small_heap.ts"; // first: before threadkit loads
import * as A from "../../../mod.ts";
import * as heapA from "../../../_core/heap.ts";
import { runtime as runtimeA } from "../../../_core/runtime.ts";
import { check, exposedGc, numberArg } from "./_check.ts";

const g = globalThis as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
// "renamed" (the default): a copy whose layout is renamed. "older": a copy
// that stands for the version before queue blocks over 8 MiB were runs of
// chunks (its chunkFree leaves them to the free lists) on the layout
// before this one, "v4", loaded after this one so that its release hook
// is the one a shared hook table would keep.
const mode: string = g.Deno?.args?.[0] ?? g.process?.argv?.[2] ?? "renamed";

const gc = exposedGc();
console.log(`heap: ${heapBytes === 0 ? "default" : heapBytes / 2 ** 20} MiB`);
async function collect(): Promise<void> {
  for (let i = 0; i < 8; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The package's library folders and root module, copied to a fresh folder,
// its runtime layout renamed (another version's block).
const root = fileURLToPath(new URL("../../../", import.meta.url));
// This file's extension: "ts", or "js" in the npm build (whose build
// rewrites ".ts" string literals, so none is written here).
const ext = import.meta.url.slice(import.meta.url.lastIndexOf(".") + 1);
const dir = mkdtempSync(join(tmpdir(), "threadkit-layout-"));
try {
  for (const f of ["_core", "sync", "queue", "thread", "pool"]) {
    cpSync(join(root, f), join(dir, f), { recursive: true });
  }
  cpSync(join(root, `mod.${ext}`), join(dir, `mod.${ext}`));
  const patch = (file: string, from: RegExp, to: string) => {
    const path = join(dir, "_core", `${file}.${ext}`);
    const text = readFileSync(path, "utf8");
    check(`the copy's ${file} is patched`, from.test(text));
    writeFileSync(path, text.replace(from, to));
  };
  if (mode === "older") {
    patch("runtime", /LAYOUT = "[^"]+"/, 'LAYOUT = "v4"');
    patch("runtime", /MAGIC_VALUE = 0x[0-9a-f]+/, "MAGIC_VALUE = 0x74686b34");
    patch("heap_chunks", /return runFree\(m, at, k\);/, "return false;");
  } else patch("runtime", /LAYOUT = "([^"]+)"/, 'LAYOUT = "$1-other"');
  const at = (f: string) => pathToFileURL(join(dir, f)).href;
  const B = await import(at(`mod.${ext}`)) as typeof A;
  const heapB = await import(at(`_core/heap.${ext}`)) as typeof heapA;
  const runtimeB = (await import(at(`_core/runtime.${ext}`)) as {
    runtime: typeof runtimeA;
  }).runtime;
  const ownBlocks = () =>
    check(
      "each copy has a runtime block of its own",
      runtimeA().buffer !== runtimeB().buffer,
    );
  if (mode !== "older") ownBlocks();
  else {
    // This copy's queues with items over 8 MiB (segments that are runs of
    // chunks), made and dropped: each comes back to this copy's share,
    // whatever the other copy's code does with its own blocks.
    // 12 rounds of 20 MiB (argument "rounds=<n>"): past the 192 MiB share
    // of the suite's heap=256, so the rounds fit only if each dropped
    // queue's blocks come back (the fault this stands for refused at round
    // 5). Node and Bun run 6 rounds at heap=128 (the test's stressSize):
    // 120 MiB through a share of 96 MiB. Each round's collect() costs CPU:
    // at load 44 on 2 cores 40 rounds took 721 s of wall time.
    const ROUNDS = numberArg("rounds", 12);
    const big = "x".repeat(10 * 2 ** 20);
    let rounds = 0;
    for (; rounds < ROUNDS; rounds++) {
      try {
        (() => {
          const q = new A.Queue<string>();
          q.put(big);
          q.put(big);
        })();
      } catch (error) {
        if (!(error instanceof A.QueueMemoryError)) throw error;
        break;
      }
      await collect();
    }
    check(
      `${ROUNDS} queues of two 10 MiB items, made and dropped one after another, all fit`,
      rounds === ROUNDS,
      `refused at round ${rounds}`,
    );
    ownBlocks();
  }

  // A live queue in each copy, several segments long.
  const items = (tag: string) =>
    Array.from({ length: 3000 }, (_, i) => `${tag}${i}`);
  const keepA = new A.Queue<string>({ initialCapacity: 16 });
  const keepB = new B.Queue<string>({ initialCapacity: 16 });
  for (const x of items("a")) keepA.put(x);
  for (const x of items("b")) keepB.put(x);

  for (
    const [name, P, mine, other] of [
      ["the renamed copy", B, heapB, heapA],
      ["this copy", A, heapA, heapB],
    ] as const
  ) {
    const liveMine = mine.heapLiveBytes(), liveOther = other.heapLiveBytes();
    (() => {
      const q = new P.Queue<string>({ initialCapacity: 16 });
      for (const x of items("d")) q.put(x);
    })();
    check(
      `${name}: its dropped queue took heap blocks`,
      mine.heapLiveBytes() > liveMine,
    );
    await collect();
    check(
      `${name}: its dropped queue's blocks all come back, through its own hook`,
      mine.heapLiveBytes() === liveMine,
      mine.heapLiveBytes() - liveMine,
    );
    check(
      `${name}: the other copy's heap is untouched`,
      other.heapLiveBytes() === liveOther,
      other.heapLiveBytes() - liveOther,
    );
  }
  // Queues of each copy made after the drops take the freed blocks.
  for (const P of [A, B]) {
    const q = new P.Queue<string>({ initialCapacity: 16 });
    for (const x of items("n")) q.put(x);
  }
  for (const [q, tag] of [[keepA, "a"], [keepB, "b"]] as const) {
    const got = q.getMany();
    check(
      `${
        tag === "a" ? "this" : "the renamed"
      } copy's live queue keeps every item, in order`,
      got.length === 3000 && got.every((x, i) => x === `${tag}${i}`),
      got.length,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log("done");
