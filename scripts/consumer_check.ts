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
import {
  type ExceptHookArgs,
  getNativeId,
  local,
  Queue,
  type RWLock,
  SimpleQueue,
  Timer,
} from "threadkit";
import { RWLock as RWLockFromSubpath } from "threadkit/sync/rw-lock";
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

// Issue 15's additions: withLock forms, RWLock, local, unbounded queues,
// SimpleQueue, thread attributes.
const fromWith: number = lock.withLock(() => 1);
const fromWithAsync: Promise<string> = rlock.withLockAsync(() =>
  Promise.resolve("x")
);
const rw: RWLock = new RWLockFromSubpath();
const readers: number = rw.withReadLock(() => rw.readers, { timeout: 10 });
const wrote: Promise<boolean> = rw.withWriteLockAsync(() => rw.writeLocked());
const state: { hits: number } = local({ hits: 0 });
const unbounded = new Queue<number>({ type: "int32", maxCapacity: 4096 });
const python = new Queue<string>(); // Python's Queue(): unbounded
const simple = new SimpleQueue<{ id: number }>({ initialCapacity: 16 });
simple.put({ id: 1 });
const fromSimple: Promise<{ id: number }> = simple.getAsync({ timeout: 10 });
const timer = new Timer(10, (a: number) => a, [1]);
const interval: number = timer.interval + (timer.finished ? 1 : 0);
sum.daemon = true;
const native: number | undefined = getNativeId();
setExcepthook((args: ExceptHookArgs) => {
  console.error(args.excType, args.excValue, args.excTraceback);
});
export {
  fromSimple,
  fromWith,
  fromWithAsync,
  interval,
  native,
  python,
  readers,
  state,
  unbounded,
  wrote,
};

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
