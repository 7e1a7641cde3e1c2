// Copyright 2026 the threadkit authors. MIT license.
// Shared memory in task args and results: a SharedArrayBuffer, or a view
// over one (a typed array, a DataView), at any depth of a task's args,
// reaches the pool thread over the same memory, as it does a Thread's.
//
// A slot carries bytes (pool/_payload.ts), and a SharedArrayBuffer reaches
// another thread only inside a message. So the slot names each buffer by a
// number (queue/_tagged.ts "sv"; a view is tagged as a view over that
// number, with its kind, byteOffset and length, or length -1 when it
// tracks a growable buffer's length, queue/_shared_names.ts
// lengthTracking, so that it arrives tracking it as a Thread arg does),
// and the buffer itself reaches the pool thread in a message, before the
// task:
//
// | number  | the buffer                   | who may name it  | how it reaches a pool thread |
// |---------|------------------------------|------------------|------------------------------|
// | -1 - i  | the i-th buffer of initArgs  | any submitter    | its start message            |
// | id >= 0 | registered by home           | home only        | start message, or posted     |
// | id >= 0 | registered by a holder       | that holder only | the same, over its mesh (_mesh.ts) |
//
// initArgs (i < 0). The buffers of initArgs in a fixed walk order (depth
// first: arrays, plain objects, Maps, Sets, views), found in the
// transfer-encoded initArgs the executor carries. Another thread's copy of
// the executor came in a message, with its initArgs: a buffer the program
// sent in that message arrives there as the same object, so it is found by
// identity, in the same walk order. Home gives the list to each pool thread
// at its start.
//
// A holder is a thread the executor reached in a Thread's args: it
// registers its own buffers as home does, over channels to every pool
// thread and to home (_mesh.ts, which says how they are made, bounded and
// kept in step with pool threads started later); numbers come from one
// counter word (_layout.ts IDS). What follows is home's side.
//
// Registered (id >= 0). Only the executor's home thread starts pool threads
// and holds each one's result port (the channel made at its start, whose
// other end the pool thread was sent in its start message; thread/_start.ts,
// _core/host.ts resultPort). The first task that names a buffer registers
// it: home posts { add: id, buffer } on the port of every pool thread it
// started and has not collected, and a pool thread started later gets every
// registered buffer in its start args (one thread, home: a registration and
// a start never interleave). A pool thread that meets an id it does not
// know reads its port (receiveMessageOnPort, _core/adapter.ts takeMessage)
// until it has it. Why it is there: home posted before it published the
// task (the queue put or the hand-off, a seq-cst Atomics write the pool
// thread's take reads); on Node, Deno and Bun postMessage puts the message
// in the receiving port's queue before it returns (Node: under the port's
// mutex; Deno: an unbounded channel's send; Bun: measured, 0 misses in
// 20,000 posts each read once by a receiver spinning on a word stored after
// the post; the same property the result port's outcome relies on,
// _core/adapter.ts messageReady), and
// receiveMessageOnPort takes from that queue. The pool thread never listens
// on that port (it posts its outcome there at its end), so no event loop
// takes a message first: a pool thread on a spare read its start record
// off the same port with receiveMessageOnPort too (thread/_spare.ts, which
// sets no onmessage; tests/thread/spare_start_test.ts forces a record that
// comes late). Tested on each runtime (tests/pool/shared_args_test.ts).
//
// Lifetime. Home counts, per registered buffer, the tasks submitted that
// name it whose Futures have not settled. At 0 the entry is kept idle (so
// tasks one at a time over one buffer register it once), up to KEEP idle
// entries per executor: beyond, the least recently named goes, and home
// posts { drop: id } to every pool thread. A pool thread reads its port at
// every task that names a buffer, so it forgets a dropped buffer at its
// next such task. Home's table is bounded (tasks in flight plus KEEP); so
// is, between tasks, what a pool thread's port holds unread (each add
// holds its buffer), by a count: home adds 1 to the thread's DRAIN word
// (_layout.ts R_DRAIN) after each post (_started.ts post; a holder's
// posts count too, _mesh.ts), the thread subtracts what each drain read
// (so the word is exact: a reset by the thread would lose a post that
// lands between its last read and the reset). From DRAIN_AT (32) unread,
// home wakes the thread if it is parked, and a thread about to sleep
// drains first (_park.ts posted and park: the argument is there), and a
// thread reads its port at each claim of a task when DRAIN > 0 (_thread.ts:
// one load per task; a read only when posts came). So a thread holds
// fewer than DRAIN_AT posts between tasks, fed from the queue or parked,
// whatever its tasks name. Inside one task it reads none (a port is read
// by its own thread only, and a task that names no buffer never asks), so
// home bounds that too: an add for a thread still in the task it was in at
// home's previous add to it (READY carries a value per task), that holds
// DRAIN_AT unread posts (plus the registered buffers tasks in flight name,
// #named, up to STALE_ALLOW), is not posted; home marks the thread stale
// instead, posts it nothing more, and starts its replacement at once (its
// start args carry the whole table and the holders' channels), while home
// runs: a stale thread whose next task named a buffer registered meanwhile
// would wait for home, which may be blocked on that very task, so a stale
// thread takes no further task. It leaves when its task ends (_stale.ts:
// the words, the states, each way it ends, the bound, what maxWorkers
// means meanwhile). So a pool thread in one task holds at most
// DRAIN_AT + STALE_ALLOW + 1 of home's adds (DRAIN_AT + 1 with nothing in
// flight), a burst in flight or not; a holder's posts to it count
// but do not mark (home's next add does). One that dies frees its posts
// with its port. DRAIN stays exact: only drain() reads the port once the
// thread runs; a marked thread gets no post from home, nor from a holder
// that sees the mark (one that loaded READY before it posts and counts). A
// thread's table holds what home has registered (a drop read removes
// it). Not woken at a drop: a round robin over KEEP + 1 buffers drops at
// every task. No task
// reads a dropped id: an entry is dropped only at no task in flight naming
// it, and a Future settles after its runner wrote the outcome (it read its
// args before), or at a cancel, whose task is never run. A drop and a new
// submit of the same buffer: both run on home, one after the other; the
// submit after the drop registers a new id, whose add is posted after the
// drop on the same ports (a port delivers in order), so no pool thread
// loses the new one. Ids are not reused.
//
// Results. A task may return a shared view over a buffer its args named or
// one of initArgs (the owner knows those numbers while the task's Future is
// pending); anything else is refused as before (TypeError), where a
// Thread's join gives it: the pool thread has no port its owner reads.
//
// Where ports cannot be read synchronously (browsers), home registers
// nothing: only initArgs buffers go (case 3's TypeError says so).

import { takeMessage } from "../_core/adapter.ts";
import { decodeCopy } from "../_core/claim.ts";
import { nodeThreads, resultPort } from "../_core/host.ts";
import type { ThreadStart } from "../_core/thread_start.ts";
import type { EncodeNames, SharedSide } from "./_side.ts";
import { type Block, ID, IDS, R_DRAIN } from "./_layout.ts";
import {
  HolderMesh,
  type HolderStart,
  HomeMesh,
  type MeshExtra,
  ThreadMesh,
} from "./_mesh.ts";
import type { Started } from "./_started.ts";

export type { EncodeNames, SharedSide } from "./_side.ts";

/**
 * The buffers of `value` (transfer-encoded initArgs) in the walk order
 * both sides use (see the top of this file).
 */
export function sharedBuffers(value: unknown): SharedArrayBuffer[] {
  const out: SharedArrayBuffer[] = [];
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (typeof x !== "object" || x === null || seen.has(x)) return;
    seen.add(x);
    if (x instanceof SharedArrayBuffer) out.push(x);
    else if (ArrayBuffer.isView(x)) walk(x.buffer);
    else if (x instanceof Map) {
      for (const [k, v] of x) walk(k), walk(v);
    } else if (x instanceof Set) x.forEach(walk);
    else if (
      !(x instanceof Error || x instanceof Date || x instanceof RegExp ||
        x instanceof ArrayBuffer)
    ) {
      // What structured clone carries of an array or any other object (a
      // class instance arrives as a plain one): its own enumerable string
      // keys, in order. A transfer descriptor's buffer is data here too.
      for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k]);
    }
  };
  walk(value);
  return out;
}

/** What a pool thread is started with: initArgs' buffers, registered ones, holders. */
export type SharedStart = [
  init: SharedArrayBuffer[],
  registered: [number, SharedArrayBuffer][],
  holders?: HolderStart[],
];

/**
 * Registered buffers no task in flight names, kept per executor (home), so
 * that tasks one at a time over the same buffer post nothing after the
 * first: at most KEEP, the least recently named dropped beyond.
 */
export const KEEP = 16;

const counts = { named: 0, kept: 0 };

/**
 * The buffers this thread's executors hold registered now (tests): named
 * by tasks in flight, and kept idle.
 */
export function registeredBuffers(): { named: number; kept: number } {
  return { ...counts };
}

// Home's (or a holder's) SubmitShared of each executor, by its ID word
// (_layout.ts; unique in the process: a shared-heap offset, or, with the
// heap exhausted, a random one, where a collision would give one
// executor's copy another's registry; odds 2^-30 per pair). Module state is per thread, so only
// the home thread finds one here: a copy of its executor that came back to
// it (a Thread's result, a queue item) names buffers through it, as home.
const homes = new Map<number, WeakRef<SubmitShared>>();

/**
 * A submitting thread's names for executor `b`: home's (`started` given,
 * it started the executor), the one this thread made before (a copy that
 * came back), a holder's (`s` has a mesh, _mesh.ts), or one that names
 * initArgs only (any other thread).
 */
export function submitShared(
  b: Block,
  s: { initArgs: unknown; mesh?: MeshExtra },
  started: Started | false,
  replace?: () => void,
): SubmitShared {
  const id = b.v[ID], had = homes.get(id)?.deref();
  if (!started && (had !== undefined || !s.mesh)) {
    return had ?? new SubmitShared(b, s.initArgs, undefined);
  }
  for (const [k, ref] of homes) if (ref.deref() === undefined) homes.delete(k);
  const shared = new SubmitShared(
    b,
    s.initArgs,
    started || new HolderMesh(b, s.mesh!),
    started ? new HomeMesh(b, started) : undefined,
    replace,
  );
  homes.set(id, new WeakRef(shared));
  return shared;
}

/** A submitting thread's names for shared buffers (home's registers). */
export class SubmitShared implements SharedSide {
  #init: Map<SharedArrayBuffer, number> | undefined;
  #initList: SharedArrayBuffer[] | undefined;
  // The executor's 64-bit IDS word (_layout.ts): numbers never repeat.
  readonly #ids64: BigInt64Array;
  // Home only: registered buffers, and the tasks in flight naming each.
  readonly #ids = new Map<SharedArrayBuffer, Entry>();
  readonly #byId = new Map<number, Entry>();
  // Home: registered buffers tasks in flight name (held by home anyway:
  // the stale mark allows that many unread adds, up to STALE_ALLOW).
  #named = 0;
  // Entries no task in flight names, least recently named first.
  readonly #idle = new Set<Entry>();

  /**
   * `initArgs`: the executor's transfer-encoded initArgs; `post`: posts a
   * message to the pool threads (home's Started, a holder's mesh;
   * undefined elsewhere); `home`: home's mesh.
   */
  constructor(
    readonly b: Block,
    readonly initArgs: unknown,
    readonly post:
      | { post(message: Message, named: number): void }
      | undefined,
    readonly home?: HomeMesh,
    /**
     * Home: starts the replacements of threads its posts marked stale
     * (_stale.ts), after an encode (any copy of the executor at home
     * submits through this one registry).
     */
    readonly replace?: () => void,
  ) {
    this.#ids64 = new BigInt64Array(b.buffer, IDS * 4, 1);
  }

  /** The channels for a Thread start's descriptor (_mesh.ts), if any. */
  link(start: ThreadStart): MeshExtra | undefined {
    if (!portsReadable()) return undefined;
    if (this.home !== undefined) return this.home.link(start);
    return this.post instanceof HolderMesh ? this.post.link(start) : undefined;
  }

  #initMap(): Map<SharedArrayBuffer, number> {
    if (this.#init === undefined) {
      this.#initList = sharedBuffers(this.initArgs);
      this.#init = new Map(this.#initList.map((buf, i) => [buf, i]));
    }
    return this.#init;
  }

  /**
   * A new pool thread's initArgs (a decoded copy, _core/claim.ts) and its
   * shared buffers (home): initArgs' as found in that copy, so that they
   * are the initializer's objects there (one message), and the registered.
   */
  startArgs(w: number): [unknown[], SharedStart] {
    let init: SharedArrayBuffer[] = [];
    const copy = decodeCopy(this.initArgs, (c) => init = sharedBuffers(c));
    const holders = this.home!.beforeStart(w); // before the start: _mesh.ts
    return [
      copy as unknown[],
      [init, [...this.#byId].map(([id, e]) => [id, e.buffer]), holders],
    ];
  }

  #name(buffer: SharedArrayBuffer, path: string): number {
    const i = this.#initMap().get(buffer);
    if (i !== undefined) return -1 - i;
    if (this.post === undefined) {
      throw new TypeError(
        `${path} is a SharedArrayBuffer (or a view over one) that only the thread that created the executor, or a thread it was passed to as a Thread arg, can send to its pool threads (this thread got it another way: in an executor's initArgs or a thread's result); pass the executor to this thread as a Thread arg, submit from such a thread, or pass the buffer in the executor's initArgs (and the executor with it, in one message)`,
      );
    }
    if (!portsReadable()) {
      throw new TypeError(
        `${path} is a SharedArrayBuffer (or a view over one) that this runtime cannot send to a running pool thread (it reads no port synchronously); pass the buffer in the executor's initArgs`,
      );
    }
    let e = this.#ids.get(buffer);
    if (e === undefined) {
      e = { id: Number(Atomics.add(this.#ids64, 0, 1n)), buffer, refs: 0 };
      this.#ids.set(buffer, e);
      this.#byId.set(e.id, e);
      counts.kept++; // until held, below
      this.#idle.add(e);
      this.post.post({ add: e.id, buffer }, this.#named);
    }
    return e.id;
  }

  buffer(id: number): SharedArrayBuffer {
    if (id < 0) {
      this.#initMap();
      const buf = this.#initList![-1 - id];
      if (buf !== undefined) return buf;
    }
    const e = this.#byId.get(id);
    if (e === undefined) {
      throw new TypeError(
        `Cannot read task result: unknown shared buffer ${id}`,
      );
    }
    return e.buffer;
  }

  /**
   * Names for one encode of a task's args. Each registered buffer it names
   * is held (counted as named by a task in flight) from then on, so that no
   * release made meanwhile drops it (user code in the encode, a getter, may
   * settle other tasks); `held` lists them for {@linkcode release}.
   */
  names(): EncodeNames {
    const held: number[] = [];
    return {
      held,
      name: (buffer, path) => {
        const id = this.#name(buffer, path);
        if (id >= 0 && !held.includes(id)) {
          this.#hold(id);
          held.push(id);
        }
        return id;
      },
      buffer: (id) => this.buffer(id),
    };
  }

  /** Releases what an encode held: its task settled, or its submit failed. */
  release(held: readonly number[]): void {
    for (const id of held) this.#release(id);
  }

  #hold(id: number): void {
    const e = this.#byId.get(id)!;
    if (e.refs++ === 0) {
      this.#idle.delete(e);
      counts.kept--;
      counts.named++;
      this.#named++;
    }
  }

  // A task naming `id` settled. At no task left, the entry is kept idle;
  // beyond KEEP idle ones, the least recently named is dropped.
  #release(id: number): void {
    const e = this.#byId.get(id);
    if (e === undefined || --e.refs > 0) return;
    counts.named--;
    this.#named--;
    counts.kept++;
    this.#idle.add(e);
    if (this.#idle.size <= KEEP) return;
    const old: Entry = this.#idle.values().next().value!;
    this.#idle.delete(old);
    counts.kept--;
    this.#byId.delete(old.id);
    this.#ids.delete(old.buffer);
    this.post!.post({ drop: old.id }, this.#named);
  }
}

interface Entry {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  refs: number;
}

export type Message = { add: number; buffer: SharedArrayBuffer } | {
  drop: number;
};

// Whether takeMessage reads any message posted to a port, not only a
// thread's outcome (receiveMessageOnPort: Deno, Node, Bun; not browsers).
const portsReadable = () => nodeThreads() !== undefined;

/** A pool thread's shared buffers (see the top of this file). */
export class ThreadShared implements SharedSide {
  readonly #init: SharedArrayBuffer[];
  readonly #initIds: Map<SharedArrayBuffer, number>;
  readonly #table: Map<number, SharedArrayBuffer>;
  // What the running task's args named: its result may name them.
  readonly #named = new Map<SharedArrayBuffer, number>();

  readonly v: Int32Array;
  readonly at: number;
  readonly #mesh: ThreadMesh;

  /**
   * The pool thread of record `w` of `b`: each drain subtracts what it
   * read from the record's DRAIN word (_layout.ts R_DRAIN).
   */
  constructor([init, registered, holders]: SharedStart, b: Block, w: number) {
    this.#init = init;
    this.#initIds = new Map(init.map((buf, i) => [buf, -1 - i]));
    this.#table = new Map(registered);
    this.v = b.v;
    this.at = b.record(w) + R_DRAIN;
    this.#mesh = new ThreadMesh(b, holders);
  }

  /** Before a task's args are read: take what home posted since. */
  begin(): void {
    this.#named.clear();
    this.drain();
  }

  buffer(id: number): SharedArrayBuffer {
    const at = (id: number) => this.#table.get(id) ?? this.#mesh.find(id);
    let buf = id < 0 ? this.#init[-1 - id] : at(id);
    if (buf === undefined && id >= 0) {
      this.drain();
      buf = at(id);
    }
    if (buf === undefined) {
      throw new TypeError(
        `Cannot read task args: shared buffer ${id} never reached this pool thread`,
      );
    }
    this.#named.set(buf, id);
    return buf;
  }

  /** Names for the encode of a task's result (nothing is held). */
  names(): EncodeNames {
    return {
      held: [],
      name: (buffer, path) => this.#nameResult(buffer, path),
      buffer: (id) => this.buffer(id),
    };
  }

  release(): void {}

  #nameResult(buffer: SharedArrayBuffer, path: string): number {
    const id = this.#initIds.get(buffer) ?? this.#named.get(buffer);
    if (id !== undefined) return id;
    throw new TypeError(
      `${path} is a SharedArrayBuffer (or a view over one) that the task's owner does not have: a task may return shared memory its args or the executor's initArgs named`,
    );
  }

  /**
   * Reads what home posted (a parked thread past DRAIN_AT, _park.ts, or a
   * task's begin), and subtracts it from DRAIN: home adds after each post,
   * so DRAIN may dip below 0 for a moment, and is exact again once home's
   * add lands (a reset by the thread would lose a post made between its
   * last read and the reset, and the bound with it).
   */
  drain(): void {
    const port = resultPort.port;
    if (port === undefined || !portsReadable()) return;
    let n = 0;
    for (;;) {
      const got = takeMessage(port);
      if (got === undefined) break;
      n++;
      const m = got.message as Message;
      if (this.#mesh.add(m)) continue; // a holder (_mesh.ts)
      if ("add" in m) this.#table.set(m.add, m.buffer);
      else this.#table.delete(m.drop);
    }
    n += this.#mesh.drain();
    if (n > 0) Atomics.sub(this.v, this.at, n);
  }
}
