// Copyright 2026 the threadkit authors. MIT license.
// A module target that imports a URL polyfill ahead of threadkit (static
// imports run in order: the polyfill's body before threadkit's modules load
// in this thread), then starts a thread of its own and joins it.
import "./_url_polyfill.ts";
import { Thread } from "../../mod.ts";

/** Starts a thread returning 42 (daemon or not) and returns its result. */
export async function startInner(daemon: boolean): Promise<unknown> {
  const t = new Thread({ target: () => 42, daemon });
  t.start();
  return await t.joinAsync({ timeout: 20_000 });
}
