// Copyright 2026 the threadkit authors. MIT license.
// Sends a sparse array (length 2 ** 32 - 1, a few own keys) every way a
// value crosses: Thread arg and result, Queue put/putMany/get,
// ThreadPoolExecutor task arg and result. Prints one JSON line per path:
// what arrived (length, own keys, the elements). Run by
// tests/values/sparse_test.ts, which bounds it: a walk over every index
// does not end in that bound.
import { Lock, Queue, Thread, ThreadPoolExecutor } from "../../../mod.ts";

const LAST = 2 ** 32 - 2; // the largest array index
// Thread args and results travel by the platform's structured clone, which
// on Bun visits every index of a sparse array (length 2 ** 32 - 1: 47 s,
// Bun 1.4.4). There the Thread paths send a shorter one: their arrival is
// still checked, Bun's clone cost is not threadkit's.
const THREAD_LAST = "Bun" in globalThis ? 2 ** 20 - 2 : LAST;

function sparse(lock?: Lock, last = LAST): unknown[] {
  const a: unknown[] = [];
  a[last] = lock ?? "last";
  a[3] = { x: [1, , 3] };
  a[70_000] = new Map([[1, "m"]]);
  (a as unknown as { tag: string }).tag = "t"; // a non-index key arrives too
  return a;
}

function shape(a: unknown): unknown {
  const arr = a as unknown[];
  return {
    length: arr.length,
    keys: Object.keys(arr),
    three: Object.keys((arr[3] as { x: unknown[] }).x), // a hole stays one
    far: arr[70_000] instanceof Map
      ? [...(arr[70_000] as Map<number, string>)]
      : null,
    last: arr[arr.length - 1] instanceof Lock ? "Lock" : arr[arr.length - 1],
  };
}

const out = (path: string, v: unknown) =>
  console.log(JSON.stringify({ path, got: shape(v) }));

// Thread arg (with a Lock: the thread decodes it), described there.
const lock = new Lock();
const t = new Thread({
  target: (a: unknown[]) => {
    const l = a[a.length - 1] as {
      acquire(o: object): boolean;
      release(): void;
    };
    const held = l.acquire({ timeout: 10_000 });
    if (held) l.release();
    const far = a[70_000] as Map<number, string>;
    return {
      length: a.length,
      keys: Object.keys(a),
      three: Object.keys((a[3] as { x: unknown[] }).x),
      far: [...far],
      last: held ? "Lock" : "not a Lock",
    };
  },
  args: [sparse(lock, THREAD_LAST)],
});
t.start();
console.log(JSON.stringify({
  path: "thread arg",
  got: await t.joinAsync({ timeout: 60_000 }),
}));

// Thread result: a sparse array the thread makes.
const r = new Thread({
  target: (last: number) => {
    const a: unknown[] = [];
    a[last] = "last";
    a[3] = { x: [1, , 3] };
    a[70_000] = new Map([[1, "m"]]);
    (a as unknown as { tag: string }).tag = "t";
    return a;
  },
  args: [THREAD_LAST],
});
r.start();
out("thread result", await r.joinAsync({ timeout: 60_000 }));

// Queue: put, putMany (a batch), get.
const q = new Queue<unknown>({ capacity: 4, bytes: 1 << 20 });
q.put(sparse());
q.putMany([sparse(), [sparse()]]);
out("queue put", q.get({ timeout: 1_000 }));
out("queue putMany", q.get({ timeout: 1_000 }));
out("queue nested", (q.get({ timeout: 1_000 }) as unknown[])[0]);

// Pool: task arg and result.
const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
try {
  const f = pool.submit((a: unknown[]) => a, sparse());
  out("pool", f.result({ timeout: 60_000 }));
} finally {
  pool.shutdown({ wait: true });
}
console.log("done");
