// Copyright 2026 the threadkit authors. MIT license.
// The contention driver: starts a crew of persistent bench threads once (the
// untimed setup), then each timed round tells them to do N acquire/release
// pairs each, sleeps until all are done, and checks the exact count.
import {
  COUNTER,
  DONE,
  GEN,
  HANDOFFS,
  ITERS,
  READY,
  SLOTS,
} from "./_workers/contend.ts";

/** Longest a round or the crew's start may take before the bench fails. */
const LIMIT_MS = 60_000;

/** A crew of `size` threads contending on one lock. */
export class Crew {
  /** The control block the crew shares (layout in _workers/contend.ts). */
  readonly ctl: Int32Array = new Int32Array(
    new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT),
  );
  /** Pairs done in all checked rounds. */
  ops = 0;
  /** Owner changes seen in all checked rounds. */
  handoffs = 0;
  // Each member's end, settled either way: a member that fails must not
  // become an unhandled rejection while the bench is still running.
  readonly #ends: Promise<{ error?: unknown }>[] = [];

  private constructor(readonly size: number) {}

  /**
   * Starts `size` members with `startOne(ctl, id)` (ids 1..size), which
   * returns a promise of the member's end, and resolves once all are ready.
   */
  static async start(
    size: number,
    startOne: (ctl: Int32Array, id: number) => Promise<unknown>,
  ): Promise<Crew> {
    const crew = new Crew(size);
    for (let id = 1; id <= size; id++) {
      crew.#ends.push(
        startOne(crew.ctl, id).then(() => ({}), (error) => ({ error })),
      );
    }
    const deadline = performance.now() + LIMIT_MS;
    while (Atomics.load(crew.ctl, READY) < size) {
      if (performance.now() > deadline) {
        throw new Error(`Crew of ${size} did not start within ${LIMIT_MS} ms`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    return crew;
  }

  /**
   * One timed round: every member does `pairs` acquire/increment/release
   * pairs. Blocks the calling thread until all are done.
   * @throws {Error} when the counter is not exactly size * pairs.
   */
  round(pairs: number): void {
    const ctl = this.ctl;
    ctl[COUNTER] = 0;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, HANDOFFS, 0);
    Atomics.store(ctl, ITERS, pairs);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    // Why no lost wakeup: members add to DONE before they notify; we sleep
    // only while DONE still holds the value we read.
    for (
      let d = Atomics.load(ctl, DONE);
      d < this.size;
      d = Atomics.load(ctl, DONE)
    ) {
      if (Atomics.wait(ctl, DONE, d, LIMIT_MS) === "timed-out") {
        throw new Error(`Crew round did not finish within ${LIMIT_MS} ms`);
      }
    }
    const expected = this.size * pairs;
    const got = Atomics.load(ctl, COUNTER);
    if (got !== expected) {
      throw new Error(
        `Lock let two holders in: counted ${got}, expected ${expected}`,
      );
    }
    this.ops += expected;
    this.handoffs += Atomics.load(ctl, HANDOFFS);
  }

  /**
   * Wraps a timed function. When it throws, mitata records the error and
   * never resumes the bench's generator, so its teardown does not run: the
   * wrapper tells the members to exit, calls `unblock` (close the channel,
   * shut the queue down) so none stays blocked, and rethrows. Without this a
   * failed bench would leave a thread waiting forever, and a thread blocked
   * in Atomics.wait keeps the process alive (terminate() does not stop it).
   */
  guard(fn: () => void, unblock?: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (error) {
        this.#exit();
        unblock?.();
        throw error;
      }
    };
  }

  /**
   * Tells the members to return and waits for their ends.
   * @throws the first member's error, if any member failed.
   */
  async stop(): Promise<void> {
    this.#exit();
    for (const end of await Promise.all(this.#ends)) {
      if (end.error !== undefined) throw end.error;
    }
  }

  #exit(): void {
    Atomics.store(this.ctl, ITERS, -1);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
  }
}
