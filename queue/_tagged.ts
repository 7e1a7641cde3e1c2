// Copyright 2026 the threadkit authors. MIT license.
// The tagged JSON fallback of the default codec (_codec.ts): the encoder
// (tag) and decoder (untag) for values plain JSON would drop or change.
//
// Tagged JSON is JSON whose special values are marker objects with the key
// MARK ("\x7f") naming a kind: undefined, NaN, -0, +-Infinity, bigint,
// Date, RegExp, Map, Set, ArrayBuffer, typed arrays, DataView, Error, boxed
// primitives, sparse arrays, threadkit primitives (as their bytes form),
// objects that themselves have a "\x7f" key, and back references ("@") for
// shared and cyclic objects. MARK is one ASCII character that JSON writes
// as it is (DEL; before, "\u0000", which it escapes): a tagged text has an
// escaped key only where the item has one, and stays ASCII where the item
// is (_core/json.ts: V8 15.0 misreads escaped keys). Every object gets an id in pre-order on encode;
// decode assigns ids in the same order, so "@" references resolve.
// Values structured clone refuses (functions, symbols, WeakMap, Promise, ...)
// and values that cannot live in bytes (SharedArrayBuffer, views on one, a
// primitive in a buffer of its own: unless _shared_names.ts names them)
// throw a TypeError naming where (a queue: why not in the heap, _home.ts).
//
// What goes in comes out: decode never fails on what encode wrote.
// - Depth: tag refuses a value nested deeper than MAX_DEPTH with a
//   RangeError at put, so the recursive untag never meets a value deeper
//   than the one tag walked (untag uses one frame per level, tag three).
// - Own keys: untag creates every key as an own data property (define, or
//   JSON.parse's own properties), so "__proto__", "constructor" and
//   "prototype" stay plain data and never reach a setter; tag builds its
//   output objects without a prototype for the same reason.
// - Primitives: a primitive's descriptor extra (a Condition's lock, a
//   Barrier's actionArgs) is tagged as values, so primitives inside it
//   travel as primitives too. Every sync/ primitive's module is imported
//   here, so its reviver is registered wherever a queue can decode; a
//   Thread handle needs thread/thread.ts loaded in the receiving thread
//   (the package root loads it), or the get throws and leaves the item first.
// - Heap references (_core/heap.ts, _held.ts): tag lists the block of each
//   primitive it writes ("p") in `held`, for the put to retain and take;
//   untag lists each revived handle in `revived`, and decodeTagged makes
//   them the holders of those references only once the whole item decoded
//   (a get that throws leaves the item, and its references, in the queue).

import { isProxy } from "../_core/host.ts";
import { refusal } from "./_refused.ts";
import { fromBase64, isDetached, maxOf, toBase64 } from "./_base64.ts";
import { ERRORS, VIEWS } from "./_tagged_kinds.ts";
import { isSharedArrayBuffer, mapGet, walkMap } from "../_core/primordials.ts";
import { mapSet, newMap, newSet, setAdd } from "../_core/primordials.ts";
import { arrayIsArray, objectKeys, TypeError_ } from "../_core/primordials.ts";
import { BigInt_, create, defineProperty } from "../_core/primordials.ts";
import { hasOwn, Number_, Object_, String_ } from "../_core/primordials.ts";
import { AB, ARRAY, BOX, DATE, ERROR, kindOf } from "../_core/kinds.ts";
import { MAP, ORDINARY, PLAIN, PROXIED, REFUSED } from "../_core/kinds.ts";
import { REGEXP, SAB, SET, VIEW } from "../_core/kinds.ts";
import { B, boxedValue } from "../_core/primordials.ts";
import { mapEntries, setValues } from "../_core/primordials_slots.ts";
import { regExpParts, timeOf } from "../_core/primordials_slots.ts";
import { viewParts, viewSpan } from "../_core/primordials_slots.ts";
import {
  type BytesForm,
  define,
  descriptorOf,
  descriptorToBytesForm,
  reviveBytesForm,
  reviveDescriptor,
  TO_DESCRIPTOR,
} from "../_core/transfer.ts";
import { holdBlock, isBlock } from "../_core/heap.ts";
import { describe } from "../_core/placement.ts";
import { dropHeld, held } from "./_held.ts";
import { ownBufferCause } from "./_home.ts";
import * as shared from "./_shared_names.ts";
import type { SharedNames as Names } from "./_shared_names.ts";
// For their revivers (see above): every sync/ primitive can be in an item.
import "../sync/barrier.ts";
import "../sync/condition.ts";
import "../sync/event.ts";
import "../sync/lock.ts";
import "../sync/rlock.ts";
import "../sync/semaphore.ts";

/** The key of a marker object: its value names the kind. */
export const MARK = "\x7f";

/** Where tag() is: the ids of objects seen so far, and the path for errors. */
export interface TagState {
  readonly ids: Map<object, number>;
  path: string;
  depth: number; // how many containers deep tag() is now
  /** Stand-ins: an object met is tagged as its stand-in (_codec.ts). */
  readonly stand?: Stand;
  readonly shared?: Names; // names shared buffers in this walk only
}

/** Objects tagged as others: the copies _codec.ts snapshot made of them. */
export type Stand = Map<object, object>;

/** Deepest nesting a structured item may have (containers inside containers). */
export const MAX_DEPTH = 1000;

const NONE = Symbol(); // boxedValue's "not a box"
const { Date_, RegExp_ } = B; // as at load (globalThis.Date replaced)
const OOB = " (structured clone refuses one too)";
const PROXY =
  " (structured clone refuses one too: put its target, or a copy such as { ...proxy })";

function refuse(st: TagState, what: string, hint = ""): TypeError {
  return new TypeError(
    `Cannot put item in queue: ${st.path} is ${what}, which cannot be copied to another thread${hint}`,
  );
}

/** Tags `value` for JSON (st.path names where it is, for errors). */
export function tag(value: unknown, st: TagState): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // value - value: 0 for a finite number, NaN for NaN and +-Infinity
      // (Number.isFinite with no call).
      if (value - value === 0 && !(value === 0 && 1 / value < 0)) {
        return value;
      }
      return { [MARK]: "n", v: value === 0 ? "-0" : String_(value) }; // -0
    case "undefined":
      return { [MARK]: "u" };
    case "bigint":
      return { [MARK]: "b", v: String_(value) };
    case "function":
      throw refuse(st, "a function");
    case "symbol":
      throw refuse(st, "a symbol");
  }
  if (value === null) return null;
  const stand = st.stand;
  const obj =
    (stand !== undefined ? mapGet(stand, value as object) : undefined) ??
      value as object;
  if (isProxy(obj)) throw refuse(st, "a Proxy", PROXY); // before any trap
  const ref = st.ids.get(obj);
  if (ref !== undefined) return { [MARK]: "@", i: ref };
  // The kind, once (_core/kinds.ts): plain by one getPrototypeOf, before
  // a read through the chain; with a Proxy in it (no trap run) too.
  const kind = kindOf(obj), k = kind & ~PROXIED;
  if (kind !== PLAIN && kind < PROXIED && TO_DESCRIPTOR in obj) {
    let form: BytesForm | undefined, b: number | undefined;
    try {
      form = descriptorToBytesForm(obj);
    } catch (cause) { // a buffer of its own: named if names given, else refused
      if (!(cause instanceof TypeError_)) throw cause; // (a stack overflow)
      const d = descriptorOf(obj)!, what = `a threadkit ${describe(obj)}`;
      if (st.shared === undefined) {
        throw shared.refuseOwn(st.path, what, ownBufferCause(d), cause);
      }
      const where = `${st.path} (the buffer of ${what})`;
      b = shared.name(d.buffer, where, st.shared);
      form = d;
    }
    if (form !== undefined) {
      st.ids.set(obj, st.ids.size);
      if (b === undefined && isBlock(form.byteOffset)) {
        held[held.length] = form.byteOffset; // retained by the put (_held.ts)
      }
      // The extra holds values: a primitive in it (a Condition's lock)
      // tags as "p" in turn.
      const extra = form.extra;
      return {
        [MARK]: "p",
        t: form.tag,
        o: form.byteOffset,
        b,
        x: at(st, ".extra", () => tag(extra, st)),
      };
    }
  }
  // A plain object (the snapshot's, mostly) is none of the kinds below.
  // (A labeled block, not a call: a frame per level counts at 1000 levels.)
  kinds: {
    if (kind === PLAIN) {
      st.ids.set(obj, st.ids.size); // (as below, for "@" references)
      break kinds;
    }
    if (k === ORDINARY || k === REFUSED) {
      const refused = refusal(obj, kind === ORDINARY); // queue/_refused.ts
      if (refused !== undefined) throw refuse(st, refused);
    }
    st.ids.set(obj, st.ids.size);
    if (k === ORDINARY) break kinds;
    if (k === SAB) {
      const i = shared.name(obj as SharedArrayBuffer, st.path, st.shared); // or refused
      return { [MARK]: "sv", i };
    }
    if (k === ARRAY) {
      const arr = obj as unknown[];
      const keys = objectKeys(obj);
      // Index loops, no map: a program's species or iterator is not called
      // (_core/primordials.ts). Dense: as many keys as elements, read once
      // up to that count (a getter that pushes does not lengthen the walk).
      const n = keys.length;
      let dense = n === arr.length;
      for (let i = 0; dense && i < n; i++) dense = i in arr;
      const out: unknown[] = [];
      const rec = obj as unknown as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        const k = dense ? i : keys[i];
        const v = at(st, `[${k}]`, () => tag(rec[k], st));
        out[i] = dense ? v : [k, v];
      }
      return dense ? out : { [MARK]: "a", n: arr.length, e: out };
    }
    if (k === DATE) {
      return { [MARK]: "d", v: tag(timeOf(obj as Date), st) };
    }
    if (k === REGEXP) {
      return { [MARK]: "r", ...regExpParts(obj as RegExp) };
    }
    if (k === MAP || k === SET) {
      const map = k === MAP, e: unknown[] = [];
      const all = map
        ? mapEntries(obj as Map<unknown, unknown>)
        : setValues(obj as Set<unknown>);
      for (let i = 0; i < all.length; i += map ? 2 : 1) {
        const k = all[i], v = all[i + 1];
        e[e.length] = map
          ? [
            at(st, `.<key ${i / 2}>`, () => tag(k, st)),
            at(st, `.<value ${i / 2}>`, () => tag(v, st)),
          ]
          : at(st, `.<element ${i}>`, () => tag(k, st));
      }
      return { [MARK]: map ? "m" : "s", e };
    }
    if (k === AB) {
      if (isDetached(obj as ArrayBuffer)) {
        throw refuse(st, "a detached ArrayBuffer", OOB);
      }
      // m: a resizable buffer's maxByteLength (it arrives resizable).
      return { [MARK]: "ab", v: toBase64(obj as ArrayBuffer), m: maxOf(obj) };
    }
    const view = k === VIEW ? viewParts(obj) : undefined;
    if (view !== undefined) {
      const { name, buffer } = view;
      if (isSharedArrayBuffer(buffer) && !st.shared) {
        throw shared.refuse(st.path, `a ${name} over a SharedArrayBuffer`);
      }
      if (VIEWS[name] === undefined) throw refuse(st, `a ${name}`);
      const v = obj as ArrayBufferView;
      if (shared.outOfBounds(v, buffer)) {
        throw refuse(st, `a ${name} out of its resizable buffer's bounds`, OOB);
      }
      const b = tag(buffer, st); // refuses a detached one first
      const { o, n } = viewSpan(v); // (in bounds: Node 20's getters throw)
      const l = shared.lengthTracking(v, buffer) ? -1 : n; // -1: shared.view
      return { [MARK]: "v", t: name, b, o, l };
    }
    if (k === ERROR) {
      const err = obj as Error;
      return {
        [MARK]: "e",
        n: err.name,
        m: err.message,
        s: err.stack,
        c: "cause" in err
          ? at(st, ".cause", () => tag(err.cause, st))
          : undefined,
        h: "cause" in err,
      };
    }
    const boxed = k === BOX ? boxedValue(obj, NONE) : NONE;
    if (boxed !== NONE) return { [MARK]: "B", v: tag(boxed, st) };
  }
  // Plain objects and class instances (which, as in structured clone,
  // arrive as plain objects with their own enumerable properties).
  const keys = objectKeys(obj);
  const rec = obj as Record<string, unknown>;
  if (hasOwn(obj, MARK)) {
    const e: unknown[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      e[i] = [k, at(st, `.${k}`, () => tag(rec[k], st))];
    }
    return { [MARK]: "o", e };
  }
  // No prototype: a "__proto__" key is an own property, which
  // JSON.stringify writes like any other.
  const out: Record<string, unknown> = create(null);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    out[k] = at(st, `.${k}`, () => tag(rec[k], st));
  }
  return out;
}

function at<T>(st: TagState, step: string, f: () => T): T {
  const saved = st.path;
  st.path = saved + step;
  try {
    if (++st.depth > MAX_DEPTH) {
      throw new RangeError(
        `Cannot put item in queue: it is nested more than ${MAX_DEPTH} levels deep (at ${
          st.path.length > 200 ? "..." + st.path.slice(-200) : st.path
        })`,
      );
    }
    return f();
  } finally {
    st.path = saved;
    st.depth--;
  }
}

/** Revives a parsed tagged value; `ids` collects objects for "@" references. */
// Handles revived by the untag running now, with their block offsets.
const revived: unknown[] = [];

/**
 * Decodes a parsed tagged JSON value: untag, then the heap references of
 * the primitives in it pass to their new handles (see the notes above).
 */
export function untagItem(value: unknown): unknown {
  revived.length = 0;
  const out = untag(value, []);
  for (let i = 0; i < revived.length; i += 2) {
    holdBlock(revived[i] as object, revived[i + 1] as number);
  }
  revived.length = 0;
  return out;
}

/**
 * Encodes a value as tagged JSON's value tree; the heap references it took
 * are in `held`, or released when it throws.
 */
export function tagItem(
  value: unknown,
  stand?: Stand,
  n?: Names,
): unknown {
  const before = held.length;
  try {
    const st = {
      ids: walkMap<object, number>(),
      path: "item",
      depth: 0,
      stand,
      shared: n,
    };
    return tag(value, st);
  } catch (error) {
    dropHeld(before);
    throw error;
  }
}

export function untag(value: unknown, ids: unknown[]): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (arrayIsArray(value)) {
    ids[ids.length] = value;
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i], ids);
    return value;
  }
  const rec = value as Record<string, unknown>;
  const kind = rec[MARK];
  if (kind === undefined) {
    ids[ids.length] = value;
    const keys = objectKeys(rec);
    for (let i = 0; i < keys.length; i++) {
      rec[keys[i]] = untag(rec[keys[i]], ids);
    }
    return value;
  }
  switch (kind) {
    case "u":
      return undefined;
    case "n":
      return rec.v === "-0" ? -0 : Number_(rec.v);
    case "b":
      return BigInt_(rec.v as string);
    case "@":
      return ids[rec.i as number];
    case "p": {
      const slot = ids.length;
      ids[slot] = undefined;
      const extra = untag(rec.x, ids);
      const form = { tag: rec.t as string, byteOffset: rec.o as number, extra };
      if (rec.b !== undefined) { // its own buffer, named: no heap block
        const buffer = shared.buffer(rec.b as number);
        return ids[slot] = reviveDescriptor({ ...form, buffer });
      }
      const p = ids[slot] = reviveBytesForm(form);
      if (isBlock(rec.o as number)) {
        revived[revived.length] = p; // (no push a program replaced)
        revived[revived.length] = rec.o;
      }
      return p;
    }
    case "a": {
      const arr: unknown[] = []; // then the length: new Array(n) costs n on Bun
      arr.length = rec.n as number;
      ids[ids.length] = arr;
      return entries(arr, rec.e as [string, unknown][], ids);
    }
    case "d": {
      const slot = ids.length;
      ids[slot] = undefined;
      return ids[slot] = new Date_(untag(rec.v, ids) as number);
    }
    case "r": {
      const re = new RegExp_(rec.s as string, rec.f as string);
      return ids[ids.length] = re;
    }
    case "m": {
      const map = ids[ids.length] = newMap(), e = rec.e as unknown[][];
      for (let i = 0; i < e.length; i++) {
        const key = untag(e[i][0], ids);
        mapSet(map, key, untag(e[i][1], ids));
      }
      return map;
    }
    case "s": {
      const set = ids[ids.length] = newSet(), e = rec.e as unknown[];
      for (let i = 0; i < e.length; i++) setAdd(set, untag(e[i], ids));
      return set;
    }
    case "ab": {
      return ids[ids.length] = shared.resizable(
        fromBase64(rec.v as string),
        rec.m,
      );
    }
    case "sv":
      return ids[ids.length] = shared.buffer(rec.i as number);
    case "v": {
      const slot = ids.length;
      ids[slot] = undefined;
      const buf = untag(rec.b, ids) as ArrayBuffer;
      const View = VIEWS[rec.t as string];
      if (View === undefined) {
        throw new TypeError(`Cannot decode queue item: unknown view ${rec.t}`);
      }
      return ids[slot] = shared.view(View, buf, rec.o, rec.l);
    }
    case "e": {
      const slot = ids.length;
      ids[slot] = undefined;
      const name = rec.n as string | undefined; // none: an Error whose
      // chain has no name (a null prototype): structured clone's "Error"
      const err = new (ERRORS[name ?? "Error"] ?? Error)(rec.m as string);
      if (name !== undefined && err.name !== name) {
        defineProperty(err, "name", {
          value: name,
          writable: true,
          configurable: true,
        });
      }
      defineProperty(err, "stack", {
        value: rec.s,
        writable: true,
        configurable: true,
      });
      ids[slot] = err;
      if (rec.h) {
        defineProperty(err, "cause", {
          value: untag(rec.c, ids),
          writable: true,
          configurable: true,
        });
      }
      return err;
    }
    case "B": {
      const slot = ids.length;
      ids[slot] = undefined;
      return ids[slot] = Object_(untag(rec.v, ids));
    }
    case "o": {
      const out: Record<string, unknown> = {};
      ids[ids.length] = out;
      return entries(out, rec.e as [string, unknown][], ids);
    }
  }
  throw new TypeError(
    `Cannot decode queue item: unknown marker "${String(kind)}"`,
  );
}

// An "a" or "o" record's entries defined on `out` (an index loop: no
// iterator a program replaced).
function entries<T extends object>(
  out: T,
  e: [string, unknown][],
  ids: unknown[],
): T {
  for (let i = 0; i < e.length; i++) define(out, e[i][0], untag(e[i][1], ids));
  return out;
}
