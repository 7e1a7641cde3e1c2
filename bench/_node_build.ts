// Copyright 2026 the threadkit authors. MIT license.
// Builds the Node form of the process-per-ratio benchmark into npm/bench/,
// beside the npm build of the package (deno task build:npm makes npm/):
// every bench file that bench/limits.ts reaches is transpiled (TypeScript
// transpileModule, relative ".ts" imports and `new URL("./x.ts")` rewritten
// to ".js"), post.mjs is copied, and ringbuf.js and piscina are copied from
// Deno's npm cache into npm/bench/node_modules. "../mod.ts" then lands on
// npm/mod.js: Node runs the built package, as an npm user would.
import ts from "typescript";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// Fetched by Deno (deno.json "imports"); their files are copied from the cache.
import "ringbuf.js";
import "piscina";

const BENCH = fileURLToPath(new URL(".", import.meta.url));
const OUT = join(BENCH, "..", "npm", "bench");

/** The bench files the Node run needs (those limits.ts imports, transitively). */
const FILES = [
  "_ab.ts",
  "_crew.ts",
  "_futex.ts",
  "_mpmc_proto.ts",
  "_pin.ts",
  "_pingpong.ts",
  "_place.ts",
  "_pool_rows.ts",
  "_pool_sides.ts",
  "_ring.ts",
  "_rows.ts",
  "_sides.ts",
  "_team.ts",
  "limits.ts",
  "pool_ab.ts",
  "rows_ab.ts",
  "rt_place.ts",
  "struct_ab.ts",
  "wake_ab.ts",
  "_workers/add_one.ts",
  "_workers/add_one_chunk.ts",
  "_workers/contend.ts",
  "_workers/limits.ts",
];

/** Builds npm/bench/; npm/ must exist (deno task build:npm). */
export function buildNodeBench(): string {
  for (const f of FILES) {
    const src = Deno.readTextFileSync(join(BENCH, f));
    const { outputText } = ts.transpileModule(src, {
      fileName: f,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        rewriteRelativeImportExtensions: true,
        verbatimModuleSyntax: false,
      },
    });
    // `new URL("./_workers/x${EXT}")` is computed; plain ".ts" URL literals
    // (none today) would need the build's transformer.
    const dst = join(OUT, f.replace(/\.ts$/, ".js"));
    Deno.mkdirSync(dirname(dst), { recursive: true });
    Deno.writeTextFileSync(dst, outputText);
  }
  Deno.copyFileSync(
    join(BENCH, "_workers", "post.mjs"),
    join(OUT, "_workers", "post.mjs"),
  );
  // ringbuf.js's module entry is dist/index.mjs: its package is two up.
  const pkg = dirname(
    dirname(fileURLToPath(import.meta.resolve("ringbuf.js"))),
  );
  copyDir(pkg, join(OUT, "node_modules", "ringbuf.js"));
  // piscina (the executor rows' baseline on Node): its package root is one
  // up from its main entry (dist/main.js); its one dependency, @napi-rs/nice,
  // is optional (loaded in a try).
  const piscina = dirname(
    dirname(fileURLToPath(import.meta.resolve("piscina"))),
  );
  copyDir(piscina, join(OUT, "node_modules", "piscina"));
  Deno.writeTextFileSync(
    join(OUT, "package.json"),
    '{ "private": true, "type": "module" }\n',
  );
  return join(OUT, "limits.js");
}

function copyDir(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    const src = join(from, e.name), dst = join(to, e.name);
    if (e.isDirectory) copyDir(src, dst);
    else Deno.copyFileSync(src, dst);
  }
}

if (import.meta.main) console.log(buildNodeBench());
