// Copyright 2026 the threadkit authors. MIT license.
// A program: a Condition over a Lock or an RLock (held 3 deep), wait({
// timeout: 0 }) called `warm` times at a shallow depth (args[1]; few
// enough that V8 has not optimized the wait's code yet: a program that
// waits rarely), then swept once over the stack's end. After each attempt
// that threw, the lock must be held as before and the condition's WAITERS
// and PERMITS at 0. Prints one JSON line.
import { Condition, Lock, RLock } from "../../mod.ts";
import { currentIdent } from "../../_core/runtime.ts";
import { sweep } from "../queue/_stack_end.ts";

const g = globalThis as unknown as {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const kind = argv[0] === "RLock" ? "RLock" : "Lock";
const warm = Number(argv[1] ?? 20);
// Attempts from the deepest that throw without waiting: the sweep's first
// wait is made that many frames higher (one sweep per value up to args[2]).
const skips = Number(argv[2] ?? 1);
const HOLDER = 0x3fffffff, LEVEL = kind === "RLock" ? 3 : 1;

const buffer = new SharedArrayBuffer(64);
const lock = kind === "Lock"
  ? new Lock({ buffer, byteOffset: 0 })
  : new RLock({ buffer, byteOffset: 0 });
const cond = new Condition(lock, { buffer, byteOffset: 32 });
const lw = new Int32Array(buffer, 0, 3), cw = new Int32Array(buffer, 32, 3);
for (let i = 0; i < LEVEL; i++) lock.acquire();
// args[4] "opt" (with --allow-natives-syntax): after the warm-up, the
// wait's own functions are optimized (V8 %OptimizeFunctionOnNextCall), as a
// long-running program's are, before the sweep.
const natives = argv[4] === "opt" || argv[4] === "maglev";
const prep = natives
  ? new Function("f", "%PrepareFunctionForOptimization(f)") as (
    f: unknown,
  ) => void
  : undefined;
const opt = natives
  ? new Function(
    "f",
    argv[4] === "maglev"
      ? "%OptimizeMaglevOnNextCall(f)"
      : "%OptimizeFunctionOnNextCall(f)",
  ) as (f: unknown) => void
  : undefined;
const fns: unknown[] = [];
if (natives) {
  const { waitHeld } = await import("../../sync/_reacquire.ts");
  fns.push(waitHeld, Condition.prototype.wait, lock.release, lock.acquire);
  if (kind === "RLock") fns.push((lock as RLock).releaseAll);
  for (const f of fns) prep!(f);
}
if (argv[5] !== "interleave") {
  for (let i = 0; i < warm; i++) cond.wait({ timeout: 0 });
}
if (natives) {
  for (const f of fns) opt!(f);
  cond.wait({ timeout: 0 });
}
const me = currentIdent();
let attempts = 0, bad = 0, returned = 0, others = 0;
const badAt: number[] = [];
let lastErr: unknown, badErr: unknown;
// args[5] = "interleave": the warm-up is spread, warm / skips shallow
// waits before each sweep, so V8's tier changes land between and during
// the sweeps.
const interleave = argv[5] === "interleave";
for (let skip = 0; skip < skips; skip++) {
  if (interleave) {
    for (let i = 0; i < warm / skips; i++) cond.wait({ timeout: 0 });
  }
  let first = true, broken = false, n = 0;
  sweep(() => {
    if (broken) return;
    if (n++ < skip) throw new RangeError("skip");
    if (!first) {
      const held = (Atomics.load(lw, 0) & HOLDER) === me &&
        (kind === "Lock" || (lw[1] === me && lw[2] === LEVEL));
      if (!held || Atomics.load(cw, 1) !== 0 || Atomics.load(cw, 2) !== 0) {
        bad++;
        if (badAt.length < 10) badAt.push(skip);
        badErr ??= lastErr;
        broken = true;
        return;
      }
    }
    first = false;
    attempts++;
    try {
      cond.wait({ timeout: 0 });
    } catch (e) {
      lastErr = e;
      if (!(e instanceof RangeError)) {
        others++;
        broken = true;
        return;
      }
      throw e;
    }
    returned++;
  });
  if (broken) {
    // put it back: held at LEVEL, no waiter
    Atomics.store(cw, 1, 0);
    Atomics.store(cw, 2, 0);
    if ((Atomics.load(lw, 0) & HOLDER) !== me) {
      Atomics.store(lw, 0, 0);
      lw[1] = 0;
      lw[2] = 0;
      for (let i = 0; i < LEVEL; i++) lock.acquire();
    } else if (kind === "RLock") {
      lw[1] = me;
      lw[2] = LEVEL;
    }
  }
}
console.log(JSON.stringify({
  kind,
  warm,
  attempts,
  bad,
  returned,
  others,
  badAt,
  lock: [lw[0], lw[1], lw[2]],
  cond: [cw[0], cw[1], cw[2]],
  me,
}));
if (badErr !== undefined && argv[3] === "stack") {
  console.error(
    String((badErr as Error).stack).split("\n").slice(0, 8).join("\n"),
  );
}
