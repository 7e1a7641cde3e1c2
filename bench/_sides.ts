// Copyright 2026 the threadkit authors. MIT license.
// The sides that bench/limits.ts compares: each starts its threads
// (untimed) and then does timed rounds of n operations, checking every
// round's checksum. Runtime-neutral: Deno runs these files, Node their build.
import { moduleTarget, Queue, Thread } from "../mod.ts";
import { RingBuffer } from "ringbuf.js";
import type { Runner, Side } from "./_ab.ts";
import type { Pair } from "./_pingpong.ts";
import { ringStorage } from "./_ring.ts";
import { EXT, type Member, Team } from "./_team.ts";
import { Crew } from "./_crew.ts";
import type * as contend from "./_workers/contend.ts";
import { intSum, objSum, PAYLOAD } from "./_workers/limits.ts";

const RING_ITEMS = 1024;

function check(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: checksum ${got}, want ${want}`);
}

// The expected checksum of n items, computed once per n: a loop over n
// inside every timed round added the same time to both sides of a ratio
// (0.25-0.5 ms a round of 250k), pulling it toward 1.
const sums = new Map<(n: number) => number, Map<number, number>>();
function expected(sum: (n: number) => number, n: number): number {
  let m = sums.get(sum);
  if (m === undefined) sums.set(sum, m = new Map());
  let v = m.get(n);
  if (v === undefined) m.set(n, v = sum(n));
  return v;
}

/** A thread -> thread side: a producer member and a consumer member. */
export function pipe(
  name: string,
  make: () => [Member, Member],
  sum: (n: number) => number,
): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const team = await Team.start(make());
      return {
        round(n) {
          const want = expected(sum, n);
          team.begin(n);
          check(name, team.end()[1], want);
          return n;
        },
        stop: () => team.stop(),
      };
    },
  };
}

/** A main -> thread side: this thread produces, a consumer member takes. */
export function fromMain<P>(
  name: string,
  make: () => { member: Member; producer: P },
  put: (p: P, n: number) => void,
  sum: (n: number) => number,
): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const { member, producer } = make();
      const team = await Team.start([member]);
      return {
        round(n) {
          const want = expected(sum, n);
          team.begin(n);
          put(producer, n);
          check(name, team.end()[0], want);
          return n;
        },
        stop: () => team.stop(),
      };
    },
  };
}

// ---- int32 ----

export function intRing(): [Member, Member] {
  const s = ringStorage(RING_ITEMS * 4);
  return [{ fn: "ringProduce", args: [s] }, { fn: "ringConsume", args: [s] }];
}

export function intQueue(): [Member, Member] {
  const q = new Queue<number>({ capacity: RING_ITEMS, type: "int32" });
  return [{ fn: "queueProduce", args: [q] }, { fn: "queueConsume", args: [q] }];
}

/** Queue with a declared single writer and single reader (QueueInit). */
export function intSolo(): [Member, Member] {
  const q = new Queue<number>({
    capacity: RING_ITEMS,
    type: "int32",
    singleWriter: true,
    singleReader: true,
  });
  return [{ fn: "queueProduce", args: [q] }, { fn: "queueConsume", args: [q] }];
}

export function intQueueMany(batch: number): () => [Member, Member] {
  return () => {
    const q = new Queue<number>({ capacity: 4 * batch, type: "int32" });
    return [
      { fn: "queueProduceMany", args: [q, batch] },
      { fn: "queueConsumeMany", args: [q, batch] },
    ];
  };
}

/** As intQueueMany, the consumer taking with getManyInto (a typed array). */
export function intQueueInto(batch: number): () => [Member, Member] {
  return () => {
    const q = new Queue<number>({ capacity: 4 * batch, type: "int32" });
    return [
      { fn: "queueProduceMany", args: [q, batch] },
      { fn: "queueConsumeInto", args: [q, batch] },
    ];
  };
}

/** ringbuf.js push/pop; `fresh`: the consumer makes a JS array a batch. */
export function ringbuf(batch: number, fresh = false): () => [Member, Member] {
  return () => {
    const sab = RingBuffer.getStorageForCapacity(4 * batch, Int32Array);
    const flags = new Int32Array(new SharedArrayBuffer(128));
    return [
      { fn: "ringbufProduce", args: [sab, flags, batch] },
      { fn: "ringbufConsume", args: [sab, flags, batch, fresh] },
    ];
  };
}

export { intSum, objSum };

// ---- structured ----

export function objQueue(batch: number): () => [Member, Member] {
  return () => {
    const cap = batch === 1 ? RING_ITEMS : 4 * batch;
    const q = new Queue<{ id: number; payload: string }>({
      capacity: cap,
      bytes: cap * 128,
    });
    return [
      { fn: "objQueueProduce", args: [q, batch] },
      { fn: "objQueueConsume", args: [q, batch] },
    ];
  };
}

export function textRing(): [Member, Member] {
  const s = ringStorage(RING_ITEMS * 128);
  return [{ fn: "textProduce", args: [s] }, { fn: "textConsume", args: [s] }];
}

// ---- postMessage ----

interface PostWorker {
  post(m: unknown, transfer?: Transferable[]): void;
  next(): Promise<unknown>;
  stop(): void;
}

const POST = new URL("./_workers/post.mjs", import.meta.url);

async function postWorker(): Promise<PostWorker> {
  const replies: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  const deliver = (m: unknown) => {
    const w = waiters.shift();
    if (w) w(m);
    else replies.push(m);
  };
  const next = () =>
    replies.length > 0
      ? Promise.resolve(replies.shift())
      : new Promise<unknown>((r) => waiters.push(r));
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") {
    const w = new Worker(POST, { type: "module" });
    w.onmessage = (e) => deliver(e.data);
    return {
      post: (m, t) => w.postMessage(m, t ?? []),
      next,
      stop: () => w.terminate(),
    };
  }
  const { Worker: NodeWorker } = await import("node:worker_threads");
  const w = new NodeWorker(POST);
  w.on("message", deliver);
  return {
    // deno-lint-ignore no-explicit-any
    post: (m, t) => w.postMessage(m, t as any),
    next,
    stop: () => void w.terminate(),
  };
}

/**
 * postMessage between two workers over a MessageChannel (worker ->
 * worker), one item per message (batch 1) or arrays of `batch`.
 */
export function postPipe(name: string, batch: number): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const producer = await postWorker(), consumer = await postWorker();
      const { port1, port2 } = new MessageChannel();
      producer.post({ role: "producer", port: port1 }, [port1]);
      consumer.post({ role: "consumer", port: port2 }, [port2]);
      await producer.next();
      await consumer.next();
      return {
        async round(n) {
          consumer.post({ go: n });
          await consumer.next(); // "ready"
          producer.post({ go: n, batch });
          check(name, (await consumer.next()) as number, objSum(n));
          return n;
        },
        stop() {
          producer.stop();
          consumer.stop();
          return Promise.resolve();
        },
      };
    },
  };
}

/** postMessage from this thread to a worker, one item per message. */
export function postFromMain(name: string): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const consumer = await postWorker();
      consumer.post({ role: "consumer" });
      await consumer.next();
      return {
        async round(n) {
          consumer.post({ go: n });
          await consumer.next();
          for (let i = 0; i < n; i++) {
            consumer.post({ id: i, payload: PAYLOAD });
          }
          check(name, (await consumer.next()) as number, objSum(n));
          return n;
        },
        stop() {
          consumer.stop();
          return Promise.resolve();
        },
      };
    },
  };
}

// ---- contention ----

const CREW = new URL(`./_workers/contend${EXT}`, import.meta.url);

/**
 * Two threads contending on a lock for long rounds (`n` pairs per thread):
 * both are woken by one GEN bump and overlap for nearly all of a round.
 * Reports handoffs per 1000 pairs.
 */
export function contended(
  name: string,
  target: "lockCrew" | "futexCrew" | "futexSlicedCrew",
  lockArgs: () => unknown[],
  threads = 2,
): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const args = lockArgs();
      const crew = await Crew.start(threads, (ctl, id) => {
        const t = new Thread({
          target: moduleTarget<typeof contend.lockCrew>(CREW, target),
          args: [...args, ctl, id] as Parameters<typeof contend.lockCrew>,
          name: target,
        });
        t.start();
        return t.joinAsync({ timeout: 600_000 });
      });
      return {
        round(n) {
          crew.round(n);
          return n * threads;
        },
        stop: () => crew.stop(),
        // Over every round, the untimed first one included.
        extra: () => ({ handoffsPer1k: crew.handoffs / crew.ops * 1000 }),
      };
    },
  };
}

// ---- ping-pong ----

/** A ping-pong side: round trips, blocking or async. */
export function pingPong(
  name: string,
  make: () => Pair,
  async: boolean,
): Side {
  return {
    name,
    async start(): Promise<Runner> {
      const p = make();
      if (async) await p.roundTripAsync();
      else p.roundTrip();
      return {
        async round(n) {
          if (async) { for (let i = 0; i < n; i++) await p.roundTripAsync(); }
          else for (let i = 0; i < n; i++) p.roundTrip();
          return n;
        },
        stop: () => p.stop(name),
      };
    },
  };
}
