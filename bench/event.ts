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
import { conditionPair, eventPair, rawPair } from "./_pingpong.ts";

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
  summary(() => {
    bench(
      "raw Atomics.wait/notify ping-pong (condition group)",
      async function* () {
        const pair = rawPair();
        pair.roundTrip();
        yield () => pair.roundTrip();
        await pair.stop("raw Atomics.wait/notify ping-pong");
      },
    ).baseline(true);
    bench("Condition notify/wait ping-pong (blocking)", async function* () {
      const pair = conditionPair();
      pair.roundTrip();
      yield () => pair.roundTrip();
      await pair.stop("Condition notify/wait ping-pong");
    });
  });
}

if (import.meta.main) {
  register();
  await run();
}
