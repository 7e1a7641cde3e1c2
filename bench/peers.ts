// Copyright 2026 the threadkit authors. MIT license.
// threadkit beside `multithreading` on the task its channel is made for: a
// producer thread sends small objects, this thread receives them (SPSC,
// capacity 1024, both sides blocking). threadkit's structured Queue (JSON
// codec in shared memory) vs `multithreading`'s channel (SharedJsonBuffer).
// The producer is started in the untimed setup; each timed round it sends
// ITEMS objects and this side checks the sum of their ids and their fields.
import { bench, run, summary } from "mitata";
import { moduleTarget, Queue, Thread } from "../mod.ts";
import { Crew } from "./_crew.ts";
import { channel, move, mtJoin, mtPool, mtShutdown, spawn } from "./_peers.ts";
import { note } from "./_report.ts";
import type * as produce from "./_workers/produce.ts";
import { GEN, ITERS } from "./_workers/contend.ts";

const ITEMS = 2000;
const CAPACITY = 1024;
/** multithreading channel storage (its default, 64 KiB, runs out: "SharedJsonBuffer OOM"). */
const MT_BYTES = 4 << 20;
const PRODUCER = new URL("./_workers/produce.ts", import.meta.url);

/** Names the summary looks up. */
export const NAMES = {
  queue: "Queue structured objects, thread -> main",
  channel: "multithreading channel objects, thread -> main",
} as const;

type Item = produce.Item;

/** Receives one round and checks it. */
function receive(take: () => Item): void {
  let sum = 0;
  for (let i = 0; i < ITEMS; i++) {
    const item = take();
    if (item.kind !== "job" || item.ok !== true) {
      throw new Error(`Received a damaged item: ${JSON.stringify(item)}`);
    }
    sum += item.id;
  }
  if (sum !== (ITEMS * (ITEMS - 1)) / 2) {
    throw new Error(
      `Received ids summing to ${sum}, expected ${(ITEMS * (ITEMS - 1)) / 2}`,
    );
  }
}

function go(ctl: Int32Array): void {
  Atomics.store(ctl, ITERS, ITEMS);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
}

/** Registers the peer comparisons with mitata. */
export function register(): void {
  summary(() => {
    bench(NAMES.queue, async function* () {
      const q = new Queue<Item>({ capacity: CAPACITY });
      const crew = await Crew.start(1, (ctl) => {
        const t = new Thread({
          target: moduleTarget<typeof produce.queueProducer>(
            PRODUCER,
            "queueProducer",
          ),
          args: [q, ctl],
          name: "producer",
        });
        t.start();
        return t.joinAsync({ timeout: 120_000 });
      });
      try {
        yield crew.guard(() => {
          go(crew.ctl);
          receive(() => q.get({ timeout: 60_000 }));
        }, () => q.shutdown({ immediate: true }));
      } finally {
        await crew.stop();
      }
    }).baseline(true);

    bench(NAMES.channel, async function* () {
      mtPool(2);
      const [tx, rx] = channel<Item>(CAPACITY, { size: MT_BYTES });
      const url = PRODUCER.href;
      const crew = await Crew.start(1, (ctl) =>
        mtJoin(spawn(
          move(tx, { ctl }, url),
          async (tx, box: { ctl: Int32Array }, url: string) =>
            (await import(url)).mtProducer(tx, box.ctl) as number,
        )));
      try {
        yield crew.guard(() => {
          go(crew.ctl);
          receive(() => {
            const r = rx.blockingRecv();
            if (!r.ok) throw r.error;
            return r.value;
          });
        }, () => rx.close());
      } finally {
        await crew.stop();
        rx.close();
      }
    });
  });
  for (const name of Object.values(NAMES)) note(name, { ops: ITEMS });
}

if (import.meta.main) {
  register();
  await run();
  mtShutdown();
}
