// Copyright 2026 the threadkit authors. MIT license.
// Event benchmarks: one round trip between this thread and a peer thread
// (this thread sets "ping" and waits for "pong"; the peer waits for "ping",
// clears it and sets "pong"), beside the same ping-pong on raw
// Atomics.wait/notify words (the platform limit, the baseline). Blocking
// waits and async waits (this side uses waitAsync; the peer blocks) are two
// groups, each with its own raw baseline. Each peer is started in the
// untimed setup of its benchmark and stopped in the teardown, which checks
// that the peer answered exactly as many pings as this side sent.
import { bench, run, summary } from "mitata";
import { Event, Thread } from "../mod.ts";

/** Longest any single wait of the benchmark may take before it fails. */
const LIMIT = 60_000;

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

function check(what: string, answered: unknown, sent: number): void {
  if (answered !== sent) {
    throw new Error(`${what}: sent ${sent} pings, peer answered ${answered}`);
  }
}

/** A raw ping-pong: the words, the peer thread, and pings sent. */
function rawPair() {
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
        const r = Atomics.waitAsync(a, PONG, i - 1, LIMIT);
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
function eventPair() {
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

/** Registers the Event benchmarks with mitata. */
export function register(): void {
  summary(() => {
    bench("raw Atomics.wait/notify ping-pong", async function* () {
      const pair = rawPair();
      pair.roundTrip(); // the peer is up: the first round trip is untimed
      yield () => pair.roundTrip();
      await pair.stop("raw Atomics.wait/notify ping-pong");
    }).baseline(true);
    bench("Event set/wait ping-pong (blocking)", async function* () {
      const pair = eventPair();
      pair.roundTrip();
      yield () => pair.roundTrip();
      await pair.stop("Event set/wait ping-pong");
    });
  });
  summary(() => {
    bench("raw Atomics.waitAsync ping-pong", async function* () {
      const pair = rawPair();
      await pair.roundTripAsync();
      yield () => pair.roundTripAsync();
      await pair.stop("raw Atomics.waitAsync ping-pong");
    }).baseline(true);
    bench("Event set/waitAsync ping-pong (async)", async function* () {
      const pair = eventPair();
      await pair.roundTripAsync();
      yield () => pair.roundTripAsync();
      await pair.stop("Event set/waitAsync ping-pong");
    });
  });
}

if (import.meta.main) {
  register();
  await run();
}
