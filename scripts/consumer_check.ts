// Copyright 2026 the threadkit authors. MIT license.
// A TypeScript consumer of the npm package, type-checked (never run) by
// scripts/ci_node.sh against the built .d.ts: strict, no skipLibCheck,
// Node's types, lib ES2022. It imports "threadkit" as an npm user does; the
// CI script adds a generated file that imports every subpath of the
// package's exports. A type error here means the published types are wrong.
import {
  activeCount,
  CancelledError,
  currentThread,
  getIdent,
  type Guard,
  type Lock,
  moduleTarget,
  RLock,
  RuntimeError,
  setExcepthook,
  spawn,
  Thread,
  TimeoutError,
} from "threadkit";
import { Lock as LockFromSubpath } from "threadkit/sync/lock";
import { Thread as ThreadFromSubpath } from "threadkit/thread/thread";

const lock: Lock = new LockFromSubpath();
const acquired: boolean = lock.acquire({ timeout: 10 });
if (acquired) lock.release();
const locked: boolean = lock.locked();
const guard: Guard = lock.guard();
guard[Symbol.dispose]();

const rlock = new RLock();
const gotAsync: Promise<boolean> = rlock.acquireAsync({
  signal: AbortSignal.timeout(100),
});

// A function target: args and result are typed from the function.
const sum = new Thread({
  target: (a: number, b: number) => a + b,
  args: [1, 2],
  name: "sum",
  daemon: false,
});
sum.start();
const joined: boolean = sum.join({ timeout: 1_000 });
const total: Promise<number> = sum.joinAsync({ timeout: 1_000 });
const result: number | undefined = sum.result;
const ident: number | undefined = sum.ident;

// A module target typed by the function it names.
declare function work(n: number, lock: Lock): Promise<string>;
const moduleThread = new ThreadFromSubpath({
  target: moduleTarget<typeof work>(new URL("./work.js", import.meta.url), "w"),
  args: [3, lock],
});
const text: Promise<string> = moduleThread.joinAsync();

const spawned: Thread<(s: string) => number> = spawn(
  (s: string) => s.length,
  "abc",
);

setExcepthook(({ error, thread }) => {
  console.error(thread.name, error);
});
const me: Thread = currentThread();
const n: number = activeCount() + getIdent();
const errors: Error[] = [
  new RuntimeError("x"),
  new CancelledError("x"),
  new TimeoutError("x"),
];

// @ts-expect-error: args must match the target's parameters.
new Thread({ target: (a: number) => a, args: ["not a number"] });
// @ts-expect-error: a timeout is a number of milliseconds.
lock.acquire({ timeout: "1s" });

export {
  acquired,
  errors,
  gotAsync,
  joined,
  locked,
  me,
  n,
  result,
  spawned,
  text,
  total,
};
export { ident };
