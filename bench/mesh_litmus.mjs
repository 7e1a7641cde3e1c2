// Copyright 2026 the threadkit authors. MIT license.
// pool/_mesh.ts's store-buffer argument rests on this probe (0 rounds where
// both missed, 20,000 rounds: Node 20, Deno 2.9.6, Bun 1.4.4).
// Store-buffer litmus on MessagePorts: A posts on p1 then reads p2; B posts on p2 then reads p1.
import {
  isMainThread,
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  workerData,
} from "node:worker_threads";
const ROUNDS = Number(globalThis.process?.env?.ROUNDS ?? 20000);
if (isMainThread) {
  const c1 = new MessageChannel(), c2 = new MessageChannel();
  const sync = new Int32Array(new SharedArrayBuffer(4 * 8));
  const res = new Int32Array(new SharedArrayBuffer(4 * 2 * ROUNDS));
  const url = new URL(import.meta.url);
  const a = new Worker(url, {
    workerData: { role: 0, post: c1.port1, read: c2.port2, sync, res },
    transferList: [c1.port1, c2.port2],
  });
  const b = new Worker(url, {
    workerData: { role: 1, post: c2.port1, read: c1.port2, sync, res },
    transferList: [c2.port1, c1.port2],
  });
  let done = 0;
  const fin = () => {
    if (++done < 2) return;
    let both = 0, one = 0, two = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const x = res[2 * i], y = res[2 * i + 1];
      if (!x && !y) both++;
      else if (x && y) two++;
      else one++;
    }
    console.log(
      JSON.stringify({
        rounds: ROUNDS,
        bothMissed: both,
        oneSaw: one,
        bothSaw: two,
      }),
    );
  };
  a.on("exit", fin);
  b.on("exit", fin);
} else {
  const { role, post, read, sync, res } = workerData;
  for (let i = 0; i < ROUNDS; i++) {
    // barrier: both arrive at round i
    Atomics.add(sync, 0, 1);
    while (Atomics.load(sync, 0) < 2 * (i + 1)) { /* spin */ }
    post.postMessage(i);
    const got = receiveMessageOnPort(read);
    res[2 * i + role] = got ? 1 : 0;
    Atomics.add(sync, 1, 1);
    while (Atomics.load(sync, 1) < 2 * (i + 1)) { /* spin */ }
    if (!got) {
      let g;
      do {
        g = receiveMessageOnPort(read);
      } while (!g);
    }
  }
  post.close();
  read.close();
}
