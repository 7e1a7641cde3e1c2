// Copyright 2026 the threadkit authors. MIT license.
// The package loaded by URL, as JSR delivers it: a server on 127.0.0.1 serves
// the files `deno publish` would publish (plus the test's own module
// targets, as a user's modules), and a Deno program that imports mod.ts by
// http URL starts every kind of thread (programs/url_import.ts). Serving
// only the published files also checks that the published set holds every
// file a worker loads. Deno only: Node and Bun cannot import by http URL.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeno } from "../_helpers.ts";

interface DenoApi {
  serve(
    options: {
      hostname: string;
      port: number;
      signal: AbortSignal;
      onListen(addr: { port: number }): void;
    },
    handler: (request: Request) => Promise<Response>,
  ): { finished: Promise<void> };
  readFile(path: string | URL): Promise<Uint8Array<ArrayBuffer>>;
  readTextFileSync(path: string | URL): string;
  execPath(): string;
}
const D = (globalThis as unknown as { Deno: DenoApi }).Deno;

const ROOT = new URL("../../", import.meta.url);
const TYPES: Record<string, string> = {
  ts: "application/typescript; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** Whether `path` (relative to the root) is in the published set. */
function published(path: string): boolean {
  const config = JSON.parse(D.readTextFileSync(new URL("deno.json", ROOT)));
  const exclude: string[] = config.publish?.exclude ?? [];
  return !path.startsWith(".") &&
    !exclude.some((e) => path === e || path.startsWith(e.replace(/\/?$/, "/")));
}

describe("Package loaded by URL", { skip: !isDeno && "needs Deno" }, () => {
  it("Thread: every kind of thread starts when mod.ts is imported by http URL", async () => {
    const refused: string[] = [];
    const stop = new AbortController();
    let port = 0;
    const listening = new Promise<void>((resolve) => {
      const server = D.serve({
        hostname: "127.0.0.1",
        port: 0,
        signal: stop.signal,
        onListen: (addr) => {
          port = addr.port;
          resolve();
        },
      }, async (request) => {
        const path = decodeURIComponent(new URL(request.url).pathname).slice(1);
        const own = path === "tests/_workers/url_target.ts";
        if (path.includes("..") || (!own && !published(path))) {
          refused.push(path);
          return new Response("not published", { status: 404 });
        }
        try {
          return new Response(await D.readFile(new URL(path, ROOT)), {
            headers: { "content-type": TYPES[path.split(".").pop()!] ?? "" },
          });
        } catch {
          return new Response("not found", { status: 404 });
        }
      });
      void server.finished;
    });
    try {
      await listening;
      const origin = `127.0.0.1:${port}`;
      const program = new URL(
        "../_workers/programs/url_import.ts",
        import.meta.url,
      );
      const args = [
        "run",
        "--no-config",
        "--no-lock",
        `--allow-import=${origin}`,
        fileURLToPath(program),
        `http://${origin}`,
      ];
      const cache = mkdtempSync(join(tmpdir(), "threadkit-url-"));
      console.log(`url_import: DENO_DIR=${cache} deno ${args.join(" ")}`);
      const run = await new Promise<
        { code: number | null; out: string; err: string }
      >(
        (resolve, reject) => {
          const child = spawn(D.execPath(), args, {
            // A fresh module cache: every module is fetched from the server.
            env: { ...process.env, NO_COLOR: "1", DENO_DIR: cache },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let out = "", err = "";
          child.stdout.on("data", (d) => out += d);
          child.stderr.on("data", (d) => err += d);
          const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
          child.on("error", reject);
          child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, out, err });
          });
        },
      );
      rmSync(cache, { recursive: true, force: true });
      assert.equal(run.code, 0, `${run.out}\n${run.err}`);
      assert.deepEqual(refused, [], "a worker loaded an unpublished file");
      const lines = run.out.trim().split("\n");
      const kinds = ["non-daemon", "daemon"];
      assert.deepEqual(lines, [
        ...kinds.flatMap((kind) => [
          `ok ${kind} source target: [5,${kind === "daemon"}]`,
          `ok ${kind} module target: [9,${kind === "daemon"}]`,
          `ok ${kind} thread starting a ${
            kind === "daemon" ? "non-daemon" : "daemon"
          }: ["inner done",${kind !== "daemon"}]`,
          `ok ${kind} Timer: 42`,
        ]),
        "main done",
        "ok non-daemon ran past the main thread's code",
      ]);
    } finally {
      stop.abort();
    }
  });
});
