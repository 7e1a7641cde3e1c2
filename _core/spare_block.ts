// Copyright 2026 the threadkit authors. MIT license.
// A spare worker's shared block (_core/spare.ts keeps the spares; the worker
// entry, thread/_worker.ts, is the spare's side): its state word, and the
// start record and the thread's result when they are small enough to go
// through shared memory instead of the spare's port. The worker entry loads
// this file, not spare.ts: each module of its static graph costs every
// worker's start.
//
// Why shared memory: a spare sleeps in a blocking wait on STATE, so a start
// is a few plain stores, one atomic store and one notify, and the spare
// reads its record without a message; a primitive result is a few stores
// before the thread frees its table entry, and the joiner, woken by that
// free, reads it from the block. A message received on the spare's port
// cost 0.1-0.2 ms on each side of a start on Deno 2.9.6 (deserialising a
// record that carries the runtime's SharedArrayBuffer, posting and taking
// an outcome), measured in a trace of both threads. What does not fit (args
// or results that are objects, threadkit primitives, a record over
// RECORD_UNITS code units, a result over RESULT_UNITS) still goes by the
// port, as before.
// A thread started on a fresh worker (no spare) gets a block of its own in
// its start message (_core/adapter.ts, not in browsers) for its result
// alone: only RESULT, RESULT_LEN and the result text are used, as below
// (its STATE stays LOADING and nobody waits on it). Posting the result on
// the port was the first use of a port in that worker: 0.25-0.3 ms of a
// cold start on Deno 2.9.6.
// Deaths around the write (thread/_worker.ts run(); either kind of block):
// one before it (in the target, or in a microtask the target queued itself,
// which runs before the write) posts "died" and leaves RESULT 0: the join
// fails. From the write to endEntry no code of the thread's runs (no await
// between them), so only a runtime stop (out of memory, the process ending)
// can land there; the starter's "exit"/"error" event then frees the entry
// and reads RESULT 1 (thread.ts #failed, #collect): the join returns the
// value, and a stop that carries an error (out of memory) goes to the
// excepthook, as after a posted outcome (an exit code alone is reported
// nowhere, as before). A death after endEntry (a timer, or a microtask
// chain a few awaits deep) is a late death, as before
// (tests/thread/cold_result_test.ts).
//
// Spare block: Int32Array over its own SharedArrayBuffer of BLOCK_BYTES.
// | slot | name       | values                                        | written by              |
// |------|------------|-----------------------------------------------|-------------------------|
// | 0    | STATE      | 0 LOADING, 1 READY (asleep on it), 2 TAKEN    | spare 0->1 (CAS), taker |
// |      |            | (record on the port), 3 TAKEN_SHARED (record  | 1->2|3, owner 0|1->4    |
// |      |            | in this block), 4 STOP (exit, never taken),   | spare 4->5              |
// |      |            | 5 STOPPED (the spare saw STOP and exits)      |                         |
// | 1    | IDENT      | the thread's ident                            | taker, before STATE     |
// | 2    | ENTRY      | the thread's table entry                      | taker, before STATE     |
// | 3    | RECORD_LEN | code units of the record text                 | taker, before STATE     |
// | 4    | RESULT     | 0 none, 1 written                             | thread, before its end  |
// | 5    | RESULT_LEN | code units of the result text                 | thread, before RESULT   |
// | 6    | NAME_SEQ   | the name's NAME_SEQ at the reservation        | taker, before STATE     |
// | 16.. | (text)     | record text (UTF-16, RECORD_UNITS), then the  | taker; thread           |
// |      |            | result text (RESULT_UNITS)                    |                         |
// State machine:
// LOADING -spare loaded, CAS->      READY, then the spare sleeps on STATE
// LOADING or READY -owner ends or the entry changed, exchange-> STOP + notify
// READY   -taker: record in block-> TAKEN_SHARED + notify
// READY   -taker: record on port->  TAKEN + notify
// STOP    -the spare sees it->      STOPPED + notify, then the spare exits
// A spare leaves the owner's list when it is taken or stopped, so only one
// of the owner's calls ever acts on it after READY (the owner is one
// thread); the spare's CAS from LOADING fails once STOP is stored, and it
// exits without ever sleeping.
// Why no lost wakeup (spare): the taker writes the record (plain stores) or
// posts it, then stores TAKEN_SHARED/TAKEN and notifies; the spare sleeps
// only while STATE is READY, so it either sees the new state before it
// sleeps or is woken. Its atomic load of the new state orders the record's
// plain stores before its plain reads (Atomics are sequentially consistent:
// the store that published STATE happens before the load that saw it).
// Why the result is seen (joiner): the thread writes the result text and
// RESULT_LEN (plain), stores RESULT = 1, and only then frees its table
// entry (endEntry: compareExchange + notify on its TID word). A joiner reads
// RESULT only after it saw the TID word change (join, joinAsync, the done
// ping, the failure events, isAlive false), so RESULT = 1 is visible and the
// text with it. A thread writes RESULT at most once and posts no outcome
// when it does (the entry's `ended` flag), so a result is taken once, from
// one place.

import { threadState } from "./host.ts";
import { parseJson } from "./json.ts";
import type { SeqName } from "./names.ts";

// The built-ins the record and result texts are made and read with, as at
// load (a program may replace them later). Its own copies: the worker
// bundle (thread/_worker_bundle.js) leaves _core/primordials.ts out.
const apply = Reflect.apply, stringify = JSON.stringify;
const isArray = Array.isArray;
const String_ = String, Number_ = Number, BigInt_ = BigInt;
const charCodeAt = String.prototype.charCodeAt;
const fromCharCode = String.fromCharCode;

/** The block's slots (see the table above). */
export const STATE = 0;
const IDENT = 1;
const ENTRY = 2;
const RECORD_LEN = 3;
const RESULT = 4;
const RESULT_LEN = 5;
const NAME_SEQ = 6;
const TEXT_AT = 32; // in code units: byte 64
/** Spare states (see the table above). */
export const LOADING = 0;
export const READY = 1;
export const TAKEN = 2;
export const TAKEN_SHARED = 3;
export const STOP = 4;
export const STOPPED = 5;
const RECORD_UNITS = 8192;
const RESULT_UNITS = 4096;
const RESULT_AT = TEXT_AT + RECORD_UNITS;
/** The block's size in bytes. */
export const BLOCK_BYTES: number = (RESULT_AT + RESULT_UNITS) * 2;

/** The key under which a spare worker finds its data (workerData). */
export const SPARE_KEY = "threadkit.spare";

/** The spare's side of a spare worker (workerData[SPARE_KEY]). */
export interface SpareData {
  /** The spare's block (see the table above). */
  readonly word: Int32Array;
  readonly port: MessagePort;
  /** The runtime block of the thread that keeps the spare. */
  readonly runtime: SharedArrayBuffer;
  /** The worker entry set with setWorkerEntry when it was constructed. */
  readonly entryUrl: string | undefined;
}

/** A start record as the block carries it. */
export interface SharedRecord {
  ident: number;
  entry: number;
  /** NAME_SEQ of the thread's name at its reservation (_core/names.ts). */
  nameSeq: number;
  target:
    | { kind: "module"; module: string; export: string }
    | { kind: "source"; source: string; name: string };
  args: unknown[];
}

/** A new, zeroed block (STATE LOADING). */
export function newBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(BLOCK_BYTES));
}

// What cannot go through the block.
const NO: unique symbol = Symbol("no");

// A value in the record's or result's JSON text: strings, booleans, null
// and finite numbers other than -0 as themselves; the rest of the values
// structuredClone gives back as themselves, tagged. Anything else (objects,
// functions, symbols) does not fit.
function encodeValue(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      if (v - v === 0 && !(v === 0 && 1 / v < 0)) return v; // (finite)
      return ["n", v === 0 ? "-0" : String_(v)]; // (v === 0: -0)
    case "undefined":
      return ["u"];
    case "bigint":
      return ["b", String_(v)];
    case "object":
      if (v === null) return null;
  }
  return NO;
}

function decodeValue(v: unknown): unknown {
  if (!isArray(v)) return v;
  if (v[0] === "u") return undefined;
  return v[0] === "n" ? Number_(v[1]) : BigInt_(v[1]); // (Number("-0"): -0)
}

// Writes `text` at `at` (code units) if it fits in `max`.
function writeText(
  block: Int32Array,
  at: number,
  max: number,
  text: string,
): boolean {
  const n = text.length;
  if (n > max) return false;
  const units = new Uint16Array(block.buffer, at * 2, n);
  for (let i = 0; i < n; i++) units[i] = apply(charCodeAt, text, [i]);
  return true;
}

function readText(block: Int32Array, at: number, n: number): string {
  let text = "";
  for (let i = 0; i < n; i += 4096) {
    // A view made by the constructor (no subarray: its species lookup).
    const m = n - i < 4096 ? n - i : 4096;
    text += apply(
      fromCharCode,
      null,
      new Uint16Array(block.buffer, (at + i) * 2, m),
    );
  }
  return text;
}

/**
 * Writes a start record into a taken spare's block, if it fits (args that
 * are all plain values, text within RECORD_UNITS); the caller then
 * publishes it with TAKEN_SHARED. Returns whether it was written.
 */
export function writeRecord(block: Int32Array, record: SharedRecord): boolean {
  const args: unknown[] = [];
  for (let i = 0; i < record.args.length; i++) {
    const v = encodeValue(record.args[i]);
    if (v === NO) return false;
    args[i] = v;
  }
  const t = record.target;
  const text = stringify(
    t.kind === "source"
      ? [0, t.source, t.name, args]
      : [1, t.module, t.export, args],
  );
  if (!writeText(block, TEXT_AT, RECORD_UNITS, text)) return false;
  block[IDENT] = record.ident;
  block[ENTRY] = record.entry;
  block[NAME_SEQ] = record.nameSeq;
  block[RECORD_LEN] = text.length;
  return true;
}

/** The record a taker wrote (after the spare saw TAKEN_SHARED). */
export function readRecord(block: Int32Array): SharedRecord {
  const r = parseJson(readText(block, TEXT_AT, block[RECORD_LEN])) as [
    number,
    string,
    string,
    unknown[],
  ];
  const kind = r[0], a = r[1], b = r[2], args = r[3]; // (no array iterator)
  for (let i = 0; i < args.length; i++) args[i] = decodeValue(args[i]);
  return {
    ident: block[IDENT],
    entry: block[ENTRY],
    nameSeq: block[NAME_SEQ],
    target: kind === 0
      ? { kind: "source", source: a, name: b }
      : { kind: "module", module: a, export: b },
    args,
  };
}

/**
 * The thread's side: writes its result, and its final name when it has one
 * to carry (_core/names.ts, "Final names"), into the block if they fit,
 * before it frees its table entry (see "Why the result is seen" above).
 * Returns whether it was written (else the outcome goes by the port).
 */
export function writeResult(
  block: Int32Array,
  value: unknown,
  final?: SeqName,
): boolean {
  const v = encodeValue(value);
  if (v === NO) return false;
  const text = stringify(
    final === undefined ? [v] : [v, final.name, final.seq],
  );
  if (!writeText(block, RESULT_AT, RESULT_UNITS, text)) return false;
  block[RESULT_LEN] = text.length;
  Atomics.store(block, RESULT, 1);
  return true;
}

/**
 * The joiner's side: the result written into the block, if any (read only
 * after the thread's table entry was seen freed).
 */
export function readResult(
  block: Int32Array,
): { value: unknown; final?: SeqName } | undefined {
  if (Atomics.load(block, RESULT) !== 1) return undefined;
  const r = parseJson(readText(block, RESULT_AT, block[RESULT_LEN])) as [
    unknown,
    string | undefined,
    number,
  ];
  const v = r[0], name = r[1], seq = r[2]; // (no array iterator)
  const value = decodeValue(v);
  return name === undefined ? { value } : { value, final: { name, seq } };
}

// The spares this thread keeps, if any: _core/spare.ts registers how to stop
// them once it constructs one, and the worker entry stops them when its
// thread ends (a hook, so that the entry does not load spare.ts). One per
// thread (threadState): the bundled entry (thread/_worker_bundle.js) has a
// copy of this file and calls stopKeptSpares, the package's copy registers.
const kept: { stop?: () => void } = threadState("keptSpares", () => ({}));

/** Internal (_core/spare.ts): how to stop this thread's spares. */
export function keepingSpares(stop: () => void): void {
  kept.stop = stop;
}

/** Stops the spares this thread keeps (thread/_worker.ts, at its end). */
export function stopKeptSpares(): void {
  kept.stop?.();
}
