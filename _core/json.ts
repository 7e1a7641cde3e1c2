// Copyright 2026 the threadkit authors. MIT license.
// The one JSON.parse of the library: every JSON text threadkit reads (queue
// items and batches, an executor's args, results, errors and targets, a
// spare thread's start record and result) goes through parseJson, which
// never lets the engine's JSON.parse read an escaped object key.
//
// Why. V8 15.0 (Deno 2.9.6; chromium issue 521080746, nodejs/node#63785)
// reads an object key through a map transition that an earlier parse made
// when the transition's key matches the key's raw source text, escapes and
// all: after JSON.parse('{"x":null,"\\\\":1}') (a key "\" after "x"),
// JSON.parse('{"x":null,"\\n":1}') gives the keys ["x", "\\"]. Measured
// (tests/_json_keys.ts characterize(), Deno 2.9.6; Node 20 and Bun are
// fine):
// - The poisoned key K holds a backslash; the victim is an escaped key
//   whose decoded length is K's and whose raw text starts with K's
//   characters. After the key "\" (one backslash), every escaped key of one
//   character is read as "\" ("\n", "\"", "\t", "\u0001", "\u001f", a lone
//   "\ud800" or "\udc00", "\u0041" too); after "a\", "a\n"; after "\\",
//   the key written "\\n" (a backslash and "n"). Every character
//   JSON.stringify escapes in a key (", \, controls below 0x20, lone
//   surrogates) can be a victim; a key with no escape never is (its raw text
//   is itself).
// - It happens after another key (the transition from that key's map): as
//   the second or third key, in nested objects, in the same text as the
//   poisoning object, and with other transitions from the same map. As the
//   first key of an object it did not happen here (the root map has many
//   transitions), nor between objects in one array.
// - The poison lasts as long as the thread (the map tree is per isolate):
//   any JSON.parse of that thread made it, the program's own included.
// So an escaped key read by JSON.parse may arrive as another key, and which
// one depends on what the thread parsed before: none may be read by it.
//
// How. A text with no backslash has no escaped key: one indexOf, then
// JSON.parse (the common case, and every text of plain keys whose values
// need no escape). Else escapedKey visits only the strings that hold an
// escape (from a backslash to its string's end: a few indexOf calls per such
// string) and looks for a ":" after each; none found: JSON.parse.
// Else (an object with an escaped key somewhere) readRenamed writes each
// escaped key as a placeholder that needs no escape (a prefix the text does
// not hold, and a number), parses that, and puts the real keys back in their
// places in key order (each key decoded as a JSON string value, which the
// bug does not touch); a key that needs no escape ("\u0030", "\u00e9") is
// written as itself instead (no "\x7f" or surrogate in it). It reads every
// string's bounds, so it costs several times a JSON.parse: only objects
// with such keys pay it.
// Errors: a text that is not JSON throws JSON.parse's SyntaxError on every
// path (a placeholder replaces a whole string literal, which was checked by
// parsing it: an invalid text stays invalid, a valid one valid).
// Depth: no recursion (the engine's parser is iterative, the renaming walk
// keeps a list), so whatever JSON.parse reads, parseJson reads.

const apply = Reflect.apply;
const parse = JSON.parse; // as at load (a program may replace JSON.parse)
const indexOf = String.prototype.indexOf;
const lastIndexOf = String.prototype.lastIndexOf;
const slice = String.prototype.slice;
const charCodeAt = String.prototype.charCodeAt;
const keysOf = Object.keys;
const isArray = Array.isArray;
const defineProperty = Object.defineProperty;

const COLON = 0x3a, BACKSLASH = 0x5c;

/**
 * JSON.parse(text), except that no escaped object key is read by the
 * engine's parser (see above).
 * @throws {SyntaxError} as JSON.parse when `text` is not JSON.
 */
export function parseJson(text: string): unknown {
  const b = apply(indexOf, text, ["\\"]) as number;
  if (b === -1 || !escapedKey(text, b)) return parse(text);
  return readRenamed(text);
}

// Whether a string holding an escape is followed by ":" (an object key),
// from `i`, the first backslash of the text: every backslash of a JSON
// text is in a string, and the first one after a string's end is in the
// next string that has one. A string ends at the first quote after i that
// an even run of backslashes precedes (in JSON, a run of n backslashes is
// n / 2 escaped ones, and an odd n escapes what follows). So the cost is a
// few indexOf calls per string that holds an escape, not per escape. Exact
// for JSON; for other text either answer ends in JSON.parse's SyntaxError.
function escapedKey(text: string, i: number): boolean {
  for (;;) {
    let q = apply(indexOf, text, ['"', i + 1]) as number;
    while (q !== -1 && escapedAt(text, q)) {
      q = apply(indexOf, text, ['"', q + 1]) as number;
    }
    if (q === -1) return false; // not JSON
    if (after(text, q + 1) === COLON) return true;
    i = apply(indexOf, text, ["\\", q + 1]) as number;
    if (i === -1) return false;
  }
}

// Whether the quote at q is escaped (an odd run of backslashes before it).
function escapedAt(text: string, q: number): boolean {
  let k = q - 1;
  while (apply(charCodeAt, text, [k]) === BACKSLASH) k--;
  return ((q - 1 - k) & 1) === 1;
}

// The code of the first character at or after `i` that is not white space.
function after(text: string, i: number): number {
  let c = apply(charCodeAt, text, [i]) as number;
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
    c = apply(charCodeAt, text, [++i]) as number;
  }
  return c;
}

// How many characters readRenamed's backslash searches went over, in all
// (for tests: at most the texts' length, so the pass is linear).
let read = 0;
/** Characters searched for a backslash by the renaming pass (tests). */
export const renameRead = (): number => read;

// JSON.parse of `text` with its escaped keys read apart (see above).
function readRenamed(text: string): unknown {
  let prefix = "\x7f#"; // needs no escape; no key of the text starts with it
  while (apply(indexOf, text, [prefix]) !== -1) prefix += "#";
  const names: string[] = [];
  let out = "", last = 0;
  let i = apply(indexOf, text, ['"']) as number;
  let b = -2; // the first backslash at or after j, once looked for (-1: none)
  while (i !== -1) {
    // i opens a string (JSON has quotes only in and around strings).
    let j = i + 1, escaped = false;
    for (;;) {
      const q = apply(indexOf, text, ['"', j]) as number;
      if (q === -1) return parse(text); // not JSON: its SyntaxError
      // Kept across strings: each part of the text is searched once.
      if (b !== -1 && b < j) {
        b = apply(indexOf, text, ["\\", j]) as number;
        read += (b === -1 ? text.length : b) - j;
      }
      if (b === -1 || b > q) {
        j = q;
        break;
      }
      escaped = true;
      j = b + 2; // past "\" and the character it escapes
    }
    if (escaped && after(text, j + 1) === COLON) {
      // A string value's escapes are read right; a bad one throws.
      const name = parse(apply(slice, text, [i, j + 1])) as string;
      out += apply(slice, text, [last, i]);
      if (printable(name)) {
        // As itself (no escape, so the engine reads it right): JSON.parse
        // then orders it and keeps a duplicate's last value, as for the
        // text ("\u0030" then "0": an index key, which a placeholder
        // would put after "0" and so win over it).
        out += '"' + name + '"';
      } else {
        names[names.length] = name;
        out += '"' + prefix + (names.length - 1) + '"';
      }
      last = j + 1;
    }
    i = apply(indexOf, text, ['"', j + 1]) as number;
  }
  const value = parse(out + apply(slice, text, [last]));
  rename(value, prefix, names);
  return value;
}

// Whether `name` can be written in a JSON text with no escape (no unit
// below 0x20, no '"' or "\\") and is no placeholder: it holds no "\x7f"
// (the prefix's first unit) and no surrogate (kept as a placeholder).
function printable(name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    const c = apply(charCodeAt, name, [k]) as number;
    if (c < 0x20 || c === 0x22 || c === BACKSLASH || c === 0x7f) return false;
    if (c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}

// Gives back the real keys of `value`'s objects (placeholder -> name),
// keeping each object's key order: from its first placeholder on, its keys
// are taken off and defined again in order (own data properties, so a
// "__proto__" name stays data). A list, not recursion.
function rename(value: unknown, prefix: string, names: string[]): void {
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const o = todo[todo.length - 1];
    todo.length--;
    if (typeof o !== "object" || o === null) continue;
    if (isArray(o)) {
      for (let k = 0; k < o.length; k++) todo[todo.length] = o[k];
      continue;
    }
    const rec = o as Record<string, unknown>;
    const keys = keysOf(rec);
    let from = -1;
    for (let k = 0; k < keys.length; k++) {
      todo[todo.length] = rec[keys[k]];
      if (from === -1 && apply(lastIndexOf, keys[k], [prefix, 0]) === 0) {
        from = k;
      }
    }
    if (from === -1) continue;
    const values: unknown[] = [];
    for (let k = from; k < keys.length; k++) {
      values[k - from] = rec[keys[k]];
      delete rec[keys[k]];
    }
    for (let k = from; k < keys.length; k++) {
      const key = keys[k];
      const name = apply(lastIndexOf, key, [prefix, 0]) === 0
        ? names[+apply(slice, key, [prefix.length])]
        : key;
      defineProperty(rec, name, {
        value: values[k - from],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
}
