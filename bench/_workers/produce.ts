// Copyright 2026 the threadkit authors. MIT license.
// Producer for the channel comparison (bench/peers.ts): a persistent bench
// thread that, each round, sends ITERS small objects through a queue or a
// channel. Round control uses the crew block of _workers/contend.ts.
import type { Queue } from "../../mod.ts";
import { rounds } from "./contend.ts";

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
  return rounds(ctl, (n) => {
    for (let i = 0; i < n; i++) send({ id: i, kind: "job", ok: true });
  });
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
