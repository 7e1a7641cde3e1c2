// Copyright 2026 the threadkit authors. MIT license.
// postMessage side of bench/limits.ts (plain JS: Deno runs it as a web
// worker, Node as a node:worker_threads worker, both from this file).
// Set up once with { role, port? }: a "producer" sends through `port`; a
// "consumer" counts what arrives through `port` (or, with no port, from the
// parent). Each round: the parent sends { go: n, batch } to the consumer,
// which answers "ready"; then to the producer (if any), which sends n items
// as { id, payload } objects, one message each (batch 1) or in arrays of
// `batch`. The consumer answers the checksum once n items arrived.
const PAYLOAD = "abcdefghijklmnopqrstuvwxyz012345";
const node = typeof globalThis.Deno === "undefined" &&
  typeof globalThis.WorkerGlobalScope === "undefined";
const parent = node
  ? (await import("node:worker_threads")).parentPort
  : globalThis;

let role = "", port, want = -1, count = 0, sum = 0;

function listen(target, handle) {
  if (typeof target.on === "function") target.on("message", handle);
  else target.onmessage = (e) => handle(e.data);
}

function item(x) {
  sum = (sum + x.id + x.payload.length) | 0;
  count++;
}

function take(m) {
  if (Array.isArray(m)) { for (const x of m) item(x); }
  else item(m);
  if (count === want) parent.postMessage(sum);
}

function produce(n, batch) {
  if (batch === 1) {
    for (let i = 0; i < n; i++) port.postMessage({ id: i, payload: PAYLOAD });
    return;
  }
  for (let i = 0; i < n; i += batch) {
    const items = [];
    for (let j = i; j < Math.min(i + batch, n); j++) {
      items.push({ id: j, payload: PAYLOAD });
    }
    port.postMessage(items);
  }
}

listen(parent, (m) => {
  if (m && typeof m === "object" && "role" in m) {
    role = m.role;
    port = m.port;
    if (role === "consumer" && port) listen(port, take);
    parent.postMessage("set");
  } else if (m && typeof m === "object" && "go" in m) {
    if (role === "producer") produce(m.go, m.batch);
    else {
      want = m.go;
      count = 0;
      sum = 0;
      parent.postMessage("ready");
    }
  } else if (m === "stop") {
    if (port) port.close();
    parent.close?.();
    if (!node) globalThis.close();
  } else take(m);
});
