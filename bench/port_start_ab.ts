// Copyright 2026 the threadkit authors. MIT license.
// What a MessagePort in a Thread's args costs (_core/ports.ts), in
// alternating rounds in one process (bench/_ab.ts): a Thread started with
// args [{ n: 41 }] (an object: the trial structuredClone, the baseline), and
// one with args [{ n: 41, port }] (a fresh MessageChannel's end each start:
// the move through the starter's own channel, then the transfer). Two
// figures per side: start() to the joined result (a cold worker, on the
// same path for both sides: a web Worker on Deno, no spares), and the
// start() call alone (where the move is); then the check alone, and a start
// on a ready spare.
//
//   deno run -A bench/port_start_ab.ts [reps]
import process from "node:process";
import { Thread } from "../mod.ts";
import { compare, type Side } from "./_ab.ts";

const reps = Number(process.argv[2] ?? 7);
const N = 4;
const target = (a: { n: number; port?: MessagePort }) => {
  a.port?.close();
  return a.n + 1;
};

function side(name: string, withPort: boolean, call: number[]): Side {
  return {
    name,
    start() {
      return Promise.resolve({
        round: async (n: number) => {
          for (let i = 0; i < n; i++) {
            const c = withPort ? new MessageChannel() : undefined;
            const arg = c === undefined ? { n: 41 } : { n: 41, port: c.port2 };
            const t = new Thread({ target, args: [arg] });
            const t0 = performance.now();
            t.start();
            call.push(performance.now() - t0);
            if (await t.joinAsync({ timeout: 60_000 }) !== 42) {
              throw new Error("bad");
            }
            c?.port1.close();
          }
          return n;
        },
        stop: () => Promise.resolve(),
      });
    },
  };
}

const { sparesTaken } = await import("../_core/spare.ts");
const calls: number[][] = [[], []];
const [a, b] = await compare(
  [
    side("object + port", true, calls[0]),
    side("object", false, calls[1]),
  ],
  N,
  reps,
  1,
);
const med = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1];
};
const us = (ns: number) => (ns / 1000).toFixed(0);
console.log(
  `start to result: ${a.name} ${us(a.nsPerOp)} us, ${b.name} ${
    us(b.nsPerOp)
  } us, ratio ${(a.nsPerOp / b.nsPerOp).toFixed(3)}`,
);
console.log(`(spares taken in those starts: ${sparesTaken()})`);
const [ca, cb] = calls.map(med);
console.log(
  `start() call: ${a.name} ${(ca * 1000).toFixed(0)} us, ${b.name} ${
    (cb * 1000).toFixed(0)
  } us, ratio ${(ca / cb).toFixed(3)}`,
);

// The check alone, where the cost is: the trial structuredClone (sendable)
// of args without a port, against what thread/_start.ts does for args with
// one (the trial clone fails, the walk finds the port, movePorts posts the
// args with the port listed on its kept channel and reads them back).
const { movePorts, portsIn } = await import("../_core/ports.ts");
const { sendable } = await import("../thread/_types.ts");
const checks: number[][] = [[], []];
for (let rep = 0; rep < 9 * reps; rep++) {
  for (const k of rep % 2 === 0 ? [0, 1] : [1, 0]) {
    const M = 200;
    const cs = Array.from({ length: M }, () => new MessageChannel());
    const t0 = performance.now();
    for (const c of cs) {
      const args = [{ n: 41, port: c.port2 }];
      if (k === 1) sendable("t", [{ n: 41 }]);
      else {
        try {
          sendable("t", args);
        } catch {
          movePorts("t", args, portsIn(args)).ports[0].close();
        }
      }
    }
    checks[k].push((performance.now() - t0) * 1000 / M);
    for (const c of cs) c.port1.close(), k === 1 && c.port2.close();
  }
}
const [ma, mb] = checks.map(med);
console.log(
  `check: trial clone fails + walk + move ${ma.toFixed(1)} us, trial clone ${
    mb.toFixed(1)
  } us, ratio ${(ma / mb).toFixed(1)}`,
);

// On a ready spare (the wait for it untimed): start() to the joined result.
// Both records are posted on the spare's port (an object arg never goes
// through the spare's block, _core/spare_block.ts); the port side adds the
// failed trial clone, the move and the port's transfer.
const { prestartThreads } = await import("../mod.ts");
const spare: number[][] = [[], []];
for (let rep = 0; rep < 4 * reps; rep++) {
  for (const k of rep % 2 === 0 ? [0, 1] : [1, 0]) {
    const until = performance.now() + 60_000;
    while (prestartThreads(1) < 1 && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const c = k === 0 ? new MessageChannel() : undefined;
    const arg = c === undefined ? { n: 41 } : { n: 41, port: c.port2 };
    const t = new Thread({ target, args: [arg] });
    const t0 = performance.now();
    t.start();
    if (await t.joinAsync({ timeout: 60_000 }) !== 42) throw new Error("bad");
    spare[k].push(performance.now() - t0);
    c?.port1.close();
  }
}
prestartThreads(0);
const [sa, sb] = spare.map(med);
console.log(
  `spare start to result: object + port ${(sa * 1000).toFixed(0)} us, object ${
    (sb * 1000).toFixed(0)
  } us, ratio ${(sa / sb).toFixed(3)}`,
);
