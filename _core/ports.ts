// Copyright 2026 the threadkit authors. MIT license.
// MessagePorts in a Thread's args (thread/_start.ts). A port travels by
// transfer, never by copy: it goes in the start message's transfer list
// (the record's `ports`, which _core/adapter.ts adds to every transfer
// list the record crosses: a new worker's, a spare's port, the watcher's),
// and arrives in the thread as a working port at the same place in the
// args, at any depth (arrays, plain objects, Maps, Sets), as structured
// clone puts it there.
//
// Found where the trial structuredClone of the args (thread/_types.ts
// sendable) fails: a port not in a transfer list fails it, so args without
// one pay no walk for ports. Checked before anything starts: whether a port
// can be transferred (not closed, not already transferred) is known only by
// transferring it, and a start must fail before its worker runs. So the
// start first moves the args through a channel of its own (a post with the
// ports in its transfer list, read back at once with receiveMessageOnPort):
// that post is the check (a closed or transferred port, or a value
// structured clone refuses, throws there, and nothing is started; the
// channel is kept, see below), and what it reads back is what the start
// sends (the same args, over new port objects). The caller's ports are
// detached from then on, as any transfer leaves them. The move comes after
// the thread's entry is reserved (a full table leaves the caller's ports
// as they were); a start that fails after it (no worker) closes the moved
// ports, so nothing stays open. A port inside a primitive's own values
// (a Barrier's actionArgs) is refused: they reach every thread the
// primitive goes to (portsIn; Barrier and the executor refuse one at
// construction, noPorts). Except an executor's mesh: the channels it made
// for this one start (pool/_mesh.ts), which reach this thread only.
//
// The same port twice in one args is one port: it is transferred once and
// arrives as one object at both places (as a primitive given twice arrives
// as one).
//
// Only where ports are read synchronously (Deno, Node, Bun): elsewhere
// (browsers) a port in a Thread's args is refused with a TypeError, since
// the check above cannot run there. A port never goes through a shared slot
// (a task's args, a queue item): queue/_tagged.ts refuses it and says to
// pass it as a Thread's arg.

import { nodeThreads } from "./host.ts";
import { chainHolds, isA } from "./primordials.ts";
import { MARK } from "./transfer.ts";
import { isIndex } from "./transfer_keys.ts";

/**
 * The distinct MessagePorts inside `value` (encoded args), in walk order.
 * @throws {TypeError} (with `name`, a thread's) for a port inside a
 * primitive's marker: its own values (a Barrier's actionArgs) reach every
 * thread the primitive goes to, and a port reaches one.
 */
export function portsIn(value: unknown, name?: string): Port[] {
  const out: Port[] = [];
  if (PortClass === undefined) return out;
  const seen = new Set<object>();
  let inside: string | undefined; // the tag of the marker walked, if any
  const walk = (x: unknown): void => {
    if (typeof x !== "object" || x === null || seen.has(x)) return;
    seen.add(x);
    if (isPort(x)) {
      if (inside !== undefined && name !== undefined) {
        throw new TypeError(
          `Cannot start thread "${name}": its args hold a ${inside} whose own values hold a MessagePort, which can reach one thread only (they go to every thread it is given to); pass the port to a thread as a Thread arg instead`,
        );
      }
      out.push(x);
    } else if (!Array.isArray(x) && Object.hasOwn(x, MARK)) {
      const outer = inside, d = (x as Record<string, Marked>)[MARK];
      // The one exemption: an executor's own channels, made for this
      // start (its descriptor's mesh, pool/_mesh.ts), reach this thread.
      if (d?.tag === EXECUTOR && d.extra?.mesh) walk(d.extra.mesh);
      inside = String(d?.tag);
      walk(d);
      inside = outer;
    } else if (x instanceof Map) {
      for (const [k, v] of x) walk(k), walk(v);
    } else if (x instanceof Set) x.forEach(walk);
    else if (Array.isArray(x)) {
      // Elements by index (listing a long array's keys costs a string per
      // element); its other keys only below transfer.ts's SCAN_KEYS, as
      // encodeTransfer walks them.
      for (let i = 0; i < x.length; i++) walk(x[i]);
      if (x.length > 4096) return;
      for (const k of Object.keys(x)) if (!isIndex(k)) walk((x as never)[k]);
    } else if (Object.prototype.toString.call(x) === "[object Object]") {
      // What structured clone carries of another object: its own enumerable
      // string keys.
      for (const k of Object.keys(x)) walk((x as Record<string, unknown>)[k]);
    }
  };
  walk(value);
  return out;
}

/**
 * A MessagePort's instance type, named so that it compiles under every
 * consumer's types: with Node's types `MessagePort` is a value only (TS2749
 * where a shipped declaration names it as a type); DOM's and Deno's have
 * both. The prototype, not InstanceType: Deno types the constructor as
 * `new () => never`.
 */
export type Port = (typeof MessagePort)["prototype"];

// The runtime's MessagePort class, if it has one (a runtime or embedder
// without ports has none): the one place that looks for it.
const PortClass = typeof MessagePort === "function" ? MessagePort : undefined;

/** Whether `x` is a MessagePort (never where the runtime has none). */
export function isPort(x: unknown, ordinary = false): x is Port {
  // isA: no Symbol.hasInstance a program defined on the class is called.
  // ordinary: no Proxy in x's chain (_core/kinds.ts), no isProxy per link.
  return PortClass !== undefined && typeof x === "object" && x !== null &&
    (ordinary ? chainHolds(x, PortProto!) : isA(x, PortClass));
}
const PortProto = PortClass?.prototype as object | undefined;

const EXECUTOR = "threadkit.ThreadPoolExecutor";
type Marked = { tag?: unknown; extra?: { mesh?: unknown } } | undefined;

/** Args whose ports were moved (see the top of this file). */
export interface Moved {
  readonly args: unknown;
  /** The ports in `args`, for the start message's transfer lists. */
  readonly ports: Port[];
}

/**
 * Moves `args` (holding `ports`) through a channel of this thread: the
 * check that they can be sent, before anything starts.
 * @throws {TypeError} for a closed or already transferred port, a value
 * structured clone refuses, or a runtime that cannot read ports
 * synchronously.
 */
export function movePorts(
  name: string,
  args: unknown,
  ports: Port[],
): Moved {
  const wt = nodeThreads();
  if (wt === undefined) {
    throw new TypeError(
      `Cannot start thread "${name}": a MessagePort in its args needs a runtime that reads ports synchronously (Deno, Node, Bun)`,
    );
  }
  const { port1, port2 } = channel ??= new MessageChannel();
  // Nothing is left in it (each move reads what it posted), but a move
  // must never read another's message.
  while (wt.receiveMessageOnPort(port2 as never) !== undefined);
  try {
    port1.postMessage(args, ports);
  } catch (cause) {
    if (cause instanceof RangeError) throw cause; // a stack overflow
    const text = String((cause as Error)?.message);
    throw new TypeError(
      gone(text)
        ? `Cannot start thread "${name}": a MessagePort in its args is closed or already transferred (${text})`
        : `Cannot start thread "${name}": its args cannot be sent to a thread (${text})`,
      { cause },
    );
  }
  const got = wt.receiveMessageOnPort(port2 as never) as { message: unknown };
  return { args: got.message, ports: portsIn(got.message) };
}

// The starting thread's channel for moves, kept: a new channel per start
// cost 140-185 us against 32-50 us for a post and read on a kept one
// (Deno 2.9.6, Node 20, load 10). Neither end has a listener, so it keeps
// no process alive (checked on Deno and Node).
let channel: MessageChannel | undefined;

/**
 * Refuses a port in values that go to many threads (an executor's
 * `initArgs`, a Barrier's `actionArgs`): a port can be transferred once.
 * @throws {TypeError} naming the fix.
 */
export function noPorts(args: unknown, what: string, goes: string): void {
  if (portsIn(args).length === 0) return;
  throw new TypeError(
    `Cannot create ${what} hold a MessagePort, which can reach one thread only (${goes}); pass it to a thread as a Thread arg instead`,
  );
}

/** Closes moved ports a start did not send (it failed). */
export function closePorts(ports: readonly Port[] | undefined): void {
  for (const port of ports ?? []) port.close();
}

// Whether a failed post's message says a port is closed or transferred. No
// RegExp: its compile near the stack's end throws a SyntaxError.
function gone(text: string): boolean {
  const t = text.toLowerCase();
  return t.includes("detached") || t.includes("disentangled") ||
    t.includes("closed");
}
