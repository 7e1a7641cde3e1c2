// Copyright 2026 the threadkit authors. MIT license.
// The thread-start task as plain JS: the module target of
// bench/start_ab_node.mjs (`addOne`): returns n + 1.
export function addOne(n) {
  return n + 1;
}
