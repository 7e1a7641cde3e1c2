// Copyright 2026 the threadkit authors. MIT license.
// A module whose namespace object (`import * as ns`) the kinds tests send:
// data exports only, so that nothing but its kind can refuse it.
export const a = 1;
export const b = { c: "two" };
