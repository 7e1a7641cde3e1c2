// Copyright 2026 the threadkit authors. MIT license.
// The one transfer registry. A threadkit primitive crosses to another thread
// as a tagged descriptor (tag, buffer, byteOffset, extra) and is revived there
// into the same class over the same shared memory. Thread args, thread
// results and queue items all go through encodeTransfer/decodeTransfer here,
// so a Lock inside an args array or inside a queued object arrives as a Lock.
//
// The registry lives on globalThis under a registered symbol, so two copies of
// this module in one thread still share one set of tags.

import { describe } from "./placement.ts";
import { runtime } from "./runtime.ts";

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
export const TO_DESCRIPTOR: unique symbol = Symbol.for(
  "threadkit.toDescriptor",
) as never;

/** An object that can travel to another thread as itself. */
export interface Transferable {
  /** Describes this primitive for another thread. */
  [TO_DESCRIPTOR](): Descriptor;
}

type Reviver = (descriptor: Descriptor) => unknown;
const KEY = Symbol.for("threadkit.transfer.registry.v1");
const registry: Map<string, Reviver> =
  ((globalThis as Record<symbol, unknown>)[KEY] as Map<string, Reviver>) ??
    ((globalThis as Record<symbol, unknown>)[KEY] = new Map());

/** The property that marks an encoded descriptor inside a cloned value. */
export const MARK = "\u0000threadkit";

/**
 * Registers how to revive descriptors with `tag`. Each primitive module calls
 * this once at load; a second registration of a tag replaces the first (two
 * copies of one module).
 */
export function registerTransfer(tag: string, revive: Reviver): void {
  registry.set(tag, revive);
}

/** The descriptor of `value` if it is a threadkit primitive. */
export function descriptorOf(value: unknown): Descriptor | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const method = (value as Partial<Transferable>)[TO_DESCRIPTOR];
  return typeof method === "function" ? method.call(value) : undefined;
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
  const revive = registry.get(d.tag);
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
      `Cannot encode ${d.tag} as bytes: it lives in a SharedArrayBuffer of its own, not in threadkit's shared heap; pass it to the thread as a thread arg instead`,
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
    !Number.isInteger(byteOffset) || byteOffset < 0 ||
    byteOffset >= runtime().buffer.byteLength
  ) {
    throw new TypeError(
      "Cannot revive threadkit primitive from bytes: malformed bytes form",
    );
  }
  return reviveDescriptor({ tag, buffer: runtime().buffer, byteOffset, extra });
}

/**
 * Replaces every threadkit primitive inside `value` (arrays, plain objects,
 * Maps and Sets, at any depth) with a marked descriptor, ready for
 * structured clone. Returns `value` itself when it holds no primitive.
 */
export function encodeTransfer(value: unknown): unknown {
  return encode(value, new Map());
}

/**
 * Revives every marked descriptor inside a freshly cloned `value`, in place
 * where possible. Returns the revived value.
 * @throws {TypeError} for a foreign descriptor.
 */
export function decodeTransfer(value: unknown): unknown {
  return decode(value, new Set());
}

function encode(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const descriptor = descriptorOf(value);
  if (descriptor !== undefined) return { [MARK]: descriptor };
  // A value met again (shared or cyclic) maps to what it first became; a
  // cycle through a copied container keeps pointing at the original.
  if (seen.has(value)) return seen.get(value);
  seen.set(value, value);
  if (Array.isArray(value)) {
    let out: unknown[] = value;
    for (let i = 0; i < value.length; i++) {
      const e = encode(value[i], seen);
      if (e === value[i]) continue;
      if (out === value) seen.set(value, out = value.slice());
      out[i] = e;
    }
    return out;
  }
  if (value instanceof Map) {
    let changed = false;
    const pairs: [unknown, unknown][] = [];
    for (const [k, v] of value) {
      const ek = encode(k, seen), ev = encode(v, seen);
      changed ||= ek !== k || ev !== v;
      pairs.push([ek, ev]);
    }
    return changed ? replace(seen, value, new Map(pairs)) : value;
  }
  if (value instanceof Set) {
    let changed = false;
    const items: unknown[] = [];
    for (const v of value) {
      const ev = encode(v, seen);
      changed ||= ev !== v;
      items.push(ev);
    }
    return changed ? replace(seen, value, new Set(items)) : value;
  }
  if (!isPlain(value)) return value;
  let out: Record<string, unknown> = value as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    const e = encode(v, seen);
    if (e === v) continue;
    if (out === value) seen.set(value, out = { ...out });
    out[key] = e;
  }
  return out;
}

function decode(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== "object" || value === null || seen.has(value)) {
    return value;
  }
  if (Object.hasOwn(value, MARK)) {
    return reviveDescriptor((value as Record<string, unknown>)[MARK]);
  }
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decode(value[i], seen);
    return value;
  }
  if (value instanceof Map) {
    const pairs = [...value].map((
      [k, v],
    ) => [decode(k, seen), decode(v, seen)]);
    value.clear();
    for (const [k, v] of pairs) value.set(k, v);
    return value;
  }
  if (value instanceof Set) {
    const items = [...value].map((v) => decode(v, seen));
    value.clear();
    for (const v of items) value.add(v);
    return value;
  }
  if (!isPlain(value)) return value;
  const rec = value as Record<string, unknown>;
  for (const key of Object.keys(rec)) rec[key] = decode(rec[key], seen);
  return value;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function replace<T>(seen: Map<object, unknown>, from: object, to: T): T {
  seen.set(from, to);
  return to;
}
