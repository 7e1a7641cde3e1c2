// Copyright 2026 the threadkit authors. MIT license.
// Where the time of a queue item goes, without a second core: one thread
// puts and gets on the same queue or ring, so no cache line moves between
// cores and no one sleeps; what is left is the instructions per item (the
// atomics above all). Beside them the atomics themselves and the codec's
// pieces, for the analysis in BENCHMARKS.md ("Where the time goes"). Runs
// on Deno (deno run -A bench/costs.ts) and prints ns per item, median of 7,
// in CPU time of this process (process.cpuUsage), not wall time: on a
// loaded machine the wall clock also counts the time other processes held
// the core, while CPU time counts only ours (V8's background threads are
// nearly idle in these loops).
import process from "node:process";
import { Queue } from "../mod.ts";
import { IntRing, ringStorage, TextRing } from "./_ring.ts";
import { median } from "./_ab.ts";

const N = 200_000;
const PAYLOAD = "abcdefghijklmnopqrstuvwxyz012345";
let sink = 0;

function time(name: string, n: number, f: (n: number) => void): void {
  f(n / 10);
  const xs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.cpuUsage();
    f(n);
    const d = process.cpuUsage(t0);
    xs.push((d.user + d.system) * 1e3 / n);
  }
  console.log(`${name.padEnd(58)} ${median(xs).toFixed(1).padStart(8)} ns`);
}

const a = new Int32Array(new SharedArrayBuffer(256));
time("Atomics.load", N * 10, (n) => {
  for (let i = 0; i < n; i++) sink += Atomics.load(a, 0);
});
time("Atomics.store", N * 10, (n) => {
  for (let i = 0; i < n; i++) Atomics.store(a, 0, i);
});
time("Atomics.compareExchange (succeeds)", N * 10, (n) => {
  for (let i = 0; i < n; i++) Atomics.compareExchange(a, 0, i, i + 1);
});
time("plain Int32Array store + load", N * 10, (n) => {
  for (let i = 0; i < n; i++) sink += a[1] = i;
});

// int32: 256 items in, 256 out, repeated (never full, never empty).
const q = new Queue<number>({ capacity: 1024, type: "int32" });
time("Queue int32 put + get (same thread)", N, (n) => {
  for (let i = 0; i < n; i += 256) {
    for (let j = 0; j < 256; j++) q.put(j);
    for (let j = 0; j < 256; j++) sink += q.get();
  }
});
time("Queue int32 putNowait + getNowait (same thread)", N, (n) => {
  for (let i = 0; i < n; i += 256) {
    for (let j = 0; j < 256; j++) q.putNowait(j);
    for (let j = 0; j < 256; j++) sink += q.getNowait();
  }
});
const ring = new IntRing(ringStorage(4096));
time("careful ring put + get (same thread)", N, (n) => {
  for (let i = 0; i < n; i += 256) {
    for (let j = 0; j < 256; j++) ring.put(j);
    for (let j = 0; j < 256; j++) sink += ring.get();
  }
});
const chunk = Int32Array.from({ length: 1024 }, (_, i) => i);
const qm = new Queue<number>({ capacity: 4096, type: "int32" });
time("Queue int32 putMany + getMany x1024, per item", N * 10, (n) => {
  for (let i = 0; i < n; i += 1024) {
    qm.putMany(chunk);
    const xs = qm.getMany(1024);
    sink += xs[xs.length - 1];
  }
});
const got = new Int32Array(1024);
time("Queue int32 putMany + getManyInto x1024, per item", N * 10, (n) => {
  for (let i = 0; i < n; i += 1024) {
    qm.putMany(chunk);
    sink += got[qm.getManyInto(got) - 1];
  }
});
const into = new Int32Array(1024);
time("copy 1024 ints into a fresh JS array, per item", N * 10, (n) => {
  for (let i = 0; i < n; i += 1024) {
    const xs: number[] = new Array(1024);
    for (let k = 0; k < 1024; k++) xs[k] = chunk[k];
    sink += xs[1023];
  }
});
time("Int32Array.set of 1024 ints, per item", N * 10, (n) => {
  for (let i = 0; i < n; i += 1024) {
    into.set(chunk);
    sink += into[1023];
  }
});

// structured: { id, payload }.
const qs = new Queue<{ id: number; payload: string }>({
  capacity: 1024,
  bytes: 1024 * 128,
});
time("Queue structured put + get (same thread)", N / 4, (n) => {
  for (let i = 0; i < n; i += 256) {
    for (let j = 0; j < 256; j++) qs.put({ id: j, payload: PAYLOAD });
    for (let j = 0; j < 256; j++) sink += qs.get().id;
  }
});
const tr = new TextRing(ringStorage(1 << 17));
time("JSON-text ring put + get (same thread)", N / 4, (n) => {
  for (let i = 0; i < n; i += 256) {
    for (let j = 0; j < 256; j++) tr.put({ id: j, payload: PAYLOAD });
    for (let j = 0; j < 256; j++) sink += (tr.get() as { id: number }).id;
  }
});
time("JSON.stringify + JSON.parse only", N / 4, (n) => {
  for (let i = 0; i < n; i++) {
    sink += JSON.parse(JSON.stringify({ id: i, payload: PAYLOAD })).id;
  }
});
time(
  "structuredClone only (postMessage's serialize + deserialize)",
  N / 4,
  (n) => {
    for (let i = 0; i < n; i++) {
      sink += structuredClone({ id: i, payload: PAYLOAD }).id;
    }
  },
);
const enc = new TextEncoder(), dec = new TextDecoder();
const buf = new Uint8Array(256);
time("TextEncoder.encodeInto + TextDecoder.decode (48 B)", N / 4, (n) => {
  const s = JSON.stringify({ id: 1, payload: PAYLOAD });
  for (let i = 0; i < n; i++) {
    const k = enc.encodeInto(s, buf).written;
    sink += dec.decode(buf.subarray(0, k)).length;
  }
});
if (sink === 42) console.log("");
