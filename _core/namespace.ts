// Copyright 2026 the threadkit authors. MIT license.
// Module namespace objects (`import * as ns`): structured clone refuses
// them (DataCloneError, on Deno, Node and Bun alike), so the encoders do
// (_core/kinds.ts REFUSED, _core/primordials.ts refusedKind).

import { utilTypes } from "./host.ts";
import { B } from "./primordials_record.ts";

// The load-time built-ins (_core/primordials_record.ts): this module may
// load in a thread after the thread's own code replaced them.
const { isExtensible, getOwn, toStringTag: TAG } = B;

/**
 * Whether `value` (not a Proxy) is a module namespace object (`import * as
 * ns`), which structured clone refuses. Every namespace is not extensible
 * (ECMA-262 10.4.6), the cheap first test. Then node:util's
 * isModuleNamespaceObject where the host has it: exact (the engine's own
 * object type; an object shaped like one is not one). Elsewhere (browsers)
 * by the own Symbol.toStringTag ECMA-262 gives every namespace (28.3.1):
 * "Module", neither writable, enumerable nor configurable. No namespace
 * fails that; an object a program made so on purpose is refused too
 * (structured clone would copy it). Not by its prototype: null by the
 * spec, but Bun's namespaces have one (a null-prototype object). Runs no
 * code of the value (no getter, no binding read).
 */
export function isNamespace(value: object): boolean {
  if (isExtensible(value)) return false;
  const test = utilTypes()?.isModuleNamespaceObject;
  if (typeof test === "function") return test(value);
  const d = getOwn(value, TAG);
  return d !== undefined && d.value === "Module" && !d.writable &&
    !d.enumerable && !d.configurable;
}
