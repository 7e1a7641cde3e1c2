// Copyright 2026 the threadkit authors. MIT license.
// Python's thread attributes that threadkit adds: the daemon setter,
// getNativeId, Timer's interval/target/args/finished, ExceptHookArgs' fields,
// and what inspecting a Thread shows.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import process from "node:process";
import {
  currentThread,
  type ExceptHookArgs,
  getNativeId,
  mainThread,
  RuntimeError,
  setExcepthook,
  Thread,
  Timer,
} from "../../mod.ts";

const JOIN = { timeout: 30_000 };

describe("Thread attributes", () => {
  it("Thread.daemon is settable before start() and a RuntimeError after, as in Python", async () => {
    const t = new Thread({ target: () => 1 });
    assert.equal(t.daemon, false);
    t.daemon = true;
    assert.equal(t.daemon, true);
    t.daemon = false;
    assert.throws(() => {
      t.daemon = "yes" as unknown as boolean;
    }, TypeError);
    t.daemon = true;
    t.start();
    assert.throws(() => {
      t.daemon = false;
    }, RuntimeError);
    assert.equal(t.daemon, true);
    await t.joinAsync(JOIN);
    assert.throws(() => {
      mainThread().daemon = true;
    }, RuntimeError);
  });

  it("Thread started as daemon by the setter runs as a daemon thread", async () => {
    const t = new Thread({
      target: () => currentThread().daemon,
    });
    t.daemon = true;
    t.start();
    assert.equal(await t.joinAsync(JOIN), true);
  });

  it("getNativeId() is the OS thread id where readable, distinct per live thread", async () => {
    const here = getNativeId();
    const t = new Thread({ target: () => getNativeId() });
    t.start();
    const there = await t.joinAsync(JOIN);
    if (process.platform === "linux") {
      assert.ok(Number.isInteger(here) && here! > 0, `main: ${here}`);
      assert.ok(Number.isInteger(there) && there! > 0, `thread: ${there}`);
      assert.notEqual(here, there);
    } else {
      assert.ok(here === undefined || Number.isInteger(here));
    }
  });

  it("Timer exposes interval, target, args and finished", async () => {
    const target = (a: number, b: number) => a + b;
    const timer = new Timer(1, target, [2, 3]);
    assert.equal(timer.interval, 1);
    assert.equal(timer.target, target);
    assert.deepEqual(timer.args, [2, 3]);
    assert.equal(timer.finished, false);
    timer.start();
    assert.equal(await timer.joinAsync(JOIN), 5);
    assert.equal(timer.finished, true);
    const cancelled = new Timer(60_000, target, [1, 1]);
    cancelled.cancel();
    assert.equal(cancelled.finished, true);
  });

  it("ExceptHookArgs carries Python's fields: excType, excValue, excTraceback, thread", async () => {
    let resolve!: (args: ExceptHookArgs) => void;
    const reported = new Promise<ExceptHookArgs>((r) => resolve = r);
    setExcepthook((args) => resolve(args));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const t = new Thread({
        target: () => {
          throw new TypeError("typed");
        },
        name: "hooked",
      });
      t.start();
      const args = await Promise.race([
        reported,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error("hook not called")),
            20_000,
          );
        }),
      ]);
      assert.equal(args.thread, t);
      assert.equal(args.excType, TypeError);
      assert.equal(args.excValue, args.error);
      assert.ok(args.excValue instanceof TypeError);
      assert.match(args.excTraceback!, /TypeError: typed/);
    } finally {
      clearTimeout(timer);
      setExcepthook(undefined);
    }
  });

  it("Thread shows name, ident, state and daemon when inspected", async () => {
    const t = new Thread({ target: () => 1, name: "shown" });
    assert.equal(
      inspect(t),
      'Thread { name: "shown", ident: undefined, state: "initial", daemon: false }'
        .replace(/"/g, quote()),
    );
    t.start();
    await t.joinAsync(JOIN);
    assert.match(
      inspect(t),
      new RegExp(`ident: ${t.ident}, state: ${quote()}stopped`),
    );
    assert.match(
      inspect(mainThread()),
      /^Thread \{ name: .MainThread., ident: 1, state: .started./,
    );
  });
});

// Deno's util.inspect quotes strings with ", Node's with '.
function quote(): string {
  return inspect("x")[0];
}
