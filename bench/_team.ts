// Copyright 2026 the threadkit authors. MIT license.
// The round driver of bench/limits.ts: a team of persistent threads (each
// runs an export of bench/_workers/limits.ts on a threadkit Thread) that do
// one round of ITERS items each time the driver bumps GEN. `begin` starts a
// round and returns at once (so this thread can be a producer too); `end`
// blocks until every member is done and returns their RESULT words.
import { moduleTarget, Thread } from "../mod.ts";
import { DONE, GEN, ITERS, READY, RESULT, SLOTS } from "./_workers/contend.ts";

/** ".ts" in the sources, ".js" in the Node build (npm/bench/). */
export const EXT: string = import.meta.url.endsWith(".js") ? ".js" : ".ts";
const LIMITS = new URL(`./_workers/limits${EXT}`, import.meta.url);
/** Longest a round or the team's start may take before the bench fails. */
const LIMIT_MS = 60_000;

/** A member: an export of _workers/limits.ts and its leading args. */
export interface Member {
  fn: string;
  args: unknown[];
}

/** A team of threads driven round by round. */
export class Team {
  readonly ctl: Int32Array = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  readonly #threads: Thread[] = [];

  private constructor() {}

  /** Starts one thread per member (ids 1..n) and waits until all are up. */
  static async start(members: readonly Member[]): Promise<Team> {
    const team = new Team();
    members.forEach((m, i) => {
      const t = new Thread({
        // deno-lint-ignore no-explicit-any
        target: moduleTarget<(...a: any[]) => number>(LIMITS, m.fn),
        args: [...m.args, team.ctl, i + 1],
        name: `bench ${m.fn}`,
      });
      t.start();
      team.#threads.push(t);
    });
    const deadline = performance.now() + LIMIT_MS;
    while (Atomics.load(team.ctl, READY) < members.length) {
      if (performance.now() > deadline) throw new Error("team did not start");
      await new Promise((r) => setTimeout(r, 1));
    }
    return team;
  }

  /** Starts a round of `n` items per member; returns at once. */
  begin(n: number): void {
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, ITERS, n);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
  }

  /** Blocks until every member finished the round; returns RESULT by id. */
  end(): number[] {
    const ctl = this.ctl, size = this.#threads.length;
    // Why no lost wakeup: members add to DONE before they notify; we sleep
    // only while DONE still holds the value we read.
    for (
      let d = Atomics.load(ctl, DONE);
      d < size;
      d = Atomics.load(ctl, DONE)
    ) {
      if (Atomics.wait(ctl, DONE, d, LIMIT_MS) === "timed-out") {
        throw new Error(`round did not finish within ${LIMIT_MS} ms`);
      }
    }
    return this.#threads.map((_, i) => Atomics.load(ctl, RESULT + i + 1));
  }

  /** Tells the members to return and joins them. */
  async stop(): Promise<void> {
    Atomics.store(this.ctl, ITERS, -1);
    Atomics.add(this.ctl, GEN, 1);
    Atomics.notify(this.ctl, GEN);
    for (const t of this.#threads) await t.joinAsync({ timeout: LIMIT_MS });
  }
}
