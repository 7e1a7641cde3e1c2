// Copyright 2026 the threadkit authors. MIT license.
// What the queue codec (_tagged.ts) refuses by kind, as queue items and task
// args: what structured clone refuses too, a MessagePort (which moves only
// as a Thread arg), and platform objects (_core/platform.ts), those that
// structured clone carries included, since an item is bytes.

import { platformClass } from "../_core/platform.ts";
import { isPort } from "../_core/ports.ts";
import { refusedKind } from "../_core/primordials.ts";

const PORT = "a MessagePort (pass it to the thread as a Thread arg instead)";

/** Why `obj` cannot be a queue item or task arg (what it is), or undefined. */
export function refusal(
  obj: object,
  ordinary = false, // _core/kinds.ts ORDINARY: no slots, no Proxy in the chain
): string | undefined {
  // From its slots (_core/primordials.ts refusedKind): no Symbol.toStringTag
  // (a getter structured clone never runs) decides.
  const what = isPort(obj, ordinary) ? PORT : refusedKind(obj, ordinary);
  if (what !== undefined) return what;
  const host = platformClass(obj, ordinary);
  if (host === undefined) return undefined;
  return host.clones
    ? `a ${host.name} (structured clone carries one as a Thread arg; a queue item or task arg is bytes: send its contents)`
    : `a ${host.name} (a platform object; structured clone refuses one too)`;
}
