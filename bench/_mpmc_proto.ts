// Copyright 2026 the threadkit authors. MIT license.
// Prototype for the default (multi-producer, multi-consumer) int32 Queue
// line: the careful SPSC ring (a copy of bench/_ring.ts's IntRing, with its
// one wake per park) against
// bounded MPMC rings built the Vyukov way, in one process, alternating
// rounds, per-round paired ratios (as bench/_rows.ts's paired rows; printed:
// median (min-max) of careful time / design time, so higher is better).
// Self-contained (node:worker_threads; the default Queue only by dynamic
// import) so that Deno runs the source and Node its build (bench/_node_build.ts,
// after deno task build:npm):
//
//   deno run -A bench/_mpmc_proto.ts [ROUNDS] [N] [KINDS] [MODES]
//   node npm/bench/_mpmc_proto.js [ROUNDS] [N] [KINDS] [MODES]
//
// MODES: t2t (a producer thread and a consumer thread), m2t (this thread
// produces), mpmc (4 producer threads and 2 consumer threads, each round's
// sums checked exactly, warm-up one round of N; MPMC kinds only), 1t (this thread puts 256 then gets 256: CPU time per item, no
// line crosses cores), aba (claim kinds: an idle producer handle's cached
// HEAD, see abaCheck). KINDS may include "queue", the default Queue, and
// "solo", singleWriter + singleReader (1t: from the module in $QMOD,
// default ../mod; t2t and m2t: through the rows' sides, $QSIDES, default
// ./_sides). First KIND is the baseline.
// Designs (int32 items, capacity 1024; the careful ring parks as
// bench/_ring.ts does, the others as its first version: SPIN reloads, then a
// sleeper flag raised and Atomics.wait; the other side notifies only when it
// sees the flag):
// - "careful": the SPSC ring: each side caches the peer's cursor; parks on
//   its own flag, which the waker lowers with one exchange (bench/_ring.ts's
//   IntRing as of b1d4e67; IntRing now uses careful-sb's protocol).
// - "vyukov": slot table of [SEQ, VALUE] pairs; a put loads TAIL and its
//   slot's SEQ (== t: free for position t), claims t with one
//   compareExchange of TAIL (a line only producers touch), stores VALUE and
//   publishes with Atomics.store(SEQ, t + 1); a get mirrors it on HEAD (SEQ
//   == h + 1: published), reads VALUE and frees with Atomics.store(SEQ, h +
//   P). Neither side reads the other's cursor.
// - "vyukov-lc": as vyukov, each side starting from its own guess of its
//   cursor (a failed compareExchange returns the current one), so a single
//   producer never loads TAIL and a single consumer never loads HEAD.
// - "vyukov-tc": as vyukov-lc, and the consumer keeps TAIL cached and loads
//   TAIL only when the cache says empty (it parks on TAIL then; it still
//   checks SEQ: a claimed position may not be published yet).
// - "hybrid": producers as vyukov-lc, but room read from HEAD as the careful
//   ring does (cached, reloaded when the cache says full), so a get writes
//   no SEQ: it loads SEQ, reads VALUE and claims with one compareExchange of
//   HEAD (three read-modify-writes a put + get; vyukov four, careful two).
// - "hybrid-sb": hybrid with the sleeper flags folded into SEQ and HEAD, so
//   no flag loads: four atomics a put + get, as the careful ring (below).
// - "careful-sb": the careful ring publishing with Atomics.exchange, whose
//   result carries the peer's sleeper bit: one atomic a side and one wake
//   per park (SPSC only: a second baseline; below).
// - "claim", "claim-cas", "claim-sl": TAIL kept as the published cursor and
//   a CLAIM word that only producers touch: a put claims with one
//   compareExchange of CLAIM (room from a cached HEAD), writes its slot,
//   waits for TAIL == its position (a lone producer knows it without a
//   load) and publishes with one Atomics.exchange of TAIL (claim-cas: a
//   compareExchange) whose result carries the sleepers' bit; CLAIM on a line
//   of its own (claim-sl: on TAIL's line); a get as Queue's (a claim on
//   HEAD). Three atomics a put + get, careful-sb two (below, with the
//   argument). MPMC.
// - "careful-sb+cas": careful-sb with one more compareExchange a put, on a
//   line only the producer touches: a measuring stick for the claim ring
//   (SPSC only).
// - "slot64": one BigInt64 word a slot (SEQ high, VALUE low): a put claims
//   and publishes with one compareExchange of its slot, a get claims and
//   frees with one; no cursor words at all (BigInt boxing on every access).
// Park words: a side that found its slot not ready waits on that slot's SEQ
// word (vyukov-tc's consumer on TAIL, hybrid's producer on HEAD). Why no
// lost wakeup (as the careful ring): the sleeper raises its flag, reloads
// the word and waits only while it holds what it saw; the other side stores
// the word, then loads the flag and notifies if it is up. All sequentially
// consistent, so one of the two sees the other's store. The MPMC claims are
// written for many producers and consumers but run here with one of each.
import { isMainThread, Worker, workerData } from "node:worker_threads";
import process from "node:process";

// ".ts" in the sources, ".js" in the Node build (npm/bench/).
const EXT = import.meta.url.endsWith(".js") ? ".js" : ".ts";
// MPMC_CAP (a power of two, 2..1024; default 1024) and MPMC_START (where
// the claim kinds' cursors start; default 0) let a check run the claim kinds
// with a ring so small that every side parks on nearly every item, across
// the 2^30 wrap (bench/_limits_test.ts). A module-level const: V8 folds it
// as it folds a literal (measured: the same loop time either way).
const CAP = capacity(process.env.MPMC_CAP);
const START = Number(process.env.MPMC_START ?? 0) & 0x3fffffff;
const SPIN = 256;
const PARK_MS = 60_000;
// Header words, each on its own 64-byte line.
const HEAD = 0, TAIL = 16, CPARK = 32, PPARK = 48, HDR = 64;

function capacity(env: string | undefined): number {
  const cap = Number(env ?? 1024);
  if (!(cap >= 2 && cap <= 1024 && (cap & (cap - 1)) === 0)) {
    throw new RangeError(`MPMC_CAP: a power of two in 2..1024, not ${env}`);
  }
  return cap;
}

type Kind =
  | "careful"
  | "vyukov"
  | "vyukov-tc"
  | "vyukov-lc"
  | "hybrid"
  | "hybrid-sb"
  | "careful-sb"
  | "careful-sb+cas"
  | "claim"
  | "claim-cas"
  | "claim-sl"
  | "slot64";

interface IntQ {
  put(x: number): void;
  get(): number;
}

// The careful ring's park (bench/_ring.ts, as it is now): SPIN reloads, then
// the flag raised and a sleep on the flag, which the waker lowers (one
// exchange) before it notifies: one wake per park.
function await_(h: Int32Array, i: number, seen: number, flag: number): number {
  for (let k = 0;; k++) {
    const v = Atomics.load(h, i);
    if (v !== seen) return v;
    if (k < SPIN) continue;
    Atomics.store(h, flag, 1);
    if (
      Atomics.load(h, i) === seen &&
      Atomics.wait(h, flag, 1, PARK_MS) === "timed-out"
    ) throw new Error("ring: peer silent for 60 s");
    Atomics.store(h, flag, 0);
  }
}

function wakePeer(h: Int32Array, flag: number): void {
  if (Atomics.load(h, flag) !== 0 && Atomics.exchange(h, flag, 0) !== 0) {
    Atomics.notify(h, flag);
  }
}

class Careful implements IntQ {
  readonly #h: Int32Array;
  readonly #d: Int32Array;
  #tail = 0;
  #headSeen = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#d = new Int32Array(sab, HDR * 4, CAP);
  }
  put(x: number): void {
    const t = this.#tail;
    if (((t - this.#headSeen) | 0) === CAP) {
      this.#headSeen = await_(this.#h, HEAD, (t - CAP) | 0, PPARK);
    }
    this.#d[t & (CAP - 1)] = x;
    Atomics.store(this.#h, TAIL, this.#tail = (t + 1) | 0);
    wakePeer(this.#h, CPARK);
  }
  get(): number {
    const h = this.#head;
    if (h === this.#tailSeen) this.#tailSeen = await_(this.#h, TAIL, h, CPARK);
    const x = this.#d[h & (CAP - 1)];
    Atomics.store(this.#h, HEAD, this.#head = (h + 1) | 0);
    wakePeer(this.#h, PPARK);
    return x;
  }
}

// Waits until s[i] !== seen (SPIN reloads, then parks with `flag` raised).
function awaitSeq(
  h: Int32Array,
  s: Int32Array,
  i: number,
  seen: number,
  flag: number,
): number {
  for (let k = 0;; k++) {
    const v = Atomics.load(s, i);
    if (v !== seen) return v;
    if (k < SPIN) continue;
    Atomics.add(h, flag, 1);
    const r = Atomics.load(s, i) === seen
      ? Atomics.wait(s, i, seen, PARK_MS)
      : "not-equal";
    Atomics.sub(h, flag, 1);
    if (r === "timed-out") throw new Error("ring: peer silent for 60 s");
  }
}

// Vyukov, VyukovLc and VyukovTc are one algorithm written three times with
// the variant as a literal (`"vyukov" as Kind`), so each compiles with its
// variant's branches folded away and a round measures the ring, not a
// per-item test of a kind field. Change them together.
class Vyukov implements IntQ {
  readonly #h: Int32Array;
  // [SEQ, VALUE] per slot.
  readonly #s: Int32Array;
  #tail = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#s = new Int32Array(sab, HDR * 4, CAP * 2);
  }
  static init(sab: SharedArrayBuffer): void {
    const s = new Int32Array(sab, HDR * 4, CAP * 2);
    for (let i = 0; i < CAP; i++) s[2 * i] = i;
  }
  put(x: number): void {
    const h = this.#h, s = this.#s, local = ("vyukov" as Kind) !== "vyukov";
    let t = local ? this.#tail : Atomics.load(h, TAIL);
    for (;;) {
      const i = (t & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - t) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(h, TAIL, t, (t + 1) | 0);
        if (seen === t) {
          s[i + 1] = x;
          Atomics.store(s, i, (t + 1) | 0);
          if (Atomics.load(h, CPARK) !== 0) Atomics.notify(s, i);
          this.#tail = (t + 1) | 0;
          return;
        }
        t = seen;
      } else if (dif < 0) {
        awaitSeq(h, s, i, seq, PPARK); // full: slot not yet freed
      } else {
        t = Atomics.load(h, TAIL);
      }
    }
  }
  get(): number {
    const h = this.#h, s = this.#s, kind = "vyukov" as Kind;
    let p = kind === "vyukov" ? Atomics.load(h, HEAD) : this.#head;
    for (;;) {
      if (kind === "vyukov-tc" && p === this.#tailSeen) {
        // The cache says empty: reload TAIL, wait for it to pass p.
        let t = Atomics.load(h, TAIL);
        for (let k = 0; t === p; k++) {
          if (k < SPIN) {
            t = Atomics.load(h, TAIL);
            continue;
          }
          t = awaitSeq(h, h, TAIL, p, CPARK);
        }
        this.#tailSeen = t;
      }
      const i = (p & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - ((p + 1) | 0)) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(h, HEAD, p, (p + 1) | 0);
        if (seen === p) {
          const x = s[i + 1];
          Atomics.store(s, i, (p + CAP) | 0);
          if (Atomics.load(h, PPARK) !== 0) Atomics.notify(s, i);
          this.#head = (p + 1) | 0;
          return x;
        }
        p = seen;
      } else if (dif < 0) {
        awaitSeq(h, s, i, seq, CPARK); // empty: not yet published
      } else {
        p = Atomics.load(h, HEAD);
      }
    }
  }
}

class VyukovLc implements IntQ {
  readonly #h: Int32Array;
  // [SEQ, VALUE] per slot.
  readonly #s: Int32Array;
  #tail = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#s = new Int32Array(sab, HDR * 4, CAP * 2);
  }
  put(x: number): void {
    const h = this.#h, s = this.#s, local = ("vyukov-lc" as Kind) !== "vyukov";
    let t = local ? this.#tail : Atomics.load(h, TAIL);
    for (;;) {
      const i = (t & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - t) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(h, TAIL, t, (t + 1) | 0);
        if (seen === t) {
          s[i + 1] = x;
          Atomics.store(s, i, (t + 1) | 0);
          if (Atomics.load(h, CPARK) !== 0) Atomics.notify(s, i);
          this.#tail = (t + 1) | 0;
          return;
        }
        t = seen;
      } else if (dif < 0) {
        awaitSeq(h, s, i, seq, PPARK); // full: slot not yet freed
      } else {
        t = Atomics.load(h, TAIL);
      }
    }
  }
  get(): number {
    const h = this.#h, s = this.#s, kind = "vyukov-lc" as Kind;
    let p = kind === "vyukov" ? Atomics.load(h, HEAD) : this.#head;
    for (;;) {
      if (kind === "vyukov-tc" && p === this.#tailSeen) {
        // The cache says empty: reload TAIL, wait for it to pass p.
        let t = Atomics.load(h, TAIL);
        for (let k = 0; t === p; k++) {
          if (k < SPIN) {
            t = Atomics.load(h, TAIL);
            continue;
          }
          t = awaitSeq(h, h, TAIL, p, CPARK);
        }
        this.#tailSeen = t;
      }
      const i = (p & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - ((p + 1) | 0)) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(h, HEAD, p, (p + 1) | 0);
        if (seen === p) {
          const x = s[i + 1];
          Atomics.store(s, i, (p + CAP) | 0);
          if (Atomics.load(h, PPARK) !== 0) Atomics.notify(s, i);
          this.#head = (p + 1) | 0;
          return x;
        }
        p = seen;
      } else if (dif < 0) {
        awaitSeq(h, s, i, seq, CPARK); // empty: not yet published
      } else {
        p = Atomics.load(h, HEAD);
      }
    }
  }
}

class VyukovTc implements IntQ {
  readonly #h: Int32Array;
  // [SEQ, VALUE] per slot.
  readonly #s: Int32Array;
  #tail = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#s = new Int32Array(sab, HDR * 4, CAP * 2);
  }
  put(x: number): void {
    const h = this.#h, s = this.#s, local = ("vyukov-tc" as Kind) !== "vyukov";
    let t = local ? this.#tail : Atomics.load(h, TAIL);
    for (;;) {
      const i = (t & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - t) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(h, TAIL, t, (t + 1) | 0);
        if (seen === t) {
          s[i + 1] = x;
          Atomics.store(s, i, (t + 1) | 0);
          if (Atomics.load(h, CPARK) !== 0) {
            Atomics.notify(s, i);
            Atomics.notify(h, TAIL);
          }
          this.#tail = (t + 1) | 0;
          return;
        }
        t = seen;
      } else if (dif < 0) {
        awaitSeq(h, s, i, seq, PPARK); // full: slot not yet freed
      } else {
        t = Atomics.load(h, TAIL);
      }
    }
  }
  get(): number {
    const h = this.#h, s = this.#s, kind = "vyukov-tc" as Kind;
    let p = kind === "vyukov" ? Atomics.load(h, HEAD) : this.#head;
    for (;;) {
      if (kind === "vyukov-tc" && p === this.#tailSeen) {
        // The cache says empty: reload TAIL, wait for it to pass p.
        let t = Atomics.load(h, TAIL);
        for (let k = 0; t === p; k++) {
          if (k < SPIN) {
            t = Atomics.load(h, TAIL);
            continue;
          }
          t = awaitSeq(h, h, TAIL, p, CPARK);
        }
        this.#tailSeen = t;
      }
      const i = (p & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - ((p + 1) | 0)) | 0;
      if (dif === 0) {
        const seen = Atomics.compareExchange(h, HEAD, p, (p + 1) | 0);
        if (seen === p) {
          const x = s[i + 1];
          Atomics.store(s, i, (p + CAP) | 0);
          if (Atomics.load(h, PPARK) !== 0) Atomics.notify(s, i);
          this.#head = (p + 1) | 0;
          return x;
        }
        p = seen;
      } else if (dif < 0) {
        awaitSeq(h, s, i, seq, CPARK); // empty: not yet published
      } else {
        p = Atomics.load(h, HEAD);
      }
    }
  }
}

// hybrid: producers as vyukov-lc (claim with one compareExchange of TAIL,
// publish with a store of the slot's SEQ = t + 1) but room read from HEAD as
// the careful ring does (cached, reloaded only when the cache says full), so
// a get does not write SEQ: it loads SEQ (== p + 1: published), reads VALUE
// and claims with one compareExchange of HEAD. Three read-modify-writes a
// pair (vyukov: four; the careful ring: two stores).
class Hybrid implements IntQ {
  readonly #h: Int32Array;
  readonly #s: Int32Array;
  #tail = 0;
  #headSeen = 0;
  #head = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#s = new Int32Array(sab, HDR * 4, CAP * 2);
  }
  static init(sab: SharedArrayBuffer): void {
    const s = new Int32Array(sab, HDR * 4, CAP * 2);
    for (let i = 0; i < CAP; i++) s[2 * i] = i + 1 - CAP;
  }
  put(x: number): void {
    const h = this.#h, s = this.#s;
    let t = this.#tail;
    for (;;) {
      if (((t - this.#headSeen) | 0) >= CAP) {
        const head = Atomics.load(h, HEAD);
        this.#headSeen = ((t - head) | 0) >= CAP
          ? awaitSeq(h, h, HEAD, head, PPARK)
          : head;
        continue;
      }
      const seen = Atomics.compareExchange(h, TAIL, t, (t + 1) | 0);
      if (seen === t) break;
      t = seen;
    }
    const i = (t & (CAP - 1)) << 1;
    s[i + 1] = x;
    Atomics.store(s, i, (t + 1) | 0);
    if (Atomics.load(h, CPARK) !== 0) Atomics.notify(s, i);
    this.#tail = (t + 1) | 0;
  }
  get(): number {
    const h = this.#h, s = this.#s;
    let p = this.#head;
    for (;;) {
      const i = (p & (CAP - 1)) << 1;
      const seq = Atomics.load(s, i);
      const dif = (seq - ((p + 1) | 0)) | 0;
      if (dif === 0) {
        const x = s[i + 1];
        const seen = Atomics.compareExchange(h, HEAD, p, (p + 1) | 0);
        if (seen === p) {
          if (Atomics.load(h, PPARK) !== 0) Atomics.notify(h, HEAD);
          this.#head = (p + 1) | 0;
          return x;
        }
        p = seen;
      } else if (dif < 0) awaitSeq(h, s, i, seq, CPARK);
      else p = Atomics.load(h, HEAD);
    }
  }
}

// hybrid-sb: hybrid with the sleeper flags folded into the words the hot
// compareExchanges touch (as Queue's SLEEPER, queue/_turn.ts), so neither
// side loads a flag: positions count mod 2^30; bit 30 (SB) in a slot's SEQ
// says a consumer may sleep on it, in HEAD that a producer may sleep on
// HEAD. A put: compareExchange TAIL t -> t + 1 (claim), VALUE, then
// compareExchange SEQ from its free value (t + 1 - P: published a lap ago,
// the only value it can hold but for SB) to t + 1, which fails only on SB:
// then a store and a notify. A get: load SEQ, read VALUE, compareExchange
// HEAD p -> p + 1, which fails on SB too: then it clears SB with the same
// advance and notifies HEAD. Four atomics a put + get, as the careful ring.
// Why no lost wakeup: a sleeper sets SB with a compareExchange from the
// value it saw and waits on the word with SB in it; the other side's
// compareExchange from the value without SB either comes first (the
// sleeper's fails: the word moved, it looks again) or fails on SB (it
// wakes the sleeper; a wait that starts after its store returns).
const MASK30 = 0x3fffffff, SB = 0x40000000;
const d30 = (a: number, b: number) => ((a - b) << 2) >> 2;
class HybridSb implements IntQ {
  readonly #h: Int32Array;
  readonly #s: Int32Array;
  #tail = 0;
  #headSeen = 0;
  #head = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#s = new Int32Array(sab, HDR * 4, CAP * 2);
  }
  static init(sab: SharedArrayBuffer): void {
    const s = new Int32Array(sab, HDR * 4, CAP * 2);
    for (let i = 0; i < CAP; i++) s[2 * i] = (i + 1 - CAP) & MASK30;
  }
  put(x: number): void {
    const h = this.#h, s = this.#s;
    let t = this.#tail;
    for (;;) {
      if (d30(t, this.#headSeen) >= CAP) {
        this.#headSeen = this.#room(t);
        continue;
      }
      const seen = Atomics.compareExchange(h, TAIL, t, (t + 1) & MASK30);
      if (seen === t) break;
      t = seen;
    }
    const i = (t & (CAP - 1)) << 1, next = (t + 1) & MASK30;
    s[i + 1] = x;
    const free = (t + 1 - CAP) & MASK30;
    if (Atomics.compareExchange(s, i, free, next) !== free) {
      Atomics.store(s, i, next); // SB was set: a consumer may sleep
      Atomics.notify(s, i);
    }
    this.#tail = next;
  }
  // HEAD once the ring has room for position t (spins, then sleeps with SB).
  #room(t: number): number {
    const h = this.#h;
    for (let k = 0;; k++) {
      const w = Atomics.load(h, HEAD);
      const head = w & MASK30;
      if (d30(t, head) < CAP) return head;
      if (k < SPIN) continue;
      if (
        (w & SB) !== 0 ||
        Atomics.compareExchange(h, HEAD, w, w | SB) === w
      ) {
        if (Atomics.wait(h, HEAD, w | SB, PARK_MS) === "timed-out") {
          throw new Error("ring: peer silent for 60 s");
        }
      }
    }
  }
  get(): number {
    const h = this.#h, s = this.#s;
    let p = this.#head;
    for (let k = 0;; k++) {
      const i = (p & (CAP - 1)) << 1;
      const w = Atomics.load(s, i);
      const dif = d30(w & MASK30, (p + 1) & MASK30);
      if (dif === 0) {
        const x = s[i + 1], next = (p + 1) & MASK30;
        const seen = Atomics.compareExchange(h, HEAD, p, next);
        if (seen === p) {
          this.#head = next;
          return x;
        }
        if (seen === (p | SB)) {
          if (Atomics.compareExchange(h, HEAD, seen, next) === seen) {
            Atomics.notify(h, HEAD);
            this.#head = next;
            return x;
          }
        }
        p = Atomics.load(h, HEAD) & MASK30;
      } else if (dif < 0) {
        if (k < SPIN) continue;
        if (
          (w & SB) !== 0 ||
          Atomics.compareExchange(s, i, w, w | SB) === w
        ) {
          if (Atomics.wait(s, i, w | SB, PARK_MS) === "timed-out") {
            throw new Error("ring: peer silent for 60 s");
          }
        }
      } else p = Atomics.load(h, HEAD) & MASK30;
    }
  }
}

// careful-sb: the careful ring publishing with Atomics.exchange of its
// cursor, whose result carries the peer's sleeper bit (SB, bit 30; cursors
// mod 2^30): one atomic a put and one a get, and one wake per park. Not
// MPMC: a second baseline, to tell the ring's cost from the wake protocol's.
// Why no lost wakeup: the sleeper sets SB with a compareExchange from the
// cursor value it saw and waits on the word with SB in it; the other side's
// exchange either comes first (the compareExchange fails: the cursor moved)
// or returns SB (it notifies; a wait that starts after it returns).
class CarefulSb implements IntQ {
  readonly #h: Int32Array;
  readonly #d: Int32Array;
  #tail = 0;
  #headSeen = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#d = new Int32Array(sab, HDR * 4, CAP);
  }
  put(x: number): void {
    const t = this.#tail;
    if (d30(t, this.#headSeen) === CAP) {
      this.#headSeen = awaitSb(this.#h, HEAD, (t - CAP) & MASK30);
    }
    this.#d[t & (CAP - 1)] = x;
    const next = this.#tail = (t + 1) & MASK30;
    if ((Atomics.exchange(this.#h, TAIL, next) & SB) !== 0) {
      Atomics.notify(this.#h, TAIL);
    }
  }
  get(): number {
    const h = this.#head;
    if (h === this.#tailSeen) this.#tailSeen = awaitSb(this.#h, TAIL, h);
    const x = this.#d[h & (CAP - 1)];
    const next = this.#head = (h + 1) & MASK30;
    if ((Atomics.exchange(this.#h, HEAD, next) & SB) !== 0) {
      Atomics.notify(this.#h, HEAD);
    }
    return x;
  }
}

// careful-sb+cas: careful-sb with one more compareExchange a put, on a word
// of a line only the producer touches (CLAIM_LINE), whose result it checks:
// the claim ring's lone-producer put less its room and turn logic, so
// claim / careful-sb+cas says what the claim ring's code costs beyond that
// one atomic (SPSC only: a measuring stick).
class CarefulSbCas implements IntQ {
  readonly #h: Int32Array;
  readonly #d: Int32Array;
  #tail = 0;
  #headSeen = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#d = new Int32Array(sab, HDR * 4, CAP);
  }
  put(x: number): void {
    const t = this.#tail;
    if (d30(t, this.#headSeen) === CAP) {
      this.#headSeen = awaitSb(this.#h, HEAD, (t - CAP) & MASK30);
    }
    const next = this.#tail = (t + 1) & MASK30;
    if (Atomics.compareExchange(this.#h, CLAIM_LINE, t, next) !== t) {
      throw new Error("careful-sb+cas: one producer only");
    }
    this.#d[t & (CAP - 1)] = x;
    if ((Atomics.exchange(this.#h, TAIL, next) & SB) !== 0) {
      Atomics.notify(this.#h, TAIL);
    }
  }
  get(): number {
    const h = this.#head;
    if (h === this.#tailSeen) this.#tailSeen = awaitSb(this.#h, TAIL, h);
    const x = this.#d[h & (CAP - 1)];
    const next = this.#head = (h + 1) & MASK30;
    if ((Atomics.exchange(this.#h, HEAD, next) & SB) !== 0) {
      Atomics.notify(this.#h, HEAD);
    }
    return x;
  }
}

// Waits until h[i]'s position differs from `seen`; returns the new one.
function awaitSb(h: Int32Array, i: number, seen: number): number {
  for (let k = 0;; k++) {
    const w = Atomics.load(h, i);
    if ((w & MASK30) !== seen) return w & MASK30;
    if (k < SPIN) continue;
    if ((w & SB) !== 0 || Atomics.compareExchange(h, i, w, w | SB) === w) {
      if (Atomics.wait(h, i, w | SB, PARK_MS) === "timed-out") {
        throw new Error("ring: peer silent for 60 s");
      }
    }
  }
}

// claim, claim-cas, claim-sl: the default line's design to test (issue 13):
// TAIL stays the PUBLISHED cursor (what qsize, join's count, the drain, the
// pool's peek and the consumers read), and producers claim positions in a
// CLAIM word of their own. Positions mod 2^30, SB (bit 30) in TAIL says a
// thread may sleep on TAIL (a consumer waiting for items or a producer
// waiting for its turn to publish), in HEAD that a producer may sleep on
// HEAD (waiting for room).
// Words: HEAD (line 0), TAIL (line 16), CLAIM: line 48 (claim, claim-cas:
// a line only producers touch) or TAIL + 1 (claim-sl: TAIL's line).
// | word  | written by                        | read by                 |
// |-------|-----------------------------------|-------------------------|
// | CLAIM | producers' claim CAS c -> c + 1    | producers               |
// | TAIL  | the publisher of c (exchange or   | consumers (cached),     |
// |       | CAS c -> c + 1); SB by sleepers   | waiting producers       |
// | HEAD  | consumers' claim CAS; SB by       | producers (cached, when |
// |       | producers waiting for room        | the cache says full)    |
// Invariant (unwrapped): HEAD <= TAIL <= CLAIM <= HEAD + CAP.
// Slot p % CAP: FREE(p) -claim p (CAS CLAIM p -> p + 1, HEAD seen > p - CAP)->
// CLAIMED(p) -write VALUE; TAIL == p; publish TAIL p -> p + 1-> FULL(p)
// -consumer: read VALUE, CAS HEAD p -> p + 1-> FREE(p + CAP).
// A put: claim with one compareExchange of CLAIM; write the slot; wait
// until TAIL == c (publication in claim order; skipped when c is the end
// this handle last published: CLAIM was that end at the claim, TAIL reached
// it with that publish and never exceeds CLAIM, so TAIL == c); publish TAIL = c + 1 with Atomics.exchange (claim,
// claim-sl: TAIL holds c or c | SB then, since only the claimer of c moves
// it from c and sleepers only add SB with a CAS from the word they saw) or
// compareExchange from c (claim-cas: a failure means SB; then exchange).
// A result with SB: notify every sleeper on TAIL (consumers and producers
// waiting for their turn; each re-checks).
// Room: the claim of c needs HEAD > c - CAP. HEAD as this handle last read
// it (#headSeen) undercounts room only while it lags HEAD by less than 2^29
// (d30 is a signed 30-bit distance: a lag of 2^29 or more reads as room),
// so the put trusts it only for c == #end: a claim from there succeeds only
// if no one claimed since this handle's last put, and then HEAD lies
// between #headSeen and #end (< CAP apart). Any other c came from another
// producer's claims, however many: the put loads HEAD before it claims c.
// Bounds (the prototype's; a Queue port counts laps, as _ring.ts's LAPS):
// both the shortcut and the cached room rely on CLAIM == #end meaning that
// nobody claimed since, which a handle idle while exactly a multiple of
// 2^30 positions pass would take for true.
// Why no lost wakeup (as careful-sb): a sleeper on TAIL (or HEAD) sets SB
// with a compareExchange from the word w it saw and waits on w | SB; the
// publisher's exchange (the consumer's claim CAS) either comes first (the
// sleeper's CAS fails: the word moved; it looks again) or reads SB (it
// notifies, after its write; a wait that starts later finds the word
// changed). A consumer's claim CAS from p fails on p | SB: it then clears SB
// with a CAS p | SB -> p + 1 and notifies HEAD.
const CLAIM_LINE = 48;
class Claim implements IntQ {
  readonly #h: Int32Array;
  readonly #d: Int32Array;
  readonly #claim: number;
  #end = 0; // the end of this handle's last publish (its claim guess too)
  #headSeen = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer, claim: number) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#d = new Int32Array(sab, HDR * 4, CAP);
    this.#claim = claim;
    this.#end =
      this.#headSeen =
      this.#head =
      this.#tailSeen =
        claimStart(
          this.#h,
        );
  }
  put(x: number): void {
    const h = this.#h;
    let c = this.#end;
    for (;;) {
      // The cache is current only for c == #end (Room, above).
      if (c !== this.#end) this.#headSeen = Atomics.load(h, HEAD) & MASK30;
      if (d30(c, this.#headSeen) >= CAP) {
        this.#headSeen = awaitRoom(h, c);
        continue;
      }
      const seen = Atomics.compareExchange(h, this.#claim, c, (c + 1) & MASK30);
      if (seen === c) break;
      c = seen;
    }
    this.#d[c & (CAP - 1)] = x;
    if (c !== this.#end) awaitTurn(h, c);
    const next = this.#end = (c + 1) & MASK30;
    if ((Atomics.exchange(h, TAIL, next) & SB) !== 0) Atomics.notify(h, TAIL);
  }
  get(): number {
    return claimGet(this);
  }
  // The consumer's state, for claimGet (shared by the three kinds).
  get h(): Int32Array {
    return this.#h;
  }
  get d(): Int32Array {
    return this.#d;
  }
  get head(): number {
    return this.#head;
  }
  set head(v: number) {
    this.#head = v;
  }
  get tailSeen(): number {
    return this.#tailSeen;
  }
  set tailSeen(v: number) {
    this.#tailSeen = v;
  }
}

// claim-cas: as claim, publishing with compareExchange from c (an exchange
// when SB made it fail). Written out (see Vyukov's note).
class ClaimCas implements IntQ {
  readonly #h: Int32Array;
  readonly #d: Int32Array;
  #end = 0;
  #headSeen = 0;
  #head = 0;
  #tailSeen = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#d = new Int32Array(sab, HDR * 4, CAP);
    this.#end =
      this.#headSeen =
      this.#head =
      this.#tailSeen =
        claimStart(
          this.#h,
        );
  }
  put(x: number): void {
    const h = this.#h;
    let c = this.#end;
    for (;;) {
      if (c !== this.#end) this.#headSeen = Atomics.load(h, HEAD) & MASK30;
      if (d30(c, this.#headSeen) >= CAP) {
        this.#headSeen = awaitRoom(h, c);
        continue;
      }
      const seen = Atomics.compareExchange(h, CLAIM_LINE, c, (c + 1) & MASK30);
      if (seen === c) break;
      c = seen;
    }
    this.#d[c & (CAP - 1)] = x;
    if (c !== this.#end) awaitTurn(h, c);
    const next = this.#end = (c + 1) & MASK30;
    if (
      Atomics.compareExchange(h, TAIL, c, next) !== c &&
      (Atomics.exchange(h, TAIL, next) & SB) !== 0
    ) Atomics.notify(h, TAIL);
  }
  get(): number {
    return claimGet(this);
  }
  get h(): Int32Array {
    return this.#h;
  }
  get d(): Int32Array {
    return this.#d;
  }
  get head(): number {
    return this.#head;
  }
  set head(v: number) {
    this.#head = v;
  }
  get tailSeen(): number {
    return this.#tailSeen;
  }
  set tailSeen(v: number) {
    this.#tailSeen = v;
  }
}

// The claim kinds' cursors start at START (all of HEAD, TAIL and both
// CLAIM places: a round begins and ends with the ring empty, so every
// handle's first guesses are good; a wrong one only costs a retry).
function claimInit(sab: SharedArrayBuffer): void {
  const h = new Int32Array(sab, 0, HDR);
  h[HEAD] =
    h[TAIL] =
    h[TAIL + 1] =
    h[CLAIM_LINE] =
      START;
}

function claimStart(h: Int32Array): number {
  return Atomics.load(h, HEAD) & MASK30;
}

interface ClaimSide {
  readonly h: Int32Array;
  readonly d: Int32Array;
  head: number;
  tailSeen: number;
}

// The consumers of the claim kinds: Queue's (tryGet): TAIL cached, reloaded
// when the cache says empty (or is behind p); read the slot, claim it with a
// compareExchange of HEAD p -> p + 1 (a failure from p | SB: clear SB with
// the same advance and notify HEAD; another value: another consumer took p,
// drop the copy). Why the copy is good: TAIL > p was read with an Atomics
// load after the publish of p (the publisher's exchange writes the slot
// before), and the slot is refilled only after a producer's Atomics read of
// HEAD past p, which follows this CAS.
function claimGet(q: ClaimSide): number {
  const h = q.h;
  let p = q.head;
  for (;;) {
    const n = d30(q.tailSeen, p);
    if (n <= 0 || n > CAP) {
      const t = q.tailSeen = awaitItems(h, p);
      if (d30(t, p) > CAP) { // p is stale: another consumer went past it
        p = Atomics.load(h, HEAD) & MASK30;
        continue;
      }
    }
    const x = q.d[p & (CAP - 1)];
    const next = (p + 1) & MASK30;
    const seen = Atomics.compareExchange(h, HEAD, p, next);
    if (seen === p) {
      q.head = next;
      return x;
    }
    if (
      seen === (p | SB) && Atomics.compareExchange(h, HEAD, seen, next) === seen
    ) {
      Atomics.notify(h, HEAD);
      q.head = next;
      return x;
    }
    p = Atomics.load(h, HEAD) & MASK30; // another consumer took p
  }
}

// TAIL's position once it differs from p (items, or p stale): spins, then
// sleeps with SB in TAIL.
function awaitItems(h: Int32Array, p: number): number {
  for (let k = 0;; k++) {
    const w = Atomics.load(h, TAIL);
    if ((w & MASK30) !== p) return w & MASK30;
    if (k < SPIN) continue;
    if ((Atomics.load(h, HEAD) & MASK30) !== p) return w & MASK30; // stale p
    if ((w & SB) !== 0 || Atomics.compareExchange(h, TAIL, w, w | SB) === w) {
      if (Atomics.wait(h, TAIL, w | SB, PARK_MS) === "timed-out") {
        throw new Error("ring: peer silent for 60 s");
      }
    }
  }
}

// A producer's turn to publish c: spins until TAIL == c, then sleeps with
// SB in TAIL (woken by every publish that reads SB).
function awaitTurn(h: Int32Array, c: number): void {
  for (let k = 0;; k++) {
    const w = Atomics.load(h, TAIL);
    if ((w & MASK30) === c) return;
    if (k < SPIN) continue;
    if ((w & SB) !== 0 || Atomics.compareExchange(h, TAIL, w, w | SB) === w) {
      if (Atomics.wait(h, TAIL, w | SB, PARK_MS) === "timed-out") {
        throw new Error("ring: an earlier publisher silent for 60 s");
      }
    }
  }
}

// HEAD once the ring has room for position c (spins, then sleeps with SB
// in HEAD).
function awaitRoom(h: Int32Array, c: number): number {
  for (let k = 0;; k++) {
    const w = Atomics.load(h, HEAD);
    const head = w & MASK30;
    if (d30(c, head) < CAP) return head;
    if (k < SPIN) continue;
    if ((w & SB) !== 0 || Atomics.compareExchange(h, HEAD, w, w | SB) === w) {
      if (Atomics.wait(h, HEAD, w | SB, PARK_MS) === "timed-out") {
        throw new Error("ring: peer silent for 60 s");
      }
    }
  }
}

// slot64: each slot one BigInt64 word, SEQ in the high half, VALUE in the
// low: a put claims and publishes with one compareExchange of its slot, a get
// claims and frees with one; no TAIL or HEAD word (each side keeps its guess
// and steps past slots another took). Parks wait on the slot's high half
// through an Int32Array view of the same words.
class Slot64 implements IntQ {
  readonly #h: Int32Array;
  readonly #b: BigInt64Array;
  readonly #w: Int32Array;
  #tail = 0;
  #head = 0;
  constructor(sab: SharedArrayBuffer) {
    this.#h = new Int32Array(sab, 0, HDR);
    this.#b = new BigInt64Array(sab, HDR * 4, CAP);
    this.#w = new Int32Array(sab, HDR * 4, CAP * 2);
  }
  static init(sab: SharedArrayBuffer): void {
    const b = new BigInt64Array(sab, HDR * 4, CAP);
    for (let i = 0; i < CAP; i++) b[i] = BigInt(i) << 32n;
  }
  put(x: number): void {
    const h = this.#h, b = this.#b;
    let t = this.#tail;
    for (;;) {
      const i = t & (CAP - 1);
      const w = Atomics.load(b, i);
      const seq = Number(w >> 32n) | 0;
      const dif = (seq - t) | 0;
      if (dif === 0) {
        const nw = (BigInt((t + 1) | 0) << 32n) | BigInt(x >>> 0);
        if (Atomics.compareExchange(b, i, w, nw) === w) {
          if (Atomics.load(h, CPARK) !== 0) Atomics.notify(this.#w, 2 * i + 1);
          this.#tail = (t + 1) | 0;
          return;
        }
      } else if (dif < 0) awaitSeq(h, this.#w, 2 * i + 1, seq, PPARK);
      else t = (t + 1) | 0;
    }
  }
  get(): number {
    const h = this.#h, b = this.#b;
    let p = this.#head;
    for (;;) {
      const i = p & (CAP - 1);
      const w = Atomics.load(b, i);
      const seq = Number(w >> 32n) | 0;
      const dif = (seq - ((p + 1) | 0)) | 0;
      if (dif === 0) {
        const nw = BigInt((p + CAP) | 0) << 32n;
        if (Atomics.compareExchange(b, i, w, nw) === w) {
          if (Atomics.load(h, PPARK) !== 0) Atomics.notify(this.#w, 2 * i + 1);
          this.#head = (p + 1) | 0;
          return Number(BigInt.asIntN(32, w));
        }
      } else if (dif < 0) awaitSeq(h, this.#w, 2 * i + 1, seq, CPARK);
      else p = (p + 1) | 0;
    }
  }
}

function open(kind: Kind, sab: SharedArrayBuffer): IntQ {
  if (kind === "careful") return new Careful(sab);
  if (kind === "vyukov-tc") return new VyukovTc(sab);
  if (kind === "vyukov-lc") return new VyukovLc(sab);
  if (kind === "slot64") return new Slot64(sab);
  if (kind === "hybrid") return new Hybrid(sab);
  if (kind === "hybrid-sb") return new HybridSb(sab);
  if (kind === "careful-sb") return new CarefulSb(sab);
  if (kind === "careful-sb+cas") return new CarefulSbCas(sab);
  if (kind === "claim") return new Claim(sab, CLAIM_LINE);
  if (kind === "claim-sl") return new Claim(sab, TAIL + 1);
  if (kind === "claim-cas") return new ClaimCas(sab);
  return new Vyukov(sab);
}

function init(kind: Kind, sab: SharedArrayBuffer): void {
  if (kind === "slot64") Slot64.init(sab);
  else if (kind === "hybrid") Hybrid.init(sab);
  else if (kind === "hybrid-sb") HybridSb.init(sab);
  else if (kind.startsWith("claim")) claimInit(sab);
  else if (kind !== "careful") Vyukov.init(sab);
}

// Every design: the header and 2P words (careful uses the first P).
const BYTES = HDR * 4 + 2 * CAP * 4;

// Control words: GEN (bumped per round), N, DONE, SUM.
const GEN = 0, N = 1, DONE = 2, SUM = 3, SQ = 4;
// Mode mpmc (a correctness check, untimed figures aside): 4 producer
// threads put the residues of 0..N-1 mod 4, 2 consumer threads take N / 2
// each and count every value they take in SEEN (one byte a value); each
// round checks every count is exactly 1, and the sums of x and x * x (mod
// 2^32). A lost item leaves a consumer short: it parks and fails after
// PARK_MS. SPSC kinds (careful, careful-sb) are refused.
const SEEN_MAX = 1 << 20;
const PRODUCERS = 4, CONSUMERS = 2;

function workerLoop(
  kind: Kind,
  sab: SharedArrayBuffer,
  ctl: Int32Array,
  role: string,
  seen: Uint8Array,
) {
  const q = open(kind, sab);
  let gen = 0;
  for (;;) {
    while (Atomics.load(ctl, GEN) === gen) Atomics.wait(ctl, GEN, gen, 1000);
    gen = Atomics.load(ctl, GEN);
    const n = Atomics.load(ctl, N);
    if (n < 0) break;
    let sum = 0;
    if (role === "p") { for (let i = 0; i < n; i++) q.put(i); }
    else if (role === "c") {
      for (let i = 0; i < n; i++) sum = (sum + q.get()) | 0;
      Atomics.store(ctl, SUM, sum);
    } else if (role[0] === "p") { // "pK": producer K of PRODUCERS
      for (let i = Number(role.slice(1)); i < n; i += PRODUCERS) q.put(i);
    } else { // "cK": consumer K of CONSUMERS, n / CONSUMERS items
      let sq = 0;
      for (let i = 0; i < n / CONSUMERS; i++) {
        const x = q.get();
        Atomics.add(seen, x, 1);
        sum = (sum + x) | 0;
        sq = (sq + Math.imul(x, x)) | 0;
      }
      Atomics.add(ctl, SUM, sum);
      Atomics.add(ctl, SQ, sq);
    }
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

interface Side {
  name: string;
  round(n: number): number;
  stop(): Promise<void>;
}

// One thread: puts 256 then gets 256, repeated (CPU per item; no line
// crosses cores, nobody sleeps).
// "queue": the default Queue, int32, capacity CAP, from the module in $QMOD
// (default ../mod beside this file); "solo": the same with singleWriter and
// singleReader.
const SINGLE = { singleWriter: true, singleReader: true };
async function solo(kind: Kind | "queue" | "solo"): Promise<Side> {
  let q: IntQ;
  if (kind === "queue" || kind === "solo") {
    const env = process.env.QMOD;
    const mod = await import(
      env
        ? new URL(env, `file://${process.cwd()}/`).href
        : new URL(`../mod${EXT}`, import.meta.url).href
    );
    q = new mod.Queue({
      capacity: CAP,
      type: "int32",
      ...(kind === "solo" ? SINGLE : {}),
    });
  } else {
    const sab = new SharedArrayBuffer(BYTES);
    init(kind, sab);
    q = open(kind, sab);
  }
  return {
    name: `${kind} 1t`,
    round(n) {
      let sum = 0;
      for (let i = 0; i < n; i += 256) {
        for (let j = 0; j < 256; j++) q.put(i + j);
        for (let j = 0; j < 256; j++) sum = (sum + q.get()) | 0;
      }
      if (sum === 0.5) throw new Error("unreachable");
      return n;
    },
    stop: () => Promise.resolve(),
  };
}

// "queue" ("solo") across threads: the default (singleWriter +
// singleReader) Queue through the rows' own sides (./_sides beside this
// file, or the module in $QSIDES, whose ../mod is then the Queue used).
async function queueSide(kind: string, mode: string): Promise<Side> {
  const env = process.env.QSIDES;
  const url = env
    ? new URL(env, `file://${process.cwd()}/`).href
    : new URL(`./_sides${EXT}`, import.meta.url).href;
  const sides = await import(url);
  const { Queue } = await import(new URL("../mod" + url.slice(-3), url).href);
  const { intSum } = await import(
    new URL("./_workers/limits" + url.slice(-3), url).href
  );
  const single = kind === "solo" ? SINGLE : {};
  const s = mode === "t2t"
    ? sides.pipe(kind, kind === "solo" ? sides.intSolo : sides.intQueue, intSum)
    : sides.fromMain(
      kind,
      () => {
        const q = new Queue({ capacity: CAP, type: "int32", ...single });
        return { member: { fn: "queueConsume", args: [q] }, producer: q };
      },
      (q: IntQ, n: number) => {
        for (let i = 0; i < n; i++) q.put(i);
      },
      intSum,
    );
  const r = await s.start();
  return {
    name: `${kind} ${mode}`,
    round: (n) => r.round(n) as number,
    stop: () => r.stop(),
  };
}

async function side(kind: Kind, mode: string): Promise<Side> {
  const t2t = mode !== "m2t", mpmc = mode === "mpmc";
  if (mpmc && (kind === "careful" || kind.startsWith("careful-sb"))) {
    throw new Error(`${kind} is single-producer single-consumer`);
  }
  const seen = new Uint8Array(new SharedArrayBuffer(mpmc ? SEEN_MAX : 1));
  const sab = new SharedArrayBuffer(BYTES);
  init(kind, sab);
  const ctl = new Int32Array(new SharedArrayBuffer(64));
  const roles = mpmc
    ? ["p0", "p1", "p2", "p3", "c0", "c1"]
    : t2t
    ? ["p", "c"]
    : ["c"];
  const workers = roles.map((role) =>
    new Worker(new URL(import.meta.url), {
      workerData: { kind, sab, ctl, role, seen },
    })
  );
  const q = open(kind, sab);
  await new Promise((r) => setTimeout(r, 200));
  return {
    name: `${kind} ${mode}`,
    round(n) {
      if (mpmc) {
        if (n > SEEN_MAX) throw new RangeError(`mpmc: n > ${SEEN_MAX}`);
        seen.fill(0, 0, n); // published to the workers by the GEN add
      }
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, SUM, 0);
      Atomics.store(ctl, SQ, 0);
      Atomics.store(ctl, N, n);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      if (!t2t) { for (let i = 0; i < n; i++) q.put(i); }
      for (let d = Atomics.load(ctl, DONE); d < roles.length;) {
        Atomics.wait(ctl, DONE, d, 1000);
        d = Atomics.load(ctl, DONE);
      }
      let want = 0, sq = 0;
      for (let i = 0; i < n; i++) {
        want = (want + i) | 0;
        sq = (sq + Math.imul(i, i)) | 0;
      }
      if (Atomics.load(ctl, SUM) !== want) throw new Error(`${kind}: sum`);
      if (mpmc && Atomics.load(ctl, SQ) !== sq) throw new Error(`${kind}: sq`);
      for (let i = 0; mpmc && i < n; i++) {
        const c = Atomics.load(seen, i);
        if (c !== 1) throw new Error(`${kind}: value ${i} taken ${c} times`);
      }
      return n;
    },
    async stop() {
      Atomics.store(ctl, N, -1);
      Atomics.add(ctl, GEN, 1);
      Atomics.notify(ctl, GEN);
      await Promise.all(workers.map((w) =>
        new Promise((r) => {
          w.on("exit", r);
        })
      ));
    },
  };
}

// Mode aba (claim kinds; a check, run by bench/_limits_test.ts): a
// producer handle that put once and idled while 2^29 + 8 positions passed
// must not take its cached HEAD for room on a full ring (the claim ring's
// "Room" note). The cursors are moved to where that traffic through other
// handles leaves them (HEAD == TAIL == CLAIM, an empty ring), a fresh
// handle fills the ring, and the idle handle puts 99: it must wait for a
// consumer thread, which takes one item once the putter sleeps on HEAD
// (SB shows there), then the rest. Expected: 100.. in order, then 99.
// A put that took the stale cache for room overwrites slot HEAD % CAP and
// returns at once, with HEAD unchanged: reported here.
async function abaCheck(kind: Kind): Promise<void> {
  if (!kind.startsWith("claim")) {
    throw new Error(`aba: ${kind} is no claim kind`);
  }
  const sab = new SharedArrayBuffer(BYTES);
  init(kind, sab);
  const h = new Int32Array(sab, 0, HDR);
  const idle = open(kind, sab), c = open(kind, sab);
  idle.put(7);
  if (c.get() !== 7) throw new Error(`aba ${kind}: first item`);
  const far = (Atomics.load(h, HEAD) + 2 ** 29 + 8) & MASK30;
  for (const i of [HEAD, TAIL, TAIL + 1, CLAIM_LINE]) Atomics.store(h, i, far);
  const fresh = open(kind, sab);
  for (let i = 0; i < CAP; i++) fresh.put(100 + i); // full
  const out = new Int32Array(new SharedArrayBuffer(4 * (CAP + 1)));
  const w = new Worker(new URL(import.meta.url), {
    workerData: { kind, sab, ctl: out, role: "aba", seen: null },
  });
  const exited = new Promise((r) => w.on("exit", r));
  const failed = new Promise<never>((_, j) => w.on("error", j));
  idle.put(99);
  if ((Atomics.load(h, HEAD) & MASK30) === far) {
    await w.terminate();
    throw new Error(`aba ${kind}: put into a full ring (slot overwritten)`);
  }
  await Promise.race([exited, failed]);
  const got = Array.from(out);
  const want = [...Array(CAP).keys()].map((i) => 100 + i).concat(99);
  if (got.join() !== want.join()) {
    throw new Error(`aba ${kind}: took ${got} where ${want}`);
  }
}

// The consumer of mode aba: waits (bounded, 1 ms slices) until a putter
// sleeps on HEAD, then takes CAP + 1 items into out.
function abaTake(kind: Kind, sab: SharedArrayBuffer, out: Int32Array): void {
  const q = open(kind, sab), h = new Int32Array(sab, 0, HDR);
  for (let k = 0; (Atomics.load(h, HEAD) & SB) === 0; k++) {
    if (k > 20_000) throw new Error("aba: no putter slept on HEAD in 20 s");
    Atomics.wait(out, 0, 0, 1);
  }
  for (let i = 0; i <= CAP; i++) out[i] = q.get();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main() {
  const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
  const rounds = Number(args[0] ?? 12);
  const n = Number(args[1] ?? 250_000);
  const kinds = (args[2] ?? "careful,vyukov,vyukov-tc,vyukov-lc").split(
    ",",
  ) as (Kind | "queue" | "solo")[];
  const modes = (args[3] ?? "t2t,m2t").split(",");
  const rt = typeof Deno !== "undefined" ? "deno" : "node";
  for (const mode of modes) {
    if (mode === "aba") {
      for (const k of kinds) {
        await abaCheck(k as Kind);
        console.log(`${rt} aba ${k} ok`);
      }
      continue;
    }
    const sides: Side[] = [];
    for (const k of kinds) {
      sides.push(
        mode === "1t"
          ? await solo(k)
          : k === "queue" || k === "solo"
          ? await queueSide(k, mode)
          : await side(k as Kind, mode),
      );
    }
    // Warm (mpmc, a check: one round of n).
    for (const s of sides) s.round(mode === "mpmc" ? n : 1_000_000);
    const per: number[][] = sides.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = sides.map((_, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) {
        // One thread: CPU time (nothing else of this process runs then), so
        // the machine's load does not count; across threads, wall time.
        const c0 = process.cpuUsage(), t0 = performance.now();
        sides[i].round(n);
        const c = process.cpuUsage(c0);
        per[i].push(
          mode === "1t"
            ? (c.user + c.system) * 1e3 / n
            : (performance.now() - t0) * 1e6 / n,
        );
      }
    }
    // Paired ratios against the first kind, and (a second line) against
    // the second, when there are more than two.
    for (let b = 0; b < (sides.length > 2 ? 2 : 1); b++) {
      const line = [`${rt} ${mode}`];
      line.push(`${kinds[b]} ${(1e3 / median(per[b])).toFixed(2)}M/s`);
      for (let i = b + 1; i < sides.length; i++) {
        const ratios = per[i].map((ns, r) => per[b][r] / ns);
        line.push(
          `${kinds[i]} ${median(ratios).toFixed(2)}x (${
            Math.min(...ratios).toFixed(2)
          }-${Math.max(...ratios).toFixed(2)})`,
        );
      }
      console.log(line.join("  "));
    }
    for (const s of sides) await s.stop();
  }
}

declare const Deno: { args: string[] } | undefined;

if (isMainThread) await main();
else {
  const { kind, sab, ctl, role, seen } = workerData;
  if (role === "aba") abaTake(kind, sab, ctl);
  else workerLoop(kind, sab, ctl, role, seen);
}
