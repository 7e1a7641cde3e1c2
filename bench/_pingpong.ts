// Copyright 2026 the threadkit authors. MIT license.
// Ping-pong pairs: one round trip between this thread and a peer thread, on
// raw Atomics.wait/notify words (the platform limit), on two Events, and on
// one Condition. Each pair starts its peer (untimed), runs round trips on
// demand, and on stop checks that the peer answered exactly as many pings as
// were sent. No mitata and no Deno API: bench/event.ts (mitata) and
// bench/limits.ts (the process-per-ratio rows, Deno and Node) both use them.
import { Condition, Event, Lock, Thread } from "../mod.ts";

/** Longest any single wait of a pair may take before it fails. */
const LIMIT = 60_000;

/** A started ping-pong: round trips on demand, then a checked stop. */
export interface Pair {
  roundTrip(): void;
  roundTripAsync(): Promise<void>;
  stop(what: string): Promise<void>;
}

// Raw ping-pong words: [PING seq, PONG seq, STOP flag].
const PING = 0, PONG = 1, STOP = 2;

/** The raw peer: answers each new PING seq by storing it in PONG. */
function rawPeer(a: Int32Array): number {
  let seen = 0, answered = 0;
  for (;;) {
    // Why no lost wakeup: sleep only while PING still holds `seen`.
    while (Atomics.load(a, 0) === seen) {
      if (Atomics.wait(a, 0, seen, 60_000) === "timed-out") {
        throw new Error("raw peer: no ping within 60 s");
      }
    }
    seen = Atomics.load(a, 0);
    if (Atomics.load(a, 2) === 1) return answered;
    answered++;
    Atomics.store(a, 1, seen);
    Atomics.notify(a, 1);
  }
}

/** The Event peer: waits for ping, clears it, sets pong. */
function eventPeer(ping: Event, pong: Event, stop: Int32Array): number {
  let answered = 0;
  for (;;) {
    if (!ping.wait({ timeout: 60_000 })) {
      throw new Error("event peer: no ping within 60 s");
    }
    ping.clear();
    if (Atomics.load(stop, 0) === 1) return answered;
    answered++;
    pong.set();
  }
}

/**
 * The Condition peer: with the lock held throughout (wait releases it),
 * waits until PING moves past what it answered, then answers in PONG.
 */
function conditionPeer(cond: Condition, a: Int32Array): number {
  let seen = 0, answered = 0;
  cond.acquire();
  try {
    for (;;) {
      while (a[0] === seen) {
        if (!cond.wait({ timeout: 60_000 })) {
          throw new Error("condition peer: no ping within 60 s");
        }
      }
      seen = a[0];
      if (a[2] === 1) return answered;
      answered++;
      a[1] = seen;
      cond.notify();
    }
  } finally {
    cond.release();
  }
}

function check(what: string, answered: unknown, sent: number): void {
  if (answered !== sent) {
    throw new Error(`${what}: sent ${sent} pings, peer answered ${answered}`);
  }
}

/**
 * A raw ping-pong: the words, the peer thread, and pings sent. The async
 * round trip's waitAsync takes a 60 s timeout (a bound, as every wait here
 * has), or none with `untimed` (V8 then posts no delayed task for it, which
 * is cheaper: bench/wake_ab.ts prints both).
 */
export function rawPair(untimed = false): Pair {
  const a = new Int32Array(new SharedArrayBuffer(12));
  const peer = new Thread({ name: "raw peer", target: rawPeer, args: [a] });
  peer.start();
  let sent = 0;
  const ping = () => {
    const i = ++sent;
    Atomics.store(a, PING, i);
    Atomics.notify(a, PING);
    return i;
  };
  return {
    roundTrip(): void {
      const i = ping();
      while (Atomics.load(a, PONG) !== i) {
        if (Atomics.wait(a, PONG, i - 1, LIMIT) === "timed-out") {
          throw new Error("raw ping-pong: no pong within 60 s");
        }
      }
    },
    async roundTripAsync(): Promise<void> {
      const i = ping();
      while (Atomics.load(a, PONG) !== i) {
        const r = untimed
          ? Atomics.waitAsync(a, PONG, i - 1)
          : Atomics.waitAsync(a, PONG, i - 1, LIMIT);
        if ((r.async ? await r.value : r.value) === "timed-out") {
          throw new Error("raw ping-pong: no pong within 60 s");
        }
      }
    },
    async stop(what: string): Promise<void> {
      const n = sent;
      Atomics.store(a, STOP, 1);
      ping();
      check(what, await peer.joinAsync({ timeout: LIMIT }), n);
    },
  };
}

/** An Event ping-pong: two events, the peer thread, and pings sent. */
export function eventPair(): Pair {
  const ping = new Event(), pong = new Event();
  const stopWord = new Int32Array(new SharedArrayBuffer(4));
  const peer = new Thread({
    name: "event peer",
    target: eventPeer,
    args: [ping, pong, stopWord],
  });
  peer.start();
  let sent = 0;
  return {
    roundTrip(): void {
      sent++;
      ping.set();
      if (!pong.wait({ timeout: LIMIT })) {
        throw new Error("Event ping-pong: no pong within 60 s");
      }
      pong.clear();
    },
    async roundTripAsync(): Promise<void> {
      sent++;
      ping.set();
      if (!await pong.waitAsync({ timeout: LIMIT })) {
        throw new Error("Event ping-pong: no pong within 60 s");
      }
      pong.clear();
    },
    async stop(what: string): Promise<void> {
      const n = sent;
      Atomics.store(stopWord, 0, 1);
      ping.set();
      check(what, await peer.joinAsync({ timeout: LIMIT }), n);
    },
  };
}

/**
 * A Condition ping-pong over a Lock: this side holds the lock, bumps PING,
 * notifies and waits until PONG catches up; the peer mirrors it. A round
 * trip is two notifies, two waits and the lock handed over twice (wait
 * releases it, the woken side takes it back).
 */
export function conditionPair(): Pair {
  const cond = new Condition(new Lock());
  const a = new Int32Array(new SharedArrayBuffer(12));
  const peer = new Thread({
    name: "condition peer",
    target: conditionPeer,
    args: [cond, a],
  });
  peer.start();
  let sent = 0;
  const fail = () => new Error("Condition ping-pong: no pong within 60 s");
  return {
    roundTrip(): void {
      cond.acquire();
      try {
        const i = a[0] = ++sent;
        cond.notify();
        while (a[1] !== i) if (!cond.wait({ timeout: LIMIT })) throw fail();
      } finally {
        cond.release();
      }
    },
    async roundTripAsync(): Promise<void> {
      await cond.acquireAsync();
      try {
        const i = a[0] = ++sent;
        cond.notify();
        while (a[1] !== i) {
          if (!await cond.waitAsync({ timeout: LIMIT })) throw fail();
        }
      } finally {
        cond.release();
      }
    },
    async stop(what: string): Promise<void> {
      const n = sent;
      await cond.acquireAsync();
      a[2] = 1;
      a[0] = ++sent;
      cond.notify();
      cond.release();
      check(what, await peer.joinAsync({ timeout: LIMIT }), n);
    },
  };
}
