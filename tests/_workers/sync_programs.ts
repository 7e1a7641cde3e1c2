// Copyright 2026 the threadkit authors. MIT license.
// Module targets for the Condition, Semaphore and Event tests: the seed
// lesson's prime printer (with a Condition and with two Events) and the
// bounded buffer used by the stress tests. Every wait is bounded: a wait that
// runs out of time throws, so a lost wakeup fails the test instead of
// hanging it.
import type { Condition, Event, Lock, Semaphore } from "../../mod.ts";

const LIMIT = 20_000;

function must(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${what} timed out`);
}

/** The seed's is_prime. */
export function isPrime(num: number): boolean {
  if (num === 2 || num === 3) return true;
  for (let div = 2; div <= num / 2; div++) if (num % div === 0) return false;
  return true;
}

// Prime printer state, one Int32Array: [FOUND, HOLDER, EXIT, PRINTED, out...]
const FOUND = 0, HOLDER = 1, EXIT = 2, PRINTED = 3, OUT = 4;

/** The seed's finder thread, with a Condition (notifyAll: two printers). */
export function condFinder(cond: Condition, s: Int32Array): number {
  let i = 1;
  let found = 0;
  while (!s[EXIT]) {
    while (!isPrime(i)) i++;
    cond.acquire();
    s[HOLDER] = i;
    s[FOUND] = 1;
    found++;
    cond.notifyAll();
    while (s[FOUND] && !s[EXIT]) must(cond.wait({ timeout: LIMIT }), "finder");
    cond.release();
    i++;
  }
  return found;
}

/** The seed's printer thread, with a Condition; "prints" into s[OUT...]. */
export function condPrinter(cond: Condition, s: Int32Array): number {
  let printed = 0;
  while (!s[EXIT]) {
    cond.acquire();
    while (!s[FOUND] && !s[EXIT]) {
      must(cond.wait({ timeout: LIMIT }), "printer");
    }
    if (!s[EXIT]) {
      s[OUT + s[PRINTED]++] = s[HOLDER];
      s[HOLDER] = 0;
      s[FOUND] = 0;
      printed++;
      cond.notifyAll();
    }
    cond.release();
  }
  return printed;
}

/** The seed's finder with two Events. */
export function eventFinder(
  available: Event,
  printed: Event,
  s: Int32Array,
): void {
  let i = 1;
  while (!Atomics.load(s, EXIT)) {
    while (!isPrime(i)) i++;
    s[HOLDER] = i;
    available.set();
    must(printed.wait({ timeout: LIMIT }), "finder");
    printed.clear();
    i++;
  }
}

/** The seed's printer with two Events (async waits, for variety). */
export async function eventPrinter(
  available: Event,
  printed: Event,
  s: Int32Array,
): Promise<void> {
  while (!Atomics.load(s, EXIT)) {
    must(await available.waitAsync({ timeout: LIMIT }), "printer");
    if (Atomics.load(s, EXIT)) break;
    s[OUT + s[PRINTED]++] = s[HOLDER];
    s[HOLDER] = 0;
    available.clear();
    printed.set();
  }
}

// Bounded buffer: ring [HEAD, TAIL, COUNT, slots...]; seen[item] counts.
const HEAD = 0, TAIL = 1, COUNT = 2, RING = 3;

/** Puts `n` items (`base`..`base+n-1`) with one Lock and two Conditions. */
export function condProduce(
  notFull: Condition,
  notEmpty: Condition,
  ring: Int32Array,
  base: number,
  n: number,
): number {
  const cap = ring.length - RING;
  for (let i = 0; i < n; i++) {
    notFull.acquire();
    while (ring[COUNT] === cap) must(notFull.wait({ timeout: LIMIT }), "put");
    ring[RING + ring[TAIL]] = base + i;
    ring[TAIL] = (ring[TAIL] + 1) % cap;
    ring[COUNT]++;
    notEmpty.notify();
    notFull.release();
  }
  return n;
}

/** Takes `n` items and counts each in `seen`. */
export async function condConsume(
  notFull: Condition,
  notEmpty: Condition,
  ring: Int32Array,
  seen: Int32Array,
  n: number,
  async: boolean,
): Promise<number> {
  const cap = ring.length - RING;
  for (let i = 0; i < n; i++) {
    if (async) await notEmpty.acquireAsync();
    else notEmpty.acquire();
    while (ring[COUNT] === 0) {
      const ok = async
        ? await notEmpty.waitAsync({ timeout: LIMIT })
        : notEmpty.wait({ timeout: LIMIT });
      must(ok, "get");
    }
    const item = ring[RING + ring[HEAD]];
    ring[HEAD] = (ring[HEAD] + 1) % cap;
    ring[COUNT]--;
    notFull.notify();
    notEmpty.release();
    Atomics.add(seen, item, 1);
  }
  return n;
}

/** Puts `n` items with Semaphores (free slots, full slots) and a Lock. */
export function semProduce(
  free: Semaphore,
  full: Semaphore,
  lock: Lock,
  ring: Int32Array,
  base: number,
  n: number,
): number {
  const cap = ring.length - RING;
  for (let i = 0; i < n; i++) {
    must(free.acquire({ timeout: LIMIT }), "put");
    lock.acquire();
    ring[RING + ring[TAIL]] = base + i;
    ring[TAIL] = (ring[TAIL] + 1) % cap;
    lock.release();
    full.release();
  }
  return n;
}

/** Takes `n` items with Semaphores and counts each in `seen`. */
export async function semConsume(
  free: Semaphore,
  full: Semaphore,
  lock: Lock,
  ring: Int32Array,
  seen: Int32Array,
  n: number,
  async: boolean,
): Promise<number> {
  const cap = ring.length - RING;
  for (let i = 0; i < n; i++) {
    const ok = async
      ? await full.acquireAsync({ timeout: LIMIT })
      : full.acquire({ timeout: LIMIT });
    must(ok, "get");
    lock.acquire();
    const item = ring[RING + ring[HEAD]];
    ring[HEAD] = (ring[HEAD] + 1) % cap;
    lock.release();
    free.release();
    Atomics.add(seen, item, 1);
  }
  return n;
}
