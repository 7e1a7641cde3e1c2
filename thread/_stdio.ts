// Copyright 2026 the threadkit authors. MIT license.
// A thread's standard output and error on Node and Bun: written by the thread
// itself, to the process's file descriptors 1 and 2, before the write
// returns, as a Python thread's print is.
//
// Node's node:worker_threads worker sends what it writes to stdout and
// stderr to its parent as port messages, which the parent writes from its
// event loop; and it sends one write at a time: the next waits, buffered in
// the worker, for the parent's reply, which the worker reads only from its
// own event loop. A threadkit thread blocks between tasks without returning
// to its event loop (a pool thread waiting for its next task, a thread in a
// blocking wait), and a daemon worker does not hold the process. Measured
// (Node 20.20.2): a pool task that logged three lines showed the first
// only, and the process, once its Future settled, exited without the other
// two; a Thread that logged three lines showed two of them after its
// join returned; and the first line itself is a message the parent may not
// read before it exits (a task's "apple" missing from a program that ended
// as its Future settled: tests/cpython/concurrent_futures_test.ts,
// test_interpreter_shutdown, once in a CI run).
// So the worker's two streams write their chunks with fs.writeSync, all of
// each, before their callback: a write that returned is in the file, pipe
// or terminal, and output keeps the order in which the threads wrote it. A
// pipe that the process's main thread made non-blocking (libuv does, for
// its stdout) refuses a write while full (EAGAIN): the thread waits 1 ms
// and writes again, as a blocking write would wait. Other errors go to the
// stream's callback, as a failed write of the main thread's stdout does
// (console.log ignores them there and here: a closed pipe ends no thread).
//
// The main thread's side (Node). Its process.stdout on a pipe is a libuv
// stream that libuv made non-blocking: a write larger than the pipe's room
// writes what fits and queues the rest, which only the main thread's event
// loop writes later. A thread's direct write made meanwhile (the main thread
// blocked in a join, a result(), a blocking get) went into the pipe ahead
// of that rest: inside the main thread's line, cut in two (measured, Node
// 20.20.2: a 1 MiB line, then a thread's "T" inside it after 65,536 bytes).
// So when this module loads in the process's main thread, its stdout and
// stderr handles are made blocking (libuv's setBlocking: a write returns
// once all of it is in the pipe), as Node makes them for a terminal and a
// file, and as Python's print is: a write that returned comes before any
// later one, the threads' included. A program writing to a pipe whose
// reader is slow waits in its write, where it queued before. In a worker
// the streams have no such handle (nothing to do), and neither does a file
// (written synchronously already). Bun's main thread interleaves its own
// queued writes (measured, Bun 1.4.4): not changed here. Deno writes
// synchronously.
// Bun 1.4.4 does the same (its worker's writes reach the parent's stdout
// from the parent's event loop): the same lines came after the join's
// "done", and the pool task's all but the first were lost. Deno's workers
// write to the descriptors themselves: left as they are.

import { host } from "../_core/host.ts";

interface Chunk {
  chunk: unknown;
  encoding: string;
}
type Done = (error?: unknown) => void;
interface WorkerStdio {
  _write(chunk: unknown, encoding: string, cb: Done): void;
  _writev(chunks: Chunk[], cb: Done): void;
}
interface NodeFs {
  writeSync(fd: number, b: Uint8Array, at: number, n: number): number;
}
interface NodeBuffer {
  from(text: string, encoding: string): Uint8Array;
}
interface NodeProcess {
  stdout?: WorkerStdio & MainStdio;
  stderr?: WorkerStdio & MainStdio;
  getBuiltinModule(id: string): unknown;
}
interface MainStdio {
  _handle?: { setBlocking?(on: boolean): unknown } | null;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Makes this node:worker_threads worker's process.stdout and
 * process.stderr write synchronously to descriptors 1 and 2 (Node, Bun).
 */
export function writeStdioDirectly(): void {
  const proc = host.process as unknown as NodeProcess;
  const fs = proc.getBuiltinModule("node:fs") as NodeFs;
  const { Buffer } = proc.getBuiltinModule("node:buffer") as {
    Buffer: NodeBuffer;
  };
  const direct = (stream: WorkerStdio | undefined, fd: number): void => {
    if (stream === undefined) return;
    const write = (chunk: unknown, encoding: string): void => {
      const b = typeof chunk === "string"
        ? Buffer.from(chunk, encoding)
        : chunk as Uint8Array;
      for (let at = 0; at < b.length;) {
        try {
          at += fs.writeSync(fd, b, at, b.length - at);
        } catch (error) {
          if ((error as { code?: unknown }).code !== "EAGAIN") throw error;
          Atomics.wait(pause, 0, 0, 1); // a full non-blocking pipe
        }
      }
    };
    stream._writev = (chunks, cb) => {
      try {
        for (const c of chunks) write(c.chunk, c.encoding);
      } catch (error) {
        cb(error);
        return;
      }
      cb();
    };
    stream._write = (chunk, encoding, cb) =>
      stream._writev([{ chunk, encoding }], cb);
  };
  direct(proc.stdout, 1);
  direct(proc.stderr, 2);
}

/**
 * Makes the process's main thread's stdout and stderr handles blocking
 * (Node: pipes and sockets; see "The main thread's side" above). No-op where
 * a stream has no such handle (a worker's, a file's).
 */
export function blockingMainStdio(): void {
  const proc = host.process as unknown as NodeProcess;
  proc.stdout?._handle?.setBlocking?.(true);
  proc.stderr?._handle?.setBlocking?.(true);
}
