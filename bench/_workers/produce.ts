// Copyright 2026 the threadkit authors. MIT license.
// Producer for the channel comparison (bench/peers.ts): a persistent bench
// thread that, each round, sends ITERS small objects through a queue or a
// channel. Round control uses the crew block of _workers/contend.ts.
import type { Queue } from "../../mod.ts";
import { GEN, ITERS, READY } from "./contend.ts";

/** The item every round sends: a small object, as a job queue carries. */
export interface Item {
  id: number;
  kind: string;
  ok: boolean;
}

/** Runs rounds until ITERS is -1; `send` carries one item. */
export function produceLoop(
  ctl: Int32Array,
  send: (item: Item) => void,
): number {
  let gen = 0;
  let total = 0;
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  for (;;) {
    // Why no lost wakeup: the driver writes ITERS, then bumps GEN, then
    // notifies; we sleep only while GEN still holds the round we saw last.
    while (Atomics.load(ctl, GEN) === gen) Atomics.wait(ctl, GEN, gen);
    gen = Atomics.load(ctl, GEN);
    const n = Atomics.load(ctl, ITERS);
    if (n < 0) return total;
    for (let i = 0; i < n; i++) send({ id: i, kind: "job", ok: true });
    total += n;
  }
}

/** Producer over a threadkit Queue (blocking put). */
export function queueProducer(q: Queue<Item>, ctl: Int32Array): number {
  return produceLoop(ctl, (item) => q.put(item));
}

/** The part of `multithreading`'s Sender the producer uses. */
interface MtSender {
  blockingSend(value: Item): { ok: boolean; error?: Error };
}

/** Producer over a `multithreading` channel (blockingSend). */
export function mtProducer(tx: MtSender, ctl: Int32Array): number {
  return produceLoop(ctl, (item) => {
    const r = tx.blockingSend(item);
    if (!r.ok) throw r.error;
  });
}
