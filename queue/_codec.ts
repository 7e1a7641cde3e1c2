// Copyright 2026 the threadkit authors. MIT license.
// How structured queue items become bytes and back.
//
// Measured on this project's machine (small object { id, payload: 32 chars },
// Deno 2.9.6): JSON.stringify + TextEncoder.encodeInto about 0.55 us, decode
// from a copy about 1 us; node:v8 serialize about 13 us and deserialize about
// 17 us (and v8 slows structuredClone for the rest of the process). So the
// default codec is JSON, in three formats told apart by the first byte:
//
// | byte 0 | format      | used when                                         |
// |--------|-------------|---------------------------------------------------|
// | "A"    | plain JSON  | JSON-exact (checked by isJsonExact), ASCII text   |
// | "J"    | plain JSON  | JSON-exact, text with non-ASCII characters        |
// | "T"    | tagged JSON | anything else structured clone carries            |
// The structured FIFO ring (_text.ts) keeps the format in its side table and
// stores the text alone, so a run of plain items is one JSON text. A single
// FIFO put tries the shape codec (_shape.ts) first: a plain object of
// primitives goes in as a binary shape record, and only what it does not
// take comes here.
//
// Tagged JSON, the fallback format, is in _tagged.ts.
//
// The promise (DESIGN.md): what a put accepts, a get can take back out, with
// the meaning structuredClone gives it. Plain JSON is used only when
// JSON.stringify + JSON.parse provably give that (isJsonExact); JSON.parse
// makes every key an own data property ("__proto__" included) and does not
// recurse (V8's parser is iterative), so a plain item always decodes. Tagged
// items: see _tagged.ts (depth bound, own keys, primitives).

import { MARK, tagItem, untagItem } from "./_tagged.ts";
import { takeRefused } from "./_shape.ts";
import type { SharedNames } from "./_shared_names.ts";

/**
 * A custom item encoding for a structured queue. `encode` must return the
 * bytes of one item (they are copied); `decode` gets a fresh copy it may keep.
 */
export interface Codec<T> {
  /** Encodes one item. */
  encode(value: T): Uint8Array;
  /** Decodes one item from the bytes `encode` made. */
  decode(bytes: Uint8Array): T;
}

const ASCII = 0x41; // "A"
const PLAIN = 0x4a; // "J"
const TAGGED = 0x54; // "T"

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let scratch = new Uint8Array(1024);

/**
 * Encodes `value` with the default codec. Returns a view of a scratch buffer,
 * valid until the next call in this thread.
 * @throws {TypeError} when the value cannot be put in a queue.
 */
export function encodeValue(value: unknown): Uint8Array {
  return bytesOf(encodeText(value));
}

/**
 * Encodes `value` as tagged JSON with `names` naming the shared buffers in
 * it (_shared_names.ts): an executor's slot. A scratch view, as encodeValue.
 * @throws {TypeError} when the value cannot be put in a queue, or names
 * cannot name a buffer in it.
 */
export function encodeNamed(value: unknown, names: SharedNames): Uint8Array {
  const text = JSON.stringify(tagItem(value, undefined, names));
  textTagged = true;
  return bytesOf(text);
}

// `text` as the codec's bytes (the format byte by textTagged).
function bytesOf(text: string): Uint8Array {
  // At most 3 UTF-8 bytes per UTF-16 unit.
  const max = 1 + text.length * 3;
  if (scratch.length < max) {
    scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  }
  const { written } = encoder.encodeInto(text, scratch.subarray(1));
  scratch[0] = textTagged ? TAGGED : written === text.length ? ASCII : PLAIN;
  return scratch.subarray(0, 1 + written);
}

/** Whether the last {@linkcode encodeText} made tagged JSON. */
export let textTagged = false;

/**
 * Encodes `value` as JSON text: plain JSON when it is JSON-exact, else tagged
 * JSON (sets {@linkcode textTagged}; decode with {@linkcode decodeTagged}).
 * @throws {TypeError} when the value cannot be put in a queue.
 */
export function encodeText(value: unknown): string {
  const copy = takeRefused(value);
  if (copy === undefined) return JSON.stringify(jsonValue(value));
  // The shape walk read the item's properties (_shape.ts takeRefused):
  // its copy is encoded instead, each reference to the item itself inside
  // it standing for the copy (shared: tagged JSON's "@" to the top).
  if (isJsonExact(copy, value as object)) {
    textTagged = false;
    return JSON.stringify(copy);
  }
  const tagged = tagItem(copy, value as object);
  textTagged = true;
  return JSON.stringify(tagged);
}

/**
 * What JSON.stringify writes for `value`: the value itself when it is
 * JSON-exact, else its tagged form (sets {@linkcode textTagged}). A batch
 * stringifies an array of these at once (_glue.ts).
 * @throws {TypeError} when the value cannot be put in a queue.
 */
export function jsonValue(value: unknown): unknown {
  if (isJsonExact(value)) {
    textTagged = false;
    return value;
  }
  const tagged = tagItem(value);
  textTagged = true;
  return tagged;
}

/** Decodes tagged JSON text made by {@linkcode encodeText}. */
export function decodeTagged(text: string): unknown {
  return untagItem(JSON.parse(text));
}

/**
 * Decodes bytes made by {@linkcode encodeValue}.
 * @throws {TypeError} when the bytes are not in either format.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  const format = bytes[0];
  const text = decoder.decode(bytes.subarray(1));
  if (format === PLAIN || format === ASCII) return JSON.parse(text);
  if (format === TAGGED) return untagItem(JSON.parse(text));
  throw new TypeError(
    `Cannot decode queue item: unknown format byte ${format} (was it put with a custom codec?)`,
  );
}

// The fast check: true when JSON.stringify + JSON.parse give back an equal
// value with the same sharing. Shared or cyclic objects, and anything JSON
// would drop or change, send the value to the tagged encoder: non-finite
// numbers and -0, undefined, holes, array properties that are not indices
// (JSON writes only the elements), prototypes other than Object's or null's
// (Date, Map, class instances, ...), the marker key, more than 100 levels.
// It runs before every plain put (about a fifth of JSON.stringify's time for
// a small object), so the common case pays for nothing it does not use: the
// `seen` set only from depth 1 on and cleared only when it was used (no
// try/finally per item: a walk that throws, in a getter, leaves `used` set
// and the next walk clears), and the marker key found by the key loop itself
// (for...in lists the enumerable keys: an own non-enumerable marker is
// dropped by JSON and by structuredClone alike, so it changes nothing).
const seen = new Set<object>();
let used = false;

function isJsonExact(value: unknown, alias?: object): boolean {
  if (typeof value !== "object" || value === null) return leafExact(value);
  if (used) {
    seen.clear();
    used = false;
  }
  if (alias !== undefined) { // met inside: shared with the top (see encodeText)
    used = true;
    seen.add(alias);
  }
  const exact = objectExact(value as object, 0);
  if (used) {
    seen.clear();
    used = false;
  }
  return exact;
}

function leafExact(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      // Finite (x - x is NaN for NaN and the infinities), and not -0.
      return value - value === 0 && (value !== 0 || 1 / value > 0);
    case "object":
      return value === null;
    default:
      return false;
  }
}

function objectExact(value: object, depth: number): boolean {
  if (depth > 0) {
    if (depth > 100) return false;
    used = true;
    if (seen.has(value)) return false;
    seen.add(value);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const e = value[i];
      if (typeof e === "object" && e !== null) {
        if (!objectExact(e, depth + 1)) return false;
      } else if (!leafExact(e)) return false; // undefined or a hole
    }
    // No holes (above), so the enumerable own keys are the indices alone
    // exactly when there are `length` of them: `a.x = 3` is not JSON.
    return hasOnlyIndices(value);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    if (key === MARK) return false;
    const e = (value as Record<string, unknown>)[key];
    if (typeof e === "object" && e !== null) {
      if (!objectExact(e, depth + 1)) return false;
    } else if (!leafExact(e)) return false;
  }
  return true;
}

// Whether a hole-free array has no enumerable own keys but its indices.
function hasOnlyIndices(value: unknown[]): boolean {
  return Object.keys(value).length === value.length;
}
