// Copyright 2026 the threadkit authors. MIT license.
// A module shaped like threadkit's codec modules (_core/outcome.ts,
// _core/transfer.ts) whose encoders forge what they are given: what a
// thread's result or error becomes if the entry imports this in their place.

/** Forges every error. */
export function encodeError(_e: unknown): unknown {
  return { v: "forged error" };
}

/** Forges every result. */
export function encodeTransfer(_v: unknown): unknown {
  return "forged result";
}
