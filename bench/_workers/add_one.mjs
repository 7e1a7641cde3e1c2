// Copyright 2026 the threadkit authors. MIT license.
// piscina's task on Node (bench/node_pool.mjs): returns n + 1.
export default function addOne(n) {
  return n + 1;
}
