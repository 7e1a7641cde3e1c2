// Copyright 2026 the threadkit authors. MIT license.
// Handing over thread args: they are encoded in the starting thread and
// decoded in the new one, and the references they hold must end with one
// owner: the handles the decode makes, or nobody (released) when no decode
// happens: the start fails (a full thread table, a worker that cannot be
// constructed), the worker dies or its target fails to load before the
// decode. Neither side can tell the other's progress from messages, so a
// claim word decides, each side by one compareExchange from OPEN: the new
// thread's takes it (TAKEN) just before it decodes, and whoever sees the
// start fail gives it up (GIVEN_UP: Thread.start's catch, the worker's
// "error"/"exit" events, the worker's own catch before its decode) and
// releases the references. Exactly one compareExchange wins, so they are
// released at most once and never after a decode took them; a thread that
// finds its args given up (its start was reported failed) throws instead
// of decoding.

import { RuntimeError } from "./errors.ts";
import { arrayIsArray, getPrototypeOf } from "./primordials.ts";
import { entriesOf } from "./primordials_slots.ts";
import { hasOwn, objectKeys, ObjectProto, walkSet } from "./primordials.ts";
import {
  decodeTransfer,
  knownTag,
  MARK,
  releaseTransfer,
  retainTransfer,
} from "./transfer.ts";

const OPEN = 0;
const TAKEN = 1;
const GIVEN_UP = 2;

/** A claim word for encoded args (see the top of this file). */
export function claimWord(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/**
 * Takes encoded args by their claim word and decodes them.
 * @throws {RuntimeError} when the starting thread gave them up.
 */
export function decodeClaimed(claim: Int32Array, value: unknown): unknown {
  if (Atomics.compareExchange(claim, 0, OPEN, TAKEN) !== OPEN) {
    throw new RuntimeError(
      "Cannot run thread: its start was reported failed and its args released",
    );
  }
  return decodeTransfer(value);
}

/**
 * Gives up encoded args by their claim word: releases their references
 * unless a decode took them (or they were given up already).
 */
export function giveUpClaim(
  claim: Int32Array | undefined,
  value: unknown,
): void {
  if (claim === undefined) return;
  if (Atomics.compareExchange(claim, 0, OPEN, GIVEN_UP) !== OPEN) return;
  releaseTransfer(value);
}

/**
 * A fresh decoded copy of an encoded value kept for repeated use (an
 * executor's initArgs, decoded once per pool thread). The kept value holds
 * one reference per heap primitive, its keeper's; a decode hands the
 * references it finds to the handles it makes, so each copy takes
 * references of its own first: each copy's handles release theirs when
 * collected, and the keeper's stays.
 */
export function decodeCopy(
  encoded: unknown,
  seen?: (copy: unknown) => void,
): unknown {
  const copy = structuredClone(encoded);
  seen?.(copy); // the copy before its decode (pool/_shared.ts: its buffers)
  retainTransfer(copy);
  return decodeTransfer(copy);
}

/**
 * Whether every primitive in encoded args (in descriptors' extras too) has
 * its tag registered in this thread already, so that decoding them needs no
 * more modules. A thread whose target is threadkit's own (a Timer's, whose
 * module registers the tag of the timer's word) skips loading the package
 * then (thread/_worker.ts). Containers as structured clone leaves them:
 * arrays, plain objects, Maps, Sets.
 */
export function tagsKnown(value: unknown, seen = walkSet<object>()): boolean {
  if (typeof value !== "object" || value === null || seen.has(value)) {
    return true;
  }
  seen.add(value);
  // The built-ins as at load (_core/primordials.ts): a Map's or a Set's
  // entries, an array's or an object's values, read by index.
  const isArray = arrayIsArray(value);
  const proto = getPrototypeOf(value);
  let values: unknown[] | undefined = entriesOf(value);
  if (values === undefined) {
    if (!isArray && proto !== ObjectProto && proto !== null) {
      return true; // a Date, a typed array, ...: no marker inside
    }
    const rec = value as Record<string, unknown>;
    if (!isArray && hasOwn(value, MARK)) {
      const wire = rec[MARK] as { tag: string; extra?: unknown };
      return knownTag(wire.tag) && tagsKnown(wire.extra, seen);
    }
    const keys = objectKeys(value);
    values = [];
    for (let i = 0; i < keys.length; i++) values[i] = rec[keys[i]];
  }
  for (let i = 0; i < values.length; i++) {
    if (!tagsKnown(values[i], seen)) return false;
  }
  return true;
}
