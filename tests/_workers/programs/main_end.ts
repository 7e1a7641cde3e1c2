// Copyright 2026 the threadkit authors. MIT license.
// The main thread ends when its code is done (its event loop has nothing
// left to do), and the process then waits for the non-daemon threads
// (Python's threading._shutdown; CPython's ThreadJoinOnShutdown test).
// argv[2] says what to run:
// - join / join-async: a non-daemon thread joins mainThread() (blocking, or
//   with joinAsync) and reports what it saw; the process exits when it ends.
// - work-after: the thread joins the main thread, then works on; the process
//   waits for it.
// - daemon: a daemon thread joins the main thread; the process exits at the
//   main thread's end without waiting for it.
// - late-timer: the main thread's code goes on in a timer after the thread
//   started; the main thread ends only after the timer ran.
// - throw: the main thread throws while a non-daemon thread waits for it: the
//   process fails at once (exit code 1), as before.
// - exit-code: the main thread sets an exit code; the thread that joins it
//   ends normally, and the process exits with that code.
// - spare: as work-after, on a spare worker (prestartThreads): a spare is
//   unref'd until taken, and the main thread's non-daemon thread on it
//   follows the main thread's rule (unref'd while its code runs, ref'd when
//   its loop runs dry), so the main thread ends and the process waits.
import process from "node:process";
import {
  currentThread,
  enumerate,
  mainThread,
  prestartThreads,
  Thread,
} from "../../../mod.ts";

const how = process.argv[2];

// Sent as source: mainThread and enumerate are in its scope there.
async function joinMain(mode: string): Promise<void> {
  const main = mainThread();
  const ended = mode === "join-async"
    ? await main.joinAsync({ timeout: 120_000 }).then(() => true, () => false)
    : main.join({ timeout: 120_000 });
  const idents = enumerate().map((t) => t.ident).join(",");
  console.log(`joined ${ended}, main alive ${main.isAlive()}, ${idents}`);
  if (mode === "work-after" || mode === "spare") {
    // Works on after the main thread's end: the process waits for it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    console.log("thread done");
  }
}

if (how === "spare") {
  // Wait (bounded) until both spares are ready, so the thread takes one.
  prestartThreads(2);
  const until = performance.now() + 30_000;
  while (prestartThreads(2) < 2 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
}
const t = new Thread({
  target: joinMain,
  args: [how],
  name: "joiner",
  daemon: how === "daemon",
});
t.start();
if (how === "spare") {
  // Both were ready and none is replaced yet: the thread took one.
  console.log(`ready after start ${prestartThreads(2)}`);
}
if (how === "late-timer") {
  setTimeout(() => console.log("main timer"), 300);
} else if (how === "throw") {
  throw new Error("main failed");
} else if (how === "exit-code") {
  process.exitCode = 3;
} else if (how === "join") {
  // After the main thread's end (the thread's line comes first).
  process.on("exit", () => {
    const current = currentThread();
    console.log(
      `exit: current ${current.name} ${current.ident}, main alive ${mainThread().isAlive()}`,
    );
  });
}
console.log(`main done, main alive ${mainThread().isAlive()}`);
