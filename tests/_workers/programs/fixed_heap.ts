// Copyright 2026 the threadkit authors. MIT license.
// A runtime whose shared heap cannot grow (its runtime block is a plain,
// fixed SharedArrayBuffer, as where growable ones are missing): an unbounded
// queue then gets a growable buffer of its own (the fixed heap's queue share
// would stop it after a grow or two), works, and is refused inside an item
// with a TypeError naming that cause. Prints one line per check; a wrong
// result throws.
const Real = SharedArrayBuffer;
let first = true;
// The first growable buffer asked for is the runtime block: made fixed.
globalThis.SharedArrayBuffer = new Proxy(Real, {
  construct(target, args: [number, { maxByteLength?: number }?]) {
    if (first && args[1]?.maxByteLength !== undefined) {
      first = false;
      return new Real(args[0]);
    }
    return Reflect.construct(target, args);
  },
});
const { Queue, SimpleQueue } = await import("../../../mod.ts");
const { runtime } = await import("../../../_core/runtime.ts");

function check(what: string, ok: boolean, detail: unknown = ""): void {
  if (!ok) throw new Error(`${what}: failed ${String(detail)}`);
  console.log(`ok ${what}`);
}

check("the heap cannot grow", runtime().buffer.growable === false);
const q = new Queue<number>({ type: "int32", initialCapacity: 4 });
check(
  "an unbounded queue has a buffer of its own",
  q.region.buffer !== runtime().buffer,
);
for (let i = 0; i < 10_000; i++) q.put(i);
const got = q.getMany();
check("it grows and works", got.length === 10_000 && got[9_999] === 9_999);
const bounded = new Queue<unknown>({ capacity: 4 });
check(
  "a small bounded queue still lives in the heap",
  bounded.region.buffer === runtime().buffer,
);
for (const u of [q, new SimpleQueue<number>()]) {
  let error: unknown;
  try {
    bounded.put(u as never);
  } catch (e) {
    error = e;
  }
  check(
    "refused inside an item, naming the cause",
    error instanceof TypeError &&
      /needs a heap that can grow, and threadkit's shared heap cannot grow in this runtime \(4 MiB\)/
        .test(error.message) &&
      bounded.qsize() === 0,
    error,
  );
}
console.log("done");
