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
  R_TAKE,
  S_STATE,
  tagOf,
} from "../../pool/_layout.ts";
import { PARKED } from "../../pool/_park.ts";
import { mailSlot, takeName } from "../../pool/_names.ts";
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
  await until(() => Atomics.load(mail, 8) > k, `stall ${k}`, 120_000);
  return Atomics.load(mail, 9 + k);
}
// Lets the next stall (in order) go on.
function release(mail: Int32Array): void {
  Atomics.add(mail, 5, 1);
  Atomics.notify(mail, 5);
}
const id = (x: number) => x;

type Armed = ReturnType<typeof armed>;

// S, the record's first thread, runs a first task and parks; b's hand-off
// wakes it, and its take stalls at step `at` (_hooks.ts stallInTakeMail).
async function staleS(
  t: Armed,
  at: number,
): Promise<{ S: number; fb: PromiseLike<number> }> {
  const { mail, pool, v, rec } = t;
  assert.equal(await within(pool.submit(id, 1)), 1);
  await until(() => Atomics.load(v, rec + R_PARK) === PARKED, "S parked");
  const S = Atomics.load(v, rec + R_IDENT);
  Atomics.store(mail, at, 1);
  const fb = pool.submit(id, 2);
  assert.equal(await stall(mail, 0), S);
  return { S, fb };
}

// S declared dead: the reclaim requeues b, frees the record, and the next
// thread N starts there, runs b and parks. Returns N.
async function nextParked(
  t: Armed,
  S: number,
  fb: PromiseLike<number>,
): Promise<number> {
  const { v, rec } = t;
  assert.ok(endIdent(S));
  assert.equal(await within(fb), 2);
  await until(
    () =>
      Atomics.load(v, rec + R_IDENT) > 0 &&
      Atomics.load(v, rec + R_IDENT) !== S &&
      Atomics.load(v, rec + R_PARK) === PARKED,
    "N parked",
    120_000,
  );
  return Atomics.load(v, rec + R_IDENT);
}

// A task (3) handed off to N, whose take stalls at step `at` (the next
// stall in order).
async function mailToN(
  t: Armed,
  at: number,
  N: number,
): Promise<{ f: PromiseLike<number> }> {
  Atomics.store(t.mail, at, 1);
  const f = t.pool.submit(id, 3);
  assert.equal(await stall(t.mail, 1), N);
  return { f }; // (a Future returned bare would be awaited here)
}

// The first stall (S's) goes on; S stops.
async function goesOnAndStops(mail: Int32Array, S: number): Promise<void> {
  release(mail);
  await until(() => identStopped(S) !== undefined, "S's stop", 120_000);
}

// A MAIL value of the slot of `was`, under another task's tag.
function sameSlotOtherMail(b: Block, now: number, was: number): void {
  assert.equal(mailSlot(b.l.slots, now), mailSlot(b.l.slots, was));
  assert.notEqual(now, was, "the MAIL values differ");
}

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
  it("RISK 2: S, past its looks, loads N's hand-off: its name's CAS fails (the record is N's), it takes nothing, and N runs the task", async () => {
    const t = armed(), { mail, get, pool, v, rec } = t;
    try {
      // Woken by b's hand-off, S passes its looks (IDENT still its) and
      // stalls before the take loop's load.
      const { S, fb } = await staleS(t, 4);
      // Declared dead: the reclaim requeues b, frees the record, and N
      // starts there and runs b, then parks.
      const N = await nextParked(t, S, fb);
      // c's hand-off to N: N's take names it (TAKE) and stalls before its
      // CAS.
      const { f: fc } = await mailToN(t, 1, N);
      // S loads the MAIL; its name's CAS (from its own generation) fails:
      // it takes nothing and leaves (before, its CAS took N's hand-off).
      const named = Atomics.load(v, rec + R_TAKE);
      await goesOnAndStops(mail, S);
      assert.equal(Atomics.load(v, rec + R_TAKE), named, "N's name kept");
      // N's CAS wins.
      release(mail);
      assert.equal(await within(fc, 120_000), 3);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  it("S's take, its MAIL loaded before the reuse, against N's take from the queue: its name's CAS fails, N still runs its task", async () => {
    const t = armed(), { mail, get, pool, b, v, rec } = t;
    try {
      // S's take of b's hand-off stalls at takeMail's start (the MAIL
      // loaded, nothing written).
      const { S, fb } = await staleS(t, 0);
      const bSlot = mailSlot(b.l.slots, Atomics.load(v, rec + R_PARK));
      // d is queued (the word reads MAIL); N's first get stalls after its
      // record names d (R_TAKE).
      const fd = pool.submit(id, 3);
      Atomics.store(get, 0, 1);
      assert.ok(endIdent(S));
      await until(() => Atomics.load(get, 1) !== 0, "N's get", 120_000);
      const N = Atomics.load(get, 1);
      assert.notEqual(N, S);
      const dSlot = takeName(b.l.slots, Atomics.load(v, rec + R_TAKE)) - 1;
      assert.notEqual(dSlot, bSlot);
      // (The two tasks' tags differ: b's slot served a before.)
      assert.notEqual(
        tagOf(Atomics.load(v, b.slot(bSlot) + S_STATE)),
        tagOf(Atomics.load(v, b.slot(dSlot) + S_STATE)),
      );
      // S goes on: its name's CAS fails (N's name there): it writes nothing.
      await goesOnAndStops(mail, S);
      Atomics.store(get, 2, 1);
      Atomics.notify(get, 2);
      assert.deepEqual(await within(Promise.all([fb, fd]), 120_000), [2, 3]);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  it("ABA: S stalled before its CAS while the slot's next task is mailed to N: the MAIL value differs by the tag, S's CAS fails, that task runs", async () => {
    const t = armed(), { mail, get, pool, b, v, rec } = t;
    try {
      // S's take of b's hand-off stalls before its CAS (named in TAKE).
      const { S, fb } = await staleS(t, 1);
      const mailB = Atomics.load(v, rec + R_PARK);
      const N = await nextParked(t, S, fb);
      // e reuses b's slot (the owner's kept slot): the same slot, mailed
      // under e's tag (a different MAIL value).
      const { f: fe } = await mailToN(t, 1, N);
      sameSlotOtherMail(b, Atomics.load(v, rec + R_PARK), mailB);
      // S's CAS fails; it leaves; N's wins.
      await goesOnAndStops(mail, S);
      release(mail);
      assert.equal(await within(fe, 120_000), 3);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  it(
    "S's take against N's take from the queue, then N dies before its claim: the reclaim of N's record still puts the task back",
    async () => {
      const t = armed(), { mail, get, die, pool, b, v, rec } = t;
      try {
        const { S, fb } = await staleS(t, 0);
        const bSlot = mailSlot(b.l.slots, Atomics.load(v, rec + R_PARK));
        const fd = pool.submit(id, 3);
        Atomics.store(get, 0, 1);
        Atomics.store(die, 0, 1); // N's first take: exit before the claim
        assert.ok(endIdent(S));
        await until(() => Atomics.load(get, 1) !== 0, "N's get", 120_000);
        const N = Atomics.load(get, 1);
        assert.notEqual(N, S);
        const dSlot = takeName(b.l.slots, Atomics.load(v, rec + R_TAKE)) - 1;
        assert.notEqual(dSlot, bSlot);
        assert.notEqual(
          tagOf(Atomics.load(v, b.slot(bSlot) + S_STATE)),
          tagOf(Atomics.load(v, b.slot(dSlot) + S_STATE)),
        );
        await goesOnAndStops(mail, S);
        Atomics.store(get, 2, 1);
        Atomics.notify(get, 2);
        await until(() => identStopped(N) !== undefined, "N's stop", 120_000);
        assert.deepEqual(await within(Promise.all([fb, fd]), 120_000), [2, 3]);
      } finally {
        await cleanup(mail, get, pool);
      }
    },
  );

  it("ABA, and N's take before S's give-back: S's CAS fails on the MAIL value of the slot's next task, N runs it while S still stalls", async () => {
    const t = armed(), { mail, get, pool, b, v, rec } = t;
    try {
      const { S, fb } = await staleS(t, 1);
      const mailB = Atomics.load(v, rec + R_PARK);
      const N = await nextParked(t, S, fb);
      Atomics.store(mail, 1, 1);
      const { f: fe } = await mailToN(t, 2, N);
      sameSlotOtherMail(b, Atomics.load(v, rec + R_PARK), mailB);
      // S's CAS fails (before, it won with b's tag in hand, and N's failed
      // take cleared the name S's give-back looked for): it stalls after.
      release(mail);
      assert.equal(await stall(mail, 2), S);
      // N's CAS wins: it runs e while S still stalls.
      release(mail);
      assert.equal(await within(fe, 120_000), 3);
      // S's clear of its name fails (the record is N's); it leaves.
      await goesOnAndStops(mail, S);
    } finally {
      await cleanup(mail, get, pool);
    }
  });

  it("a failing take's late name: N, stalled after its load of a MAIL, is declared dead; its name's CAS fails, and the index is in the queue once", async () => {
    const t = armed(), { mail, get, pool, v, rec, tasks } = t;
    try {
      // S passes its looks and stalls before the take loop's load.
      const { S, fb } = await staleS(t, 4);
      const N = await nextParked(t, S, fb);
      // c's hand-off: N loads the MAIL and stalls before its name.
      const { f: fc } = await mailToN(t, 0, N);
      const mailC = Atomics.load(v, rec + R_PARK);
      // S loads it too; its name's CAS fails (before, it took c and put it
      // back as it was, N0): it leaves, the hand-off still N's.
      await goesOnAndStops(mail, S);
      assert.equal(Atomics.load(v, rec + R_PARK), mailC, "c still mailed");
      // N declared dead: the reclaim of its record takes c back from the
      // word; the next thread's first get stalls with the queue as the
      // reclaim left it.
      Atomics.store(get, 0, 1);
      assert.ok(endIdent(N));
      await until(() => Atomics.load(get, 1) !== 0, "N2's get", 120_000);
      // N's name's CAS fails (reclaimed): it names and takes nothing.
      release(mail);
      await until(() => identStopped(N) !== undefined, "N's stop", 120_000);
      const q = tasks.qsize();
      Atomics.store(get, 2, 1);
      Atomics.notify(get, 2);
      assert.equal(await within(fc, 120_000), 3);
      assert.equal(q, 1, "c's index in the queue once");
    } finally {
      await cleanup(mail, get, pool);
    }
  });
});
