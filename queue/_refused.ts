// Copyright 2026 the threadkit authors. MIT license.
// What the queue codec (_tagged.ts) refuses by kind, as queue items and task
// args: what structured clone refuses too, a MessagePort (which moves only
// as a Thread arg), and platform objects (_core/platform.ts), those that
// structured clone carries included, since an item is bytes.

import { platformClass } from "../_core/platform.ts";
import { isPort } from "../_core/ports.ts";

// A lookup table without a prototype: a name from the data finds nothing.
// Keyed by Object.prototype.toString's answer ("[object Promise]", ...).
const REFUSED: Record<string, string> = Object.assign(Object.create(null), {
  "[object Promise]": "a Promise",
  "[object WeakMap]": "a WeakMap",
  "[object WeakSet]": "a WeakSet",
  "[object WeakRef]": "a WeakRef",
  "[object FinalizationRegistry]": "a FinalizationRegistry",
  "[object Generator]": "a generator",
  "[object AsyncGenerator]": "an async generator",
  MessagePort: "a MessagePort (pass it to the thread as a Thread arg instead)",
});
const apply = Reflect.apply, objectToString = Object.prototype.toString;

/** Why `obj` cannot be a queue item or task arg (what it is), or undefined. */
export function refusal(obj: object): string | undefined {
  // Primordials (read at load): a program's replacement is not called.
  const what = isPort(obj)
    ? REFUSED.MessagePort // Node's says "EventTarget"
    : REFUSED[apply(objectToString, obj, []) as string];
  if (what !== undefined) return what;
  const host = platformClass(obj);
  if (host === undefined) return undefined;
  return host.clones
    ? `a ${host.name} (structured clone carries one as a Thread arg; a queue item or task arg is bytes: send its contents)`
    : `a ${host.name} (a platform object; structured clone refuses one too)`;
}
