// Copyright 2026 the threadkit authors. MIT license.
// The one transfer registry. A threadkit primitive crosses to another thread
// as a tagged descriptor (tag, buffer, byteOffset, extra), revived there into
// the same class over the same memory: a Lock inside thread args, results or
// queue items arrives as a Lock, and one given twice in a value as one Lock.
// One registry per thread and package root (threadState, _core/host.ts): the
// bundled entry shares the package's; another copy of the package keeps its
// own, so its revivers never replace this copy's (lockAt's would fail).
//
// The marker key and user data. A descriptor travels as { [MARK]: d } with
// MARK = "\u0000threadkit". User data may hold that key too, so encode
// escapes every own key of the form "\u0000"{n}"threadkit..." (n >= 1) by
// adding one "\u0000", and decode removes one from every key with n >= 2.
// The map is a bijection on keys, no user key can equal MARK after it, and
// a value without such keys (and without primitives) is sent as it is.
//
// A descriptor's `extra` holds values, primitives among them (a Condition's
// lock, a Barrier's action args); [TO_DESCRIPTOR]() only describes and has
// no side effect, but for a Thread start's args (encodeTransfer's `start`,
// thread_start.ts: an executor makes its channels). copy() encodes the extra with the descriptor, so the
// primitives in it travel as primitives, and decode() decodes it before the
// class's reviver sees it (the reviver gets values, as from a queue item).
//
// The runtime block. A descriptor of a primitive in the runtime block (the
// shared heap, or the thread table) travels without its buffer, marked
// `heap: true`, and decode() rebuilds it over the receiving thread's runtime
// block: a SharedArrayBuffer arrives as a new object with each message (a
// thread's result is a message of its own), and only the thread's own block
// object identifies heap memory (queue items, reference counts).
//
// Heap references (_core/heap.ts). A marked descriptor of a primitive in the
// shared heap holds one reference to its block from the moment copy() makes
// it; decode() hands that reference to the handle it revives (holdBlock), so
// the block cannot be freed between the encode in one thread and the decode
// in another. Where that never happens, the references go back: an encode
// that throws releases those it took; a decode that throws releases those it
// had not yet handed to a handle (never one it had); and thread args that no
// thread decodes are given up (see "Handing over" below).

import { blockRelease, blockRetain, holdBlock, isBlock } from "./heap.ts";
import { isProxy, threadState } from "./host.ts";
import { describe } from "./placement.ts";
import { platformClass, refused } from "./platform.ts";
import { runtime } from "./runtime.ts";
import {
  define,
  elementsOf,
  HOLES,
  indicesAfter,
  isEscaped,
  isIndex,
  isMarked,
  isPlain,
  keysOf,
  MARK,
  unescapeKeys,
} from "./transfer_keys.ts";
import { kindOf, MAP, ORDINARY, ordinaryClonesAsPlain } from "./kinds.ts";
import { PLAIN, PROXIED, SET } from "./kinds.ts";
import { apply, B, isMap, isSet, mapClear } from "./primordials.ts";
import { mapEntries, setValues } from "./primordials_slots.ts";
import { mapGet } from "./primordials.ts";
import { newMap, newSet, walkMap, walkSet } from "./primordials.ts";
import { mapSet, setAdd, setClear } from "./primordials.ts";
import { arrayIsArray, hasOwn, objectKeys } from "./primordials.ts";
import { forEachReference } from "./transfer_refs.ts";

export { define, MARK } from "./transfer_keys.ts";
export { releaseTransfer, retainTransfer } from "./transfer_refs.ts";
export { refusedProxy } from "./platform.ts";

/** How a primitive describes itself for another thread. */
export interface Descriptor {
  /** Registered tag of the primitive's class, e.g. "threadkit.Lock". */
  readonly tag: string;
  /** The buffer that holds the primitive's shared words. */
  readonly buffer: SharedArrayBuffer;
  /** Byte offset of the primitive's first word in `buffer`. */
  readonly byteOffset: number;
  /** Anything else the class needs to revive (structured-cloneable). */
  readonly extra?: unknown;
}

/** Method a transferable primitive implements to describe itself. */
export const TO_DESCRIPTOR: unique symbol = B.symbolFor( // (as at load)
  "threadkit.toDescriptor",
) as never;

/** An object that can travel to another thread as itself. */
export interface Transferable {
  /** Describes this primitive for another thread (`start`: see thread_start.ts). */
  [TO_DESCRIPTOR](start?: unknown): Descriptor;
}

type Reviver = (descriptor: Descriptor) => unknown;
type Described = Descriptor | undefined;
const registry = threadState("transfer", () => newMap<string, Reviver>());

/**
 * Registers how to revive descriptors with `tag`. Each primitive module calls
 * this once at load; a later registration of a tag (the bundled entry's copy
 * of a module) replaces the first. `knownTag`: whether a tag is registered.
 */
export function registerTransfer(tag: string, revive: Reviver): void {
  registry.set(tag, revive);
}
export const knownTag = (tag: string): boolean => registry.has(tag);

/** The descriptor of `value` if it is a threadkit primitive (`start`: see encodeTransfer). */
export function descriptorOf(value: unknown, start?: unknown): Described {
  if (typeof value !== "object" || value === null) return undefined;
  const method = (value as Partial<Transferable>)[TO_DESCRIPTOR];
  // apply, read at load: not a Function.prototype.call a program replaced.
  return typeof method === "function"
    ? apply(method, value, [start])
    : undefined;
}

/**
 * Revives a descriptor into its primitive.
 * @throws {TypeError} for a foreign descriptor: unknown tag or bad shape.
 */
export function reviveDescriptor(descriptor: unknown): unknown {
  const d = descriptor as Partial<Descriptor> | null;
  if (typeof d !== "object" || d === null || typeof d.tag !== "string") {
    throw new TypeError(
      `Cannot revive threadkit descriptor: expected an object with a tag, got ${
        describe(descriptor)
      }`,
    );
  }
  const revive = mapGet(registry, d.tag); // (as at load: primordials)
  if (revive === undefined) {
    throw new TypeError(
      `Cannot revive threadkit descriptor: unknown tag "${d.tag}" (is the module that defines it imported in this thread?)`,
    );
  }
  return revive(d as Descriptor);
}

/**
 * A primitive's descriptor without its buffer, for values that travel as
 * bytes (queue items): the buffer is implied to be the runtime block, which
 * every thread already has.
 */
export interface BytesForm {
  /** Registered tag of the primitive's class. */
  readonly tag: string;
  /** Byte offset of the primitive's first word in the runtime block. */
  readonly byteOffset: number;
  /** The descriptor's `extra`, if any. */
  readonly extra?: unknown;
}

/**
 * The bytes form of `value` if it is a threadkit primitive placed in the
 * shared heap (the runtime block); undefined if it is not a primitive.
 * @throws {TypeError} when the primitive lives in a buffer of its own (a
 * caller's buffer, or a large primitive such as a queue): its memory cannot
 * be named by an offset alone.
 */
export function descriptorToBytesForm(value: unknown): BytesForm | undefined {
  const d = descriptorOf(value);
  if (d === undefined) return undefined;
  if (d.buffer !== runtime().buffer) {
    throw new TypeError(
      `Cannot encode ${d.tag} as bytes: it lives in a SharedArrayBuffer of its own, not in threadkit's shared heap, so an offset alone cannot name it`,
    );
  }
  return d.extra === undefined
    ? { tag: d.tag, byteOffset: d.byteOffset }
    : { tag: d.tag, byteOffset: d.byteOffset, extra: d.extra };
}

/**
 * Revives a bytes form made by {@linkcode descriptorToBytesForm} over this
 * thread's runtime block.
 * @throws {TypeError} for a malformed form or an unknown tag.
 */
export function reviveBytesForm(form: BytesForm): unknown {
  const { tag, byteOffset, extra } = form ?? {};
  if (
    typeof tag !== "string" || typeof byteOffset !== "number" ||
    byteOffset % 1 !== 0 || // (not an integer)
    byteOffset < 0 ||
    byteOffset >= runtime().buffer.byteLength
  ) {
    throw new TypeError(
      "Cannot revive threadkit primitive from bytes: malformed bytes form",
    );
  }
  return reviveDescriptor({ tag, buffer: runtime().buffer, byteOffset, extra });
}

/**
 * Copies `value` for structured clone, reading each property once: every
 * container it walks (arrays, plain objects and class instances, Maps and
 * Sets, at any depth) becomes a fresh one of the values read, each threadkit
 * primitive a marked descriptor, each user key that could be read as a
 * marker escaped. A primitive value (not an object) is returned as it is.
 * Sets {@linkcode transferMarked}.
 * @throws {TypeError} for a Proxy (where the host can tell one: _core/host.ts
 * isProxy), which structured clone refuses.
 */
export function encodeTransfer(value: unknown, start?: unknown): unknown {
  transferMarked = false;
  if (typeof value !== "object" || value === null) return value;
  // Saved around the walk: a getter in it may run an encode of its own.
  const outer = retained, outerMarked = marked, outerStart = starting;
  const mine: number[] = retained = [];
  marked = false, starting = start;
  try {
    const out = copy(value, walkMap());
    transferMarked = marked;
    return out;
  } catch (error) {
    for (let i = 0; i < mine.length; i++) blockRelease(mine[i]);
    throw error;
  } finally {
    retained = outer;
    marked = outerMarked, starting = outerStart;
  }
}

/**
 * Whether the last {@linkcode encodeTransfer}'s copy holds a marker or an
 * escaped key: only then has the receiver anything to decode (and heap
 * references to take over).
 */
export let transferMarked = false;
let marked = false, starting: unknown; // the walk under way's (copy reads them)

// The heap references the innermost running encode and decode took so far
// (released if it throws); saved and restored around nested calls (getters).
let retained: number[] | undefined, handed: Set<object> | undefined;

/**
 * Revives every marked descriptor inside a freshly cloned `value`, in place
 * where possible. Returns the revived value.
 * @throws {TypeError} for a foreign descriptor.
 */
export function decodeTransfer(value: unknown): unknown {
  const outer = handed;
  const mine = handed = walkSet<object>();
  try {
    return decode(value, walkMap());
  } catch (error) {
    // The markers not yet revived still hold their references (a revived
    // one's went to its handle, whose finalizer releases it).
    forEachReference(value, blockRelease, mine);
    throw error;
  } finally {
    handed = outer;
  }
}

// encodeTransfer in one pass (read once, as queue/_codec.ts's snapshot):
// `copy` rebuilds the containers (plain objects, class instances, arrays,
// Maps, Sets), each registered before its children are copied, so shared
// and cyclic references in the copy point at copies. What it leaves in place
// (Dates, views, errors, ...) runs no user code when cloned, so the trial
// clone (thread/_types.ts) and the post read only what the walk read.
function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (isProxy(value)) {
    throw refused("a Proxy", "send its target, or a copy such as { ...proxy }");
  }
  // The kind, once (_core/kinds.ts), before a read through the chain:
  // plain by one getPrototypeOf; with a Proxy in the chain, no trap run.
  const kind = kindOf(value);
  if (kind === PLAIN) return plainCopy(value, seen);
  const descriptor = kind < PROXIED ? descriptorOf(value, starting) : undefined;
  if (descriptor !== undefined) {
    // One marker (one reference) per primitive, however often it is given.
    const marker = { [MARK]: wire(descriptor, seen) };
    seen.set(value, marker);
    marked = true;
    return marker;
  }
  if (kind === ORDINARY) {
    // A class instance (or a platform object): no isProxy per link.
    const host = platformClass(value, true); // _core/platform.ts
    if (host?.clones === false) throw refusedHost(host.name);
    return ordinaryClonesAsPlain(value) ? plainCopy(value, seen) : value;
  }
  // A Map's or Set's entries: a snapshot read through primordials.
  if (kind === MAP || kind === MAP + PROXIED) {
    const out = newMap(), e = mapEntries(value as Map<unknown, unknown>);
    seen.set(value, out);
    for (let i = 0; i < e.length; i += 2) {
      mapSet(out, copy(e[i], seen), copy(e[i + 1], seen));
    }
    return out;
  }
  if (kind === SET || kind === SET + PROXIED) {
    const out = newSet(), e = setValues(value as Set<unknown>);
    seen.set(value, out);
    for (let i = 0; i < e.length; i++) setAdd(out, copy(e[i], seen));
    return out;
  }
  if (arrayIsArray(value)) {
    // The elements read once (elementsOf: a native concat where it can,
    // its argument in transfer_keys.ts); only objects among them are
    // replaced, visited at the cost of the copy's own keys (HOLES).
    // Other own keys follow, as structured clone carries them (up to
    // SCAN_KEYS); Object.keys lists indices first, so a last key that is
    // not an index says there are others.
    const out = elementsOf(value);
    seen.set(value, out);
    let holes = 0, sparse = false;
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      if (typeof v === "object") {
        if (v !== null) out[i] = copy(v, seen);
      } else if (v === undefined && !(i in out) && ++holes > HOLES) {
        if (holes <= i + 1 - holes) continue;
        const rest = indicesAfter(out, i);
        for (let j = 0; j < rest.length; j++) {
          const e = out[rest[j]];
          if (typeof e === "object" && e !== null) out[rest[j]] = copy(e, seen);
        }
        sparse = true;
        break;
      }
    }
    // None past SCAN_KEYS (transfer_keys.ts), unless sparse: its own keys
    // are few, and its other keys arrive (as structured clone's).
    const keys = sparse ? objectKeys(value) : keysOf(value);
    const last = keys.length === 0 ? "0" : keys[keys.length - 1];
    if (!isIndex(last)) copyKeys(value, out, keys, true, seen);
    return out;
  }
  // A kind by slot (a Date, a view, ...), here or behind a Proxy in its
  // chain: structured clone reads its slots (or refuses it), never a
  // platform class's prototype it was given.
  return value;
}

function refusedHost(name: string): TypeError {
  return refused(`a ${name}`, "send what the thread needs to make its own");
}

// A spread reads each own enumerable property once into own data
// properties ("__proto__" included, no setter run), as queue/_codec.ts.
function plainCopy(value: object, seen: Map<object, unknown>): unknown {
  const out: Record<string, unknown> = { ...value };
  seen.set(value, out);
  copyKeys(value, out, objectKeys(out), false, seen);
  return out;
}

// Copies the values of `keys` into `out` (an array's non-index keys, read
// from `from`; else the spread's own). A marker-like key is escaped: then
// every key is defined again in its order (an escaped name may be another
// own key's, which must not be overwritten, and order is kept).
function copyKeys(
  from: object,
  out: object,
  keys: string[],
  isArray: boolean,
  seen: Map<object, unknown>,
): void {
  const rec = out as Record<string, unknown>;
  let values: unknown[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (isArray && isIndex(key)) continue;
    const v = isArray ? (from as Record<string, unknown>)[key] : rec[key];
    const c = typeof v === "object" && v !== null ? copy(v, seen) : v;
    if (values !== undefined) values[i] = c;
    else if (isMarked(key)) {
      values = []; // those before i: copied already
      for (let j = 0; j < i; j++) values[j] = rec[keys[j]];
      values[i] = c;
    } else if (isArray || c !== v) define(rec, key, c);
  }
  if (values === undefined) return;
  marked = true;
  for (let i = 0; i < keys.length; i++) {
    if (!(isArray && isIndex(keys[i]))) delete rec[keys[i]];
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (isArray && isIndex(key)) continue;
    const escape = isMarked(key);
    define(rec, escape ? "\u0000" + key : key, values[i]);
  }
}

// `seen`: each container walked (to itself), each marker to its handle.
function decode(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  const isArray = arrayIsArray(value);
  if (!isArray && hasOwn(value, MARK)) {
    const w = (value as Record<string, unknown>)[MARK] as Wire;
    const extra = w.extra === undefined ? undefined : decode(w.extra, seen);
    const revived = w.heap !== true
      ? reviveDescriptor({ ...w, extra })
      : reviveBytesForm({ tag: w.tag, byteOffset: w.byteOffset, extra });
    seen.set(value, revived);
    // The in-flight reference copy() took becomes the handle's.
    if (w.heap === true && isBlock(w.byteOffset)) {
      holdBlock(revived as object, w.byteOffset);
      handed?.add(value);
    }
    return revived;
  }
  seen.set(value, value);
  if (isMap(value)) {
    const e = mapEntries(value);
    for (let i = 0; i < e.length; i++) e[i] = decode(e[i], seen);
    mapClear(value);
    for (let i = 0; i < e.length; i += 2) mapSet(value, e[i], e[i + 1]);
    return value;
  }
  if (isSet(value)) {
    const e = setValues(value);
    for (let i = 0; i < e.length; i++) e[i] = decode(e[i], seen);
    setClear(value);
    for (let i = 0; i < e.length; i++) setAdd(value, e[i]);
    return value;
  }
  if (!isArray && !isPlain(value)) return value;
  const rec = value as Record<string, unknown>;
  if (isArray) {
    // Never fills a hole (decode(undefined) is undefined); a sparse array
    // costs its own keys (HOLES).
    const arr = value as unknown[];
    let holes = 0;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === "object") {
        const d = decode(v, seen);
        if (d !== v) arr[i] = d;
      } else if (v === undefined && !(i in arr) && ++holes > HOLES) {
        if (holes <= i + 1 - holes) continue;
        const rest = indicesAfter(arr, i);
        for (let j = 0; j < rest.length; j++) {
          const d = decode(arr[rest[j]], seen);
          if (d !== arr[rest[j]]) arr[rest[j]] = d;
        }
        break;
      }
    }
  }
  const keys = keysOf(value);
  let escaped = false;
  // Index loops (no iterator, map or forEach a program replaced).
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (isEscaped(key)) escaped = true;
    // An array's elements are done above: its other keys only.
    if (isArray && isIndex(key)) continue;
    const v = rec[key];
    const d = decode(v, seen);
    // define, not assignment: an own data property whatever the key.
    if (d !== v) define(rec, key, d);
  }
  if (escaped) unescapeKeys(rec, keys); // in place, keeping order
  return value;
}

/** A descriptor as it travels inside a marker (see the notes at the top). */
interface Wire {
  readonly tag: string;
  /** Absent when `heap`: the receiving thread's runtime block. */
  readonly buffer?: SharedArrayBuffer;
  readonly byteOffset: number;
  /** The descriptor's extra, encoded as values are. */
  readonly extra?: unknown;
  /** The primitive lives in the runtime block. */
  readonly heap?: true;
}

// `d` for the wire: its extra encoded; in the runtime block, without its
// buffer and, for a heap block, holding an in-flight reference (retained
// last, after everything that can throw).
function wire(d: Descriptor, seen: Map<object, unknown>): Wire {
  const extra = d.extra === undefined ? undefined : copy(d.extra, seen);
  if (d.buffer !== runtime().buffer) {
    return { tag: d.tag, buffer: d.buffer, byteOffset: d.byteOffset, extra };
  }
  if (isBlock(d.byteOffset)) {
    blockRetain(d.byteOffset);
    if (retained !== undefined) retained[retained.length] = d.byteOffset;
  }
  return { tag: d.tag, byteOffset: d.byteOffset, extra, heap: true };
}
