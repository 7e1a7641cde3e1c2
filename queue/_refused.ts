// Copyright 2026 the threadkit authors. MIT license.
// What the queue codec (_tagged.ts) refuses by kind, as queue items and task
// args: what structured clone refuses too, a MessagePort (which moves only
// as a Thread arg), and platform objects (_core/platform.ts), those that
// structured clone carries included, since an item is bytes.

import { platformClass } from "../_core/platform.ts";
import { isPort } from "../_core/ports.ts";

// A lookup table without a prototype: a name from the data finds nothing.
const REFUSED: Record<string, string> = Object.assign(Object.create(null), {
  Promise: "a Promise",
  WeakMap: "a WeakMap",
  WeakSet: "a WeakSet",
  WeakRef: "a WeakRef",
  FinalizationRegistry: "a FinalizationRegistry",
  Generator: "a generator",
  AsyncGenerator: "an async generator",
  MessagePort: "a MessagePort (pass it to the thread as a Thread arg instead)",
});

/** Why `obj` cannot be a queue item or task arg (what it is), or undefined. */
export function refusal(obj: object): string | undefined {
  const tagName = isPort(obj)
    ? "MessagePort" // Node's says "EventTarget"
    : Object.prototype.toString.call(obj).slice(8, -1);
  if (REFUSED[tagName] !== undefined) return REFUSED[tagName];
  const host = platformClass(obj);
  if (host === undefined) return undefined;
  return host.clones
    ? `a ${host.name} (structured clone carries one as a Thread arg; a queue item or task arg is bytes: send its contents)`
    : `a ${host.name} (a platform object; structured clone refuses one too)`;
}
