// Copyright 2026 the threadkit authors. MIT license.
// Shared memory in tasks submitted from a thread other than the executor's
// home: the channels that let such a thread (a holder) register its own
// buffers with every pool thread, as home does (_shared.ts).
//
// Who is a holder. A thread the executor reached in a Thread's args: the
// executor's descriptor, made for that start only (encodeTransfer's
// `start`, _core/thread_start.ts), carries its mesh: one MessagePort per
// live pool thread, whose other end that pool thread holds, and one to
// home. Home makes them from the pool threads it started (their result
// ports); a holder that passes the executor on in a Thread's args makes
// them from its own, so holders nest. Anywhere else (a queue item, a task,
// another executor's initArgs, a thread's result) the descriptor has no
// mesh: the executor arrives, and a view over that thread's own buffer
// stays the TypeError _shared.ts gives (it names what works).
//
// | message (on a mesh port)          | from -> to                 | means                              |
// |-----------------------------------|----------------------------|------------------------------------|
// | { holder: port, ident, entry }    | home or a holder -> a pool thread (its result port, or the sender's mesh port), and -> home | a new holder (that thread-table entry): its end of a channel |
// | { thread: port, w, gen }          | home -> a holder           | a pool thread about to start on record w (GEN gen): the holder's end |
// | { add: id, buffer } / { drop: id } | a holder -> home and each pool thread | as home's own (_shared.ts)  |
//
// Numbers. Home and every holder take a registered buffer's number from
// one counter word (_layout.ts IDS), so numbers never collide in a pool
// thread's tables. A pool thread keeps each holder's buffers in that
// holder's table (so that they go when it goes).
//
// A holder registers (SubmitShared.#name, posting before the task is
// published, as home): it posts { add } to home, then reads its port from
// home for pool threads started since (HolderMesh.#learn), then posts
// { add } on its port to each pool thread whose record's GEN still reads
// what it was given (a dead one's port is closed and dropped), counting it
// in that record's DRAIN (_park.ts posted: a parked thread is woken from
// DRAIN_AT, as for home's posts). A pool thread reads its holders' ports
// where it reads its result port (ThreadShared.drain: a task's begin, an
// id it does not know, a park past DRAIN_AT or a claim past 0): home posted
// { holder } on its result port before the holder thread was started, and
// a holder posted { add } before it published the task that names it.
//
// A pool thread started later (maxWorkers growth, a replacement): home,
// before the start (HomeMesh.beforeStart), adds 1 to the record's GEN,
// sets its DRAIN to 0, posts { thread } to every holder it knows, then
// reads every holder's port (their adds, and new holders, which get a
// { thread } too, then are read), and gives the new thread, in its start
// args, its ends of those channels and each holder's table.
// Why no buffer is lost (the store-buffer argument): two ports, two
// posters, two readers. Home posts { thread } on port H (home -> holder),
// then reads port A (holder -> home). The holder posts { add } on A, then
// reads H. If home's read missed the add, the add's post came after that
// read (each port's queue is linearizable, not only FIFO: FIFO order alone
// does not compose across two queues; Node: a mutex per port, whose lock
// order agrees with happens-before; Deno: the channel's send is a locked
// read-modify-write, its receive an acquire load; Bun: measured); then the
// holder's read
// of H came after its post, so after home's post on H, which came before
// home's read: the holder sees { thread } and posts the add to the new
// thread itself, before it publishes its task. So at least one of the two
// sees the other's post: the new thread gets the buffer in its start args
// or on its port before any task naming it can be taken. It rests on the
// platform fact that a post is in the receiving port's queue when
// postMessage returns and receiveMessageOnPort takes from that queue (as
// _shared.ts's own argument); the both-miss outcome was measured absent:
// 0 of 20,000 rounds on Node 20, Deno 2.9.6 (worker_threads and web
// Workers) and Bun 1.4.4 (the probes /work/wt11ra/review/sb_litmus.mjs and
// sb_web.ts, copied to bench/mesh_litmus.mjs). Both may see each other:
// the new thread then has the buffer twice (one table entry).
// A holder that passes the executor on (HolderMesh.link) posts { holder }
// to home first, then reads home's port, then makes its child's channels
// to every pool thread it knows: the same pair of orders, so a thread home
// starts meanwhile reaches the child one way or the other (home's read
// loop gives a holder it finds there a { thread } and reads it too).
//
// Lifetime and bounds.
// - Home reads its holders' ports at each supervisor tick (ten times a
//   second, and in its threadkit waits' slices, _pool.ts tick) and before
//   each start: what they hold unread is what they posted since. That needs
//   home's event loop to turn (or home to wait in threadkit's waits): while
//   home runs a long synchronous stretch, or blocks elsewhere, holders' adds
//   to home stay unread (each holding its buffer), and no GEN moves for a
//   pool thread that ended meanwhile (holders keep posting to its port).
// - A holder reads home's port at each add, drop and link, and every
//   LEARN_MS on an unref'd timer, closing its ports to ended threads then:
//   a holder that registers nothing holds the { thread } posts of at most
//   LEARN_MS of starts, while its event loop turns. A holder blocked in a
//   synchronous wait (threadkit's blocking waits too: their slices tick
//   home's pools only) keeps one small post per start until it runs again.
// - A drop reaches the pool threads the holder knows at the drop (it reads
//   home's port first).
// - Cost: a pool thread's read (a view task's begin, an unknown id) reads
//   each holder's port (an empty receiveMessageOnPort: 0.07-0.15 us on Deno,
//   0.25-0.4 us on Node, the review's figures), and walks every slot per
//   ended holder with tasks in flight (inFlight): O(slots) per such holder
//   per read, until its tasks are done.
// - A holder ends: its entry stops being alive (entryAlive). Home and each
//   pool thread, at a read, see that, read the port to its end, and drop
//   the holder (its port closed, its table gone) once no task it submitted
//   is queued or running (inFlight: a slot's OIDENT and phase); until then
//   they keep its table, so its queued tasks still find their buffers.
//   So a pool thread's holders are the live ones, the ended ones with
//   tasks in flight, and those ended since its last read: each { holder }
//   post counts in its DRAIN, so that read comes by DRAIN_AT posts
//   (meshHolders() counts them, tests).
// - A pool thread ends: home, at its next tick, sees it (Started.runs) and
//   adds 1 to its record's GEN, and a holder closes its port to it at its
//   next post. A holder posts nothing to it meanwhile but what it posts in
//   those 100 ms; a post to a port whose thread ended holds its buffer
//   (measured, ARCHITECTURE.md) until the holder closes it.
// - A pool thread home marked stale (in one long task, _stale.ts): a
//   holder posts it nothing from the mark on (#each skips a record whose
//   READY is STALE_MARK; a post racing the mark lands and counts), and
//   home's next tick moves its record's GEN (Started no longer runs it on
//   that record), so holders close their ports to it. Its replacement
//   starts through beforeStart: it gets every holder's channel and table.
//   A holder's adds count in DRAIN but never mark (only home starts a
//   replacement): home's next add marks.
// - DRAIN counts a holder's posts too: exact, but for a post racing its
//   thread's end and a new start on the record (GEN moved between the
//   holder's check and its add): one count on the new thread, which only
//   makes it read once earlier (the add is a hint, never a delivery).
// - A holder submits while its target runs: after its entry ended, a
//   registration can reach a pool thread that dropped it (not supported).
// - Shutdown while a holder submits: a submit checks STATE after its encode
//   (which registers), and STATE never goes back to OPEN, so a holder that
//   reads it not OPEN posts nothing (that submit is refused); one that read
//   OPEN posted before the check, as above.
// - Where ports cannot be read synchronously (browsers), no mesh is made.

import type { Port } from "../_core/ports.ts";
import { takeMessage } from "../_core/adapter.ts";
import { refTimer, threadState } from "../_core/host.ts";
import { entryAlive } from "../_core/runtime.ts";
import type { ThreadStart } from "../_core/thread_start.ts";
import {
  type Block,
  OPEN,
  PHASE,
  QUEUED,
  R_DRAIN,
  R_GEN,
  R_IDENT,
  R_READY,
  RUNNING,
  S_OIDENT,
  S_STATE,
  STALE_MARK,
  STATE,
} from "./_layout.ts";
import { posted } from "./_park.ts";
import type { Started } from "./_started.ts";

/** The channels an executor's descriptor carries for a Thread start. */
export interface MeshExtra {
  /** Per pool thread: its record, the record's GEN at its start, our end. */
  readonly threads: [w: number, gen: number, port: Port][];
  /** Our end of the channel to home. */
  readonly home: Port;
}

/** A holder, in a new pool thread's start args: its port, entry, table. */
export type HolderStart = [
  port: Port,
  ident: number,
  entry: number,
  table: [number, SharedArrayBuffer][],
];

type Message =
  | { add: number; buffer: SharedArrayBuffer }
  | { drop: number }
  | { holder: Port; ident: number; entry: number }
  | { thread: Port; w: number; gen: number };

interface Holder {
  readonly port: Port;
  readonly ident: number;
  readonly entry: number;
  readonly table: Map<number, SharedArrayBuffer>;
}

const state = threadState("mesh", () => ({ holders: 0, home: 0 }));
const LEARN_MS = 500;

/**
 * How many holders this thread keeps (tests): as a pool thread, and as
 * home (of its last executor to read them).
 */
export function meshHolders(): { holders: number; home: number } {
  return { ...state };
}

// Whether a task `ident` submitted is queued or running (its buffers may
// still be read). STATE, then OIDENT: a slot that went on to another
// owner's task reads that owner (the holder's task left the queue).
function inFlight(b: Block, ident: number): boolean {
  const { v } = b;
  for (let s = 0; s < b.l.slots; s++) {
    const base = b.slot(s), phase = Atomics.load(v, base + S_STATE) & PHASE;
    if (
      (phase === QUEUED || phase === RUNNING) &&
      Atomics.load(v, base + S_OIDENT) === ident
    ) return true;
  }
  return false;
}

// Reads the ports of `holders` (home's, or a pool thread's), appending
// the holders they name; drops ended ones with no task in flight. Returns
// how many messages it read.
function readHolders(b: Block, holders: Holder[]): number {
  let n = 0;
  for (let i = 0; i < holders.length; i++) {
    const h = holders[i];
    const ended = !entryAlive(h.entry, h.ident); // before the read: all read
    for (;;) {
      const got = takeMessage(h.port);
      if (got === undefined) break;
      n++;
      const m = got.message as Message;
      if ("add" in m) h.table.set(m.add, m.buffer);
      else if ("drop" in m) h.table.delete(m.drop);
      else if ("holder" in m) holders.push(holderOf(m));
    }
    if (ended && !inFlight(b, h.ident)) {
      h.port.close();
      holders.splice(i--, 1);
    }
  }
  return n;
}

const holderOf = (
  m: { holder: Port; ident: number; entry: number },
): Holder => ({
  port: m.holder,
  ident: m.ident,
  entry: m.entry,
  table: new Map(),
});

/** A pool thread's holders (ThreadShared). */
export class ThreadMesh {
  readonly #holders: Holder[];

  constructor(readonly b: Block, start: HolderStart[] | undefined) {
    this.#holders = (start ?? []).map(([port, ident, entry, table]) => ({
      port,
      ident,
      entry,
      table: new Map(table),
    }));
    state.holders = this.#holders.length;
  }

  /** A { holder } home posted on the thread's result port. */
  add(m: unknown): boolean {
    if (typeof m !== "object" || m === null || !("holder" in m)) return false;
    this.#holders.push(holderOf(m as never));
    return true;
  }

  /** Reads every holder's port; returns how many messages. */
  drain(): number {
    const n = readHolders(this.b, this.#holders);
    state.holders = this.#holders.length;
    return n;
  }

  /** A holder's buffer `id`, if one registered it. */
  find(id: number): SharedArrayBuffer | undefined {
    for (const h of this.#holders) {
      const buf = h.table.get(id);
      if (buf !== undefined) return buf;
    }
    return undefined;
  }
}

/** Home's side: the holders, and the pool threads' starts. */
export class HomeMesh {
  readonly #holders: Holder[] = [];
  // The GEN home gave each record's thread, while that thread runs.
  readonly #gens = new Map<number, number>();

  constructor(readonly b: Block, readonly started: Started) {}

  /** The mesh for a Thread start's descriptor (see the top). */
  link(start: ThreadStart): MeshExtra {
    const { ident, entry } = start, threads: MeshExtra["threads"] = [];
    this.started.each((w, port) => {
      const gen = this.#gens.get(w);
      if (gen === undefined) return;
      const c = new MessageChannel();
      try {
        port.postMessage({ holder: c.port2, ident, entry }, [c.port2]);
      } catch {
        c.port1.close(); // its outcome collected: it ended
        return;
      }
      posted(this.b, w);
      threads.push([w, gen, c.port1]);
    });
    const c = new MessageChannel();
    this.#holders.push(holderOf({ holder: c.port2, ident, entry }));
    start.undo.push(() => closeAll(threads, c.port1));
    return { threads, home: c.port1 };
  }

  /**
   * Before record `w`'s new thread starts: its GEN and DRAIN, its channel
   * to every holder, their buffers (see the top: the order is the
   * argument). Returns its start args' holders.
   */
  beforeStart(w: number): HolderStart[] {
    const { v } = this.b, rec = this.b.record(w);
    const gen = Atomics.add(v, rec + R_GEN, 1) + 1;
    this.#gens.set(w, gen);
    Atomics.store(v, rec + R_DRAIN, 0);
    const ends = new Map<Holder, Port>();
    // Until a read finds no holder without its end (a read may add one and
    // drop another: the length alone does not tell).
    do {
      for (const h of this.#holders) {
        if (ends.has(h)) continue;
        const c = new MessageChannel();
        h.port.postMessage({ thread: c.port1, w, gen }, [c.port1]);
        ends.set(h, c.port2);
      }
      readHolders(this.b, this.#holders); // may find new holders: again
    } while (!this.#holders.every((h) => ends.has(h)));
    state.home = this.#holders.length;
    const out: HolderStart[] = [];
    for (const [h, port] of ends) {
      if (this.#holders.includes(h)) {
        out.push([port, h.ident, h.entry, [...h.table]]);
      } else port.close();
    }
    return out;
  }

  /**
   * Home's tick: reads the holders' ports, and moves the GEN of each
   * record whose thread ended (its holders' ports to it close).
   */
  tick(): void {
    if (this.#holders.length === 0) return;
    readHolders(this.b, this.#holders);
    state.home = this.#holders.length;
    const { v } = this.b;
    for (const [w, gen] of this.#gens) {
      // A start under way (IDENT -1 from its claim to its IDENT store, past
      // Started.add): a tick in a wait's slice inside it must not end it.
      const at = this.b.record(w);
      if (Atomics.load(v, at + R_IDENT) === -1 || this.started.runs(w)) {
        continue;
      }
      this.#gens.delete(w);
      Atomics.compareExchange(v, at + R_GEN, gen, gen + 1);
    }
  }
}

function closeAll(threads: MeshExtra["threads"], home: Port): void {
  for (const [, , port] of threads) port.close();
  home.close();
}

/** A holder's side: its ports to the pool threads and to home. */
export class HolderMesh {
  readonly #threads: { w: number; gen: number; port: Port }[];
  readonly #home: Port;

  constructor(readonly b: Block, extra: MeshExtra) {
    this.#threads = extra.threads.map(([w, gen, port]) => ({ w, gen, port }));
    this.#home = extra.home;
    // Home posts a { thread } per pool-thread start; a holder that
    // registers nothing would leave them unread: read on a timer too
    // (unref'd: it keeps no thread alive), closing ports to ended threads.
    refTimer(setInterval(() => this.#learn(), LEARN_MS), false);
  }

  /** Posts an add or a drop to home and every live pool thread. */
  post(m: Message): void {
    // Shut down: no submit is accepted from now on (STATE never goes back,
    // and a submit checks it after its encode, which registers), and home
    // stops reading once its pool threads are gone: nothing is posted.
    if (Atomics.load(this.b.v, STATE) !== OPEN) return;
    this.#home.postMessage(m);
    // After the post to home (the argument, for an add; a drop then also
    // reaches a thread started since the add).
    this.#learn();
    this.#each((port) => port.postMessage(m));
  }

  /** The mesh for a Thread start this holder makes (a nested holder). */
  link(start: ThreadStart): MeshExtra {
    const { ident, entry } = start, threads: MeshExtra["threads"] = [];
    const c = new MessageChannel();
    this.#home.postMessage({ holder: c.port2, ident, entry }, [c.port2]);
    this.#learn(); // after the post to home: the argument
    this.#each((port, w, gen) => {
      const t = new MessageChannel();
      port.postMessage({ holder: t.port2, ident, entry }, [t.port2]);
      threads.push([w, gen, t.port1]);
    });
    start.undo.push(() => closeAll(threads, c.port1));
    return { threads, home: c.port1 };
  }

  // Posts on each live pool thread's port (counted in its DRAIN); closes
  // and forgets those whose record's GEN moved on (their thread ended).
  #each(f: (port: Port, w: number, gen: number) => void): void {
    const { v } = this.b;
    for (let i = 0; i < this.#threads.length; i++) {
      const t = this.#threads[i], rec = this.b.record(t.w), at = rec + R_GEN;
      // A thread home marked stale (in its last task, _stale.ts) is posted
      // nothing: its port is read by nobody until it leaves.
      if (Atomics.load(v, rec + R_READY) === STALE_MARK) continue;
      if (Atomics.load(v, at) === t.gen) {
        f(t.port, t.w, t.gen);
        posted(this.b, t.w);
        if (Atomics.load(v, at) === t.gen) continue;
      }
      t.port.close();
      this.#threads.splice(i--, 1);
    }
  }

  // New pool threads' ports, from home; ports to ended ones closed.
  #learn(): void {
    for (;;) {
      const got = takeMessage(this.#home);
      if (got === undefined) break;
      const m = got.message as { thread: Port; w: number; gen: number };
      this.#threads.push({ w: m.w, gen: m.gen, port: m.thread });
    }
    const { v } = this.b;
    for (let i = 0; i < this.#threads.length; i++) {
      const t = this.#threads[i];
      if (Atomics.load(v, this.b.record(t.w) + R_GEN) === t.gen) continue;
      t.port.close();
      this.#threads.splice(i--, 1);
    }
  }
}
