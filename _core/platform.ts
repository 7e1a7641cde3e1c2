// Copyright 2026 the threadkit authors. MIT license.
// Platform objects among values that travel (Thread args and results, task
// args, queue items). The HTML structured clone refuses a platform object
// that is not serializable (DataCloneError), and Bun does; Deno and Node,
// whose web classes are written in JavaScript, clone most of them as `{}`
// (an AbortSignal, a BroadcastChannel, a URL on Node...), and the queue codec
// took them as class instances, `{}` too. threadkit refuses them instead,
// with a TypeError at the call, on every runtime alike. The few that
// structured clone carries (Blob, File, WebAssembly.Module, CryptoKey) go
// as Thread args (postMessage carries them) and are refused as queue items
// and task args, which are bytes.
//
// Measured (Deno 2.9.6, Node 20.20.2, Bun 1.4.4): structuredClone gave `{}`
// on Deno and Node and a DataCloneError on Bun for EventTarget, Event,
// CustomEvent, AbortController, AbortSignal, BroadcastChannel (Node's
// toString says "EventTarget"), TextEncoder, TextDecoder, FormData,
// Performance, PerformanceMark, Crypto, CompressionStream and
// TextEncoderStream (Node's toString says "Object"); URL, URLSearchParams,
// Headers, Request, Response were `{}` on Node and refused on Deno; the
// streams, Intl formatters and WebAssembly.Memory refused on both; the
// queue codec gave `{}` for every one (MessagePort aside: _core/ports.ts).

import { isProxy, roomToLoad } from "./host.ts";
import { getPrototypeOf, ObjectProto, walkMap } from "./primordials.ts";

/** A platform class: its name, and whether structured clone carries it. */
export interface PlatformClass {
  readonly name: string;
  readonly clones: boolean;
}

// Global names (dotted: a namespace's member) of classes whose instances
// structured clone refuses; an instance of a subclass is one too (through
// its prototype chain: EventTarget covers every event target).
const REFUSED = [
  "EventTarget",
  "Event",
  "AbortController",
  "MessageChannel",
  "TextEncoder",
  "TextDecoder",
  "TextEncoderStream",
  "TextDecoderStream",
  "CompressionStream",
  "DecompressionStream",
  "URL",
  "URLSearchParams",
  "URLPattern",
  "Headers",
  "Request",
  "Response",
  "FormData",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
  "ReadableStreamDefaultReader",
  "ReadableStreamBYOBReader",
  "WritableStreamDefaultWriter",
  "Crypto",
  "SubtleCrypto",
  "PerformanceEntry",
  "Navigator",
  "Location",
  "Storage",
  "WebAssembly.Memory",
  "WebAssembly.Instance",
  "WebAssembly.Table",
  "WebAssembly.Global",
  "Intl.Collator",
  "Intl.DateTimeFormat",
  "Intl.DisplayNames",
  "Intl.ListFormat",
  "Intl.Locale",
  "Intl.NumberFormat",
  "Intl.PluralRules",
  "Intl.RelativeTimeFormat",
  "Intl.Segmenter",
];
// Those structured clone carries (not as bytes).
const CLONED = ["Blob", "WebAssembly.Module", "CryptoKey"];

let classes: Map<object, PlatformClass> | undefined;
// Read at load: a program's getter on globalThis.MessagePort never runs.
const PORT_PROTO: unknown = globalThis.MessagePort?.prototype;

function load(): Map<object, PlatformClass> {
  // Its methods as at load (walkMap): a get a program replaced never runs.
  const map = walkMap<object, PlatformClass>();
  const add = (names: string[], clones: boolean) => {
    for (const name of names) {
      let c: unknown = globalThis;
      for (const part of name.split(".")) {
        c = (c as Record<string, unknown> | undefined)?.[part];
      }
      const proto = (c as { prototype?: unknown } | undefined)?.prototype;
      if (typeof c === "function" && typeof proto === "object" && proto) {
        map.set(proto, { name, clones });
      }
    }
  };
  add(REFUSED, false);
  add(CLONED, true);
  return map;
}

/**
 * The platform class `value` is an instance of (its nearest in the
 * prototype chain), or undefined. A plain object answers at once. The walk
 * stops after 32 prototypes (a user's class hierarchy deeper than that over
 * a platform class is not seen, and goes as its own properties); it calls
 * getPrototypeOf on each (a Proxy prototype's trap runs), and naming a found
 * one reads its constructor's name and its toStringTag.
 */
export function platformClass(
  value: object,
  ordinary = false, // no Proxy in the chain (_core/kinds.ts): no isProxy
): PlatformClass | undefined {
  let proto = getPrototypeOf(value);
  if (proto === ObjectProto || proto === null) return undefined;
  // Its first lookup reads the platform's globals, some loaded lazily by
  // the host (host.ts roomToLoad): only with room for that.
  if (classes === undefined) {
    roomToLoad("the platform classes");
    classes = load();
  }
  for (let depth = 0; proto !== null && depth < 32; depth++) {
    // A MessagePort (an EventTarget) moves as a Thread arg (ports.ts).
    if (proto === PORT_PROTO) return undefined;
    if (!ordinary && isProxy(proto)) return undefined; // no trap run
    const found = classes.get(proto);
    if (found !== undefined) {
      // The most specific name the value gives (AbortSignal, not EventTarget).
      const own = Object.prototype.toString.call(value).slice(8, -1);
      const ctor = getPrototypeOf(value)?.constructor?.name;
      const name = typeof ctor === "string" && ctor !== "" && ctor !== "Object"
        ? ctor
        : own;
      return { name: name || found.name, clones: found.clones };
    }
    proto = getPrototypeOf(proto);
  }
  return undefined;
}

/**
 * encodeTransfer's refusal of `what` (a Proxy, a platform object): a
 * TypeError that {@linkcode refusedProxy} knows (Thread start wraps it).
 */
export function refused(what: string, hint: string): TypeError {
  const error = new TypeError(
    `Cannot send ${what} to another thread: structured clone refuses one (DataCloneError); ${hint}`,
  );
  refusals.add(error);
  return error;
}
const refusals = new WeakSet<object>();

/** Whether `error` is encodeTransfer's refusal (a Proxy, a platform object). */
export const refusedProxy = (error: unknown): boolean =>
  typeof error === "object" && error !== null && refusals.has(error);
