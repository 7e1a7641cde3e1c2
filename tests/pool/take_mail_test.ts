// Copyright 2026 the threadkit authors. MIT license.
// A pool thread S declared dead (its entry
// ended) that still runs, stalled in its park's take loop (before its load
// of PARK, or inside takeMail), while the maintain reclaims its record, frees
// it and starts the next thread N there. A test-only hook
// (pool/_hooks.ts stallInTakeMail) holds each thread at a named step.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { endIdent, identStopped } from "../../_core/runtime.ts";
import { reviveDescriptor, TO_DESCRIPTOR } from "../../_core/transfer.ts";
import type { Queue } from "../../queue/bounded.ts";
import {
  Block,
  R_IDENT,
  R_PARK,
  R_TAG,
  R_TAKE,
  S_STATE,
  tagOf,
} from "../../pool/_layout.ts";
import { MAIL, PARKED } from "../../pool/_park.ts";
import { ThreadPoolExecutor } from "../../mod.ts";
import { within } from "./_fixtures.ts";
import { until } from "../_helpers.ts";

function arm(mail: Int32Array, get: Int32Array, die: Int32Array): void {
  const g = globalThis as Record<symbol, unknown>;
  g[Symbol.for("threadkit.test.stallInTakeMail")] = mail;
  g[Symbol.for("threadkit.test.stallBeforeGet")] = get;
  g[Symbol.for("threadkit.test.dieAfterTake")] = die;
}

function armed() {
  const mail = new Int32Array(new SharedArrayBuffer(128));
  const get = new Int32Array(new SharedArrayBuffer(12));
  const die = new Int32Array(new SharedArrayBuffer(4));
  const pool = new ThreadPoolExecutor({
    maxWorkers: 1,
    initializer: arm,
    initArgs: [mail, get, die],
  });
  const d = pool[TO_DESCRIPTOR]();
  const b = new Block(d.buffer as SharedArrayBuffer);
  const tasks = reviveDescriptor(
    (d.extra as { tasks: unknown }).tasks,
  ) as Queue<number>;
  const rec = b.record(0);
  return { mail, get, die, pool, b, v: b.v, rec, tasks };
}

// The k-th stall's thread.
async function stall(mail: Int32Array, k: number): Promise<number> {
  await until(() => Atomics.load(mail, 8) > k, `stall ${k}`, 30_000);
  return Atomics.load(mail, 9 + k);
}
// Lets the next stall (in order) go on.
function release(mail: Int32Array): void {
  Atomics.add(mail, 5, 1);
  Atomics.notify(mail, 5);
}
const id = (x: number) => x;

async function cleanup(
  mail: Int32Array,
  get: Int32Array,
  pool: ThreadPoolExecutor,
): Promise<void> {
  for (let p = 0; p < 5; p++) Atomics.store(mail, p, 0);
  Atomics.store(mail, 5, 1000);
  Atomics.notify(mail, 5);
  Atomics.store(get, 0, 0);
  Atomics.store(get, 2, 1);
  Atomics.notify(get, 2);
  await within(pool.shutdownAsync({ cancelFutures: true }));
}

describe("ThreadPoolExecutor: a stale pool thread in its take loop across its record's reuse", () => {
  it("RISK 2: S takes N's hand-off, N's failed take clears TAKE: the task still runs", async () => {
    const { mail, get, pool, v, rec } = armed();
    try {
      assert.equal(await within(pool.submit(id, 1)), 1);
      await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
      const S = Atomics.load(v, rec + R_IDENT);
      // Woken by b's hand-off, S passes its looks (IDENT still its) and
      // stalls before the take loop's load.
      Atomics.store(mail, 4, 1);
      const fb = pool.submit(id, 2);
      assert.equal(await stall(mail, 0), S);
      // Declared dead: the reclaim requeues b, frees the record, and N
      // starts there and runs b, then parks.
      assert.ok(endIdent(S));
      assert.equal(await within(fb), 2);
      await until(
        () =>
          Atomics.load(v, rec + R_IDENT) > 0 &&
          Atomics.load(v, rec + R_IDENT) !== S &&
          Atomics.load(v, rec + R_PARK) === PARKED,
        "N parked",
        30_000,
      );
      const N = Atomics.load(v, rec + R_IDENT);
      // c's hand-off to N: N's take names it (TAKE) and stalls before its
      // CAS.
      Atomics.store(mail, 1, 1);
      const fc = pool.submit(id, 3);
      assert.equal(await stall(mail, 1), N);
      // S loads the MAIL, takes it (its CAS wins) and stalls after.
      Atomics.store(mail, 3, 1);
      release(mail);
      assert.equal(await stall(mail, 2), S);
      // N's CAS fails: TAKE 0; it adopts the word and parks again.
      release(mail);
      await until(
        () => Atomics.load(v, rec + R_PARK) === PARKED,
        "N parked again",
        30_000,
      );
      // S's give-back.
      release(mail);
      await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
      assert.equal(await within(fc, 10_000), 3);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  it("S's takeMail stores (R_TAG, R_TAKE) landing on N's take from the queue: N still runs its task", async () => {
    const { mail, get, pool, b, v, rec } = armed();
    try {
      assert.equal(await within(pool.submit(id, 1)), 1);
      await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
      const S = Atomics.load(v, rec + R_IDENT);
      // S's take of b's hand-off stalls at takeMail's start (the MAIL
      // loaded, nothing written).
      Atomics.store(mail, 0, 1);
      const fb = pool.submit(id, 2);
      assert.equal(await stall(mail, 0), S);
      const bSlot = Atomics.load(v, rec + R_PARK) - MAIL;
      // d is queued (the word reads MAIL); N's first get stalls after its
      // record names d (R_TAG, R_TAKE).
      const fd = pool.submit(id, 3);
      Atomics.store(get, 0, 1);
      assert.ok(endIdent(S));
      await until(() => Atomics.load(get, 1) !== 0, "N's get", 30_000);
      const N = Atomics.load(get, 1);
      assert.notEqual(N, S);
      const dSlot = Atomics.load(v, rec + R_TAKE) - 1;
      assert.notEqual(dSlot, bSlot);
      // (The two tasks' tags differ: b's slot served a before.)
      assert.notEqual(
        tagOf(Atomics.load(v, b.slot(bSlot) + S_STATE)),
        Atomics.load(v, rec + R_TAG),
      );
      // S goes on: its stores land on N's record; its CAS fails (GONE).
      release(mail);
      await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
      Atomics.store(get, 2, 1);
      Atomics.notify(get, 2);
      assert.deepEqual(await within(Promise.all([fb, fd]), 10_000), [2, 3]);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  it("ABA: S stalled before its CAS while the slot's next task is mailed to N with the same MAIL value: that task runs", async () => {
    const { mail, get, pool, v, rec } = armed();
    try {
      assert.equal(await within(pool.submit(id, 1)), 1);
      await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
      const S = Atomics.load(v, rec + R_IDENT);
      // S's take of b's hand-off stalls before its CAS (R_TAG = b's tag).
      Atomics.store(mail, 1, 1);
      const fb = pool.submit(id, 2);
      assert.equal(await stall(mail, 0), S);
      const mailB = Atomics.load(v, rec + R_PARK);
      assert.ok(endIdent(S));
      assert.equal(await within(fb), 2);
      await until(
        () =>
          Atomics.load(v, rec + R_IDENT) > 0 &&
          Atomics.load(v, rec + R_IDENT) !== S &&
          Atomics.load(v, rec + R_PARK) === PARKED,
        "N parked",
        30_000,
      );
      const N = Atomics.load(v, rec + R_IDENT);
      // e reuses b's slot (the owner's kept slot): the same MAIL value.
      Atomics.store(mail, 1, 1);
      const fe = pool.submit(id, 3);
      assert.equal(await stall(mail, 1), N);
      assert.equal(Atomics.load(v, rec + R_PARK), mailB, "the same MAIL");
      // S's CAS wins (ABA), with b's tag in hand; then N's fails.
      release(mail);
      await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
      release(mail);
      assert.equal(await within(fe, 10_000), 3);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  // Not fixed (on the base too); skipped, not todo: Node runs a todo
  // test, and a lost task keeps the file's process from ending.
  it(
    "S's takeMail stores landing on N's take from the queue, then N dies before its claim: the reclaim of N's record still puts the task back",
    {
      skip:
        "a stale thread's R_TAKE stores over the next thread's name (pool/_give_back.ts Left)",
    },
    async () => {
      const { mail, get, die, pool, b, v, rec } = armed();
      try {
        assert.equal(await within(pool.submit(id, 1)), 1);
        await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
        const S = Atomics.load(v, rec + R_IDENT);
        Atomics.store(mail, 0, 1);
        const fb = pool.submit(id, 2);
        assert.equal(await stall(mail, 0), S);
        const bSlot = Atomics.load(v, rec + R_PARK) - MAIL;
        const fd = pool.submit(id, 3);
        Atomics.store(get, 0, 1);
        Atomics.store(die, 0, 1); // N's first take: exit before the claim
        assert.ok(endIdent(S));
        await until(() => Atomics.load(get, 1) !== 0, "N's get", 30_000);
        const N = Atomics.load(get, 1);
        assert.notEqual(N, S);
        const dSlot = Atomics.load(v, rec + R_TAKE) - 1;
        assert.notEqual(dSlot, bSlot);
        assert.notEqual(
          tagOf(Atomics.load(v, b.slot(bSlot) + S_STATE)),
          Atomics.load(v, rec + R_TAG),
        );
        release(mail);
        await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
        Atomics.store(get, 2, 1);
        Atomics.notify(get, 2);
        await until(() => identStopped(N) !== undefined, "N's stop", 30_000);
        assert.deepEqual(await within(Promise.all([fb, fd]), 10_000), [2, 3]);
      } finally {
        await cleanup(mail, get, pool);
      }
    },
  );

  // Not fixed (on the base too); skipped, not todo: Node runs a todo
  // test, and a lost task keeps the file's process from ending.
  it(
    "ABA, and N's failing take clears TAKE before S's give-back: that task runs",
    {
      skip:
        "the MAIL value's ABA with the name cleared first (pool/_give_back.ts Left)",
    },
    async () => {
      const { mail, get, pool, v, rec } = armed();
      try {
        assert.equal(await within(pool.submit(id, 1)), 1);
        await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
        const S = Atomics.load(v, rec + R_IDENT);
        Atomics.store(mail, 1, 1);
        const fb = pool.submit(id, 2);
        assert.equal(await stall(mail, 0), S);
        const mailB = Atomics.load(v, rec + R_PARK);
        assert.ok(endIdent(S));
        assert.equal(await within(fb), 2);
        await until(
          () =>
            Atomics.load(v, rec + R_IDENT) > 0 &&
            Atomics.load(v, rec + R_IDENT) !== S &&
            Atomics.load(v, rec + R_PARK) === PARKED,
          "N parked",
          30_000,
        );
        const N = Atomics.load(v, rec + R_IDENT);
        Atomics.store(mail, 1, 1);
        Atomics.store(mail, 3, 1);
        const fe = pool.submit(id, 3);
        assert.equal(await stall(mail, 1), N);
        assert.equal(Atomics.load(v, rec + R_PARK), mailB, "the same MAIL");
        // S's CAS wins (ABA, b's tag in hand) and it stalls after.
        release(mail);
        assert.equal(await stall(mail, 2), S);
        // N's CAS fails: TAKE 0; it adopts the word and parks again.
        release(mail);
        await until(
          () => Atomics.load(v, rec + R_PARK) === PARKED,
          "N parked again",
          30_000,
        );
        // S's give-back.
        release(mail);
        await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
        assert.equal(await within(fe, 10_000), 3);
      } finally {
        await cleanup(mail, get, pool);
      }
    },
  );

  // Not fixed (on the base too); skipped, not todo: Node runs a todo
  // test, and a lost task keeps the file's process from ending.
  it(
    "N0's put as it is, then N's failing take's late name and N declared dead: the index is in the queue once",
    { skip: "a failing take's late name reclaimed (pool/_give_back.ts Left)" },
    async () => {
      const { mail, get, pool, v, rec, tasks } = armed();
      try {
        assert.equal(await within(pool.submit(id, 1)), 1);
        await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
        const S = Atomics.load(v, rec + R_IDENT);
        // S passes its looks and stalls before the take loop's load.
        Atomics.store(mail, 4, 1);
        const fb = pool.submit(id, 2);
        assert.equal(await stall(mail, 0), S);
        assert.ok(endIdent(S));
        assert.equal(await within(fb), 2);
        await until(
          () =>
            Atomics.load(v, rec + R_IDENT) > 0 &&
            Atomics.load(v, rec + R_IDENT) !== S &&
            Atomics.load(v, rec + R_PARK) === PARKED,
          "N parked",
          30_000,
        );
        const N = Atomics.load(v, rec + R_IDENT);
        // c's hand-off: N loads the MAIL and stalls before its stores.
        Atomics.store(mail, 0, 1);
        const fc = pool.submit(id, 3);
        assert.equal(await stall(mail, 1), N);
        // S takes it, finds its own name (N0) and puts c back as it is.
        release(mail);
        await until(() => identStopped(S) !== undefined, "S's stop", 30_000);
        // N's stores land (R_TAKE c + 1), its CAS fails; it stalls before
        // its clear and is declared dead.
        Atomics.store(mail, 2, 1);
        release(mail);
        assert.equal(await stall(mail, 2), N);
        // The next thread's first get stalls with the queue as the reclaim
        // of N's record left it.
        Atomics.store(get, 0, 1);
        assert.ok(endIdent(N));
        await until(() => Atomics.load(get, 1) !== 0, "N2's get", 30_000);
        const q = tasks.qsize();
        Atomics.store(get, 2, 1);
        Atomics.notify(get, 2);
        assert.equal(await within(fc, 10_000), 3);
        assert.equal(q, 1, "c's index in the queue once");
      } finally {
        await cleanup(mail, get, pool);
      }
    },
  );
});
