// Copyright 2026 the threadkit authors. MIT license.
// pool/_mesh.ts's store-buffer argument rests on this probe (0 rounds where
// both missed, 20,000 rounds: Node 20, Deno 2.9.6, Bun 1.4.4).
// Same litmus, Deno web workers and the global MessageChannel; reads with node's receiveMessageOnPort.
import { receiveMessageOnPort } from "node:worker_threads";
const ROUNDS = 20000;
if (!("WorkerGlobalScope" in globalThis)) {
  const c1 = new MessageChannel(), c2 = new MessageChannel();
  const sync = new Int32Array(new SharedArrayBuffer(32));
  const res = new Int32Array(new SharedArrayBuffer(8 * ROUNDS));
  const mk = (role: number, post: MessagePort, read: MessagePort) =>
    new Promise<void>((r) => {
      const w = new Worker(import.meta.url, { type: "module" });
      w.onmessage = () => {
        w.terminate();
        r();
      };
      w.postMessage({ role, post, read, sync, res }, [post, read]);
    });
  await Promise.all([mk(0, c1.port1, c2.port2), mk(1, c2.port1, c1.port2)]);
  let both = 0, one = 0, two = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const x = res[2 * i], y = res[2 * i + 1];
    if (!x && !y) both++;
    else if (x && y) two++;
    else one++;
  }
  console.log(
    JSON.stringify({
      web: true,
      rounds: ROUNDS,
      bothMissed: both,
      oneSaw: one,
      bothSaw: two,
    }),
  );
} else {
  self.onmessage = (e: MessageEvent) => {
    const { role, post, read, sync, res } = e.data;
    for (let i = 0; i < ROUNDS; i++) {
      Atomics.add(sync, 0, 1);
      while (Atomics.load(sync, 0) < 2 * (i + 1)) { /* spin */ }
      post.postMessage(i);
      const got = receiveMessageOnPort(read as never);
      res[2 * i + role] = got ? 1 : 0;
      Atomics.add(sync, 1, 1);
      while (Atomics.load(sync, 1) < 2 * (i + 1)) { /* spin */ }
      if (!got) {
        let g;
        do {
          g = receiveMessageOnPort(read as never);
        } while (!g);
      }
    }
    (self as unknown as { postMessage(x: number): void }).postMessage(0);
  };
}
