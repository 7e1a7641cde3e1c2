// Copyright 2026 the threadkit authors. MIT license.
// The npm build (`deno task build:npm`): Deno sources in, an npm package out,
// in npm/. It does what @deno/dnt would (dnt, like all of JSR, cannot be
// installed here): TypeScript compiles every source file to ESM `.js` plus
// `.d.ts` with `rewriteRelativeImportExtensions` ("./x.ts" -> "./x.js"),
// target ES2022 so `using` is downlevelled for Node 20. The test suite is
// compiled in the same program into npm/tests/, where its relative imports
// ("../../mod.ts") land on the built files, so `node --test` runs the same
// tests against the package (npm/.npmignore keeps them out of the tarball).
//
// The whole tree is compiled, not a fixed list: every `.ts` file outside
// bench/, scripts/, examples/ and npm/ is library code, everything under
// tests/ is test code. Type errors in library code fail the build (they would
// mean a wrong `.d.ts`); type errors in tests (such as Deno-only APIs behind a
// runtime check) are reported and do not.
//
// One rewrite TypeScript does not do: `new URL("./x.ts", import.meta.url)`
// (the worker entry in _core/adapter.ts, worker modules of tests). A
// transformer turns such relative ".ts" string literals into ".js", so the
// built files keep the literal `new Worker(new URL("./x.js",
// import.meta.url))` form that bundlers recognise. It also turns the library's
// lazy dynamic imports, `import(new URL("./x.ts", import.meta.url).href)`
// (written so because Deno loads every module a literal dynamic import names
// when a worker starts: thread/_worker.ts), into `import("./x.js")`, the
// form bundlers follow.

import ts from "typescript";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
// Node's types, which the library code is checked against. Imported here so
// that Deno fetches the package; the compiler reads it from Deno's cache.
// deno-lint-ignore no-import-prefix
import "npm:@types/node@20.19.43/package.json" with { type: "json" };
// The test suite's npm dependencies (deno.json "imports"), fetched the same
// way; copied into npm/tests/node_modules so `node --test` resolves them.
// deno-lint-ignore no-import-prefix
import "npm:fast-check@4.10.2/package.json" with { type: "json" };
// deno-lint-ignore no-import-prefix
import "npm:pure-rand@8.4.2/package.json" with { type: "json" };

/** npm packages the tests import by bare name, with what they depend on. */
const TEST_PACKAGES: Record<string, string> = {
  "fast-check": "npm:fast-check@4.10.2/package.json",
  "pure-rand": "npm:pure-rand@8.4.2/package.json",
};

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "npm");
/** Top-level folders that are not part of the package or its tests. */
const SKIP_DIRS = new Set([
  ".git",
  ".ci",
  ".deno_dir",
  "bench",
  "coverage",
  "examples",
  "node_modules",
  "npm",
  "scripts",
]);

interface DenoJson {
  name: string;
  version: string;
  license?: string;
  exports: Record<string, string>;
  imports?: Record<string, string>;
}

function main(): void {
  const started = performance.now();
  const config = JSON.parse(
    Deno.readTextFileSync(join(ROOT, "deno.json")),
  ) as DenoJson;
  const files = walk(ROOT).filter((f) =>
    f.endsWith(".ts") && !f.endsWith(".d.ts")
  );
  const library = files.filter((f) => !isTest(f));
  const tests = files.filter(isTest);

  const nodeTypesDir = dirname(
    fileURLToPath(import.meta.resolve("npm:@types/node@20.19.43/package.json")),
  );
  const testPackageDirs = testPackages(config);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    rewriteRelativeImportExtensions: true,
    // Atomics.waitAsync is ES2024; Symbol.dispose typings are esnext;
    // the DOM lib types the web Worker that the Deno path of the adapter uses.
    lib: ["lib.es2024.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
    types: [],
    strict: true,
    declaration: true,
    skipLibCheck: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    useDefineForClassFields: true,
    rootDir: ROOT,
    outDir: OUT,
    // Bare imports of the tests' npm packages, typed from Deno's cache.
    paths: Object.fromEntries(
      Object.entries(testPackageDirs).map(([name, dir]) => [name, [dir]]),
    ),
    newLine: ts.NewLineKind.LineFeed,
  };
  const program = ts.createProgram({
    rootNames: [join(nodeTypesDir, "index.d.ts"), ...library, ...tests],
    options,
  });

  const diagnostics = ts.getPreEmitDiagnostics(program);
  const libraryErrors = diagnostics.filter((d) =>
    d.category === ts.DiagnosticCategory.Error &&
    (d.file === undefined || !isTest(d.file.fileName))
  );
  const testErrors = diagnostics.filter((d) =>
    d.category === ts.DiagnosticCategory.Error && d.file !== undefined &&
    isTest(d.file.fileName)
  );
  if (libraryErrors.length > 0) {
    console.error(format(libraryErrors));
    console.error(
      `build:npm: ${libraryErrors.length} type error(s) in library code; nothing written`,
    );
    Deno.exit(1);
  }
  if (testErrors.length > 0) {
    console.warn(format(testErrors));
    console.warn(
      `build:npm: ${testErrors.length} type error(s) in tests (not fatal: tests are emitted as they are)`,
    );
  }

  try {
    Deno.removeSync(OUT, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let written = 0;
  const result = program.emit(
    undefined,
    (fileName, text) => {
      // Tests need no declarations.
      if (
        fileName.endsWith(".d.ts") &&
        isTest(join(ROOT, relative(OUT, fileName)))
      ) {
        return;
      }
      Deno.mkdirSync(dirname(fileName), { recursive: true });
      Deno.writeTextFileSync(fileName, withDisposeShim(fileName, text));
      written++;
    },
    undefined,
    false,
    { before: [rewriteFileNames] },
  );
  if (result.emitSkipped) {
    console.error(format(result.diagnostics));
    Deno.exit(1);
  }

  Deno.writeTextFileSync(join(OUT, DISPOSE_SHIM), DISPOSE_TYPES);
  Deno.writeTextFileSync(
    join(OUT, "thread", "_worker_bundle.js"),
    npmBundle(
      Deno.readTextFileSync(join(ROOT, "thread", "_worker_bundle.js")),
    ),
  );
  written++;
  writePackageJson(config);
  Deno.writeTextFileSync(
    join(OUT, "README.md"),
    npmReadme(Deno.readTextFileSync(join(ROOT, "README.md"))),
  );
  for (const name of ["LICENSE"]) {
    try {
      Deno.copyFileSync(join(ROOT, name), join(OUT, name));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      console.warn(`build:npm: no ${name} to copy`);
    }
  }
  // The compiled tests stay beside the package, out of its tarball, with the
  // npm packages they import where Node looks for them.
  Deno.writeTextFileSync(join(OUT, ".npmignore"), "tests/\n");
  for (const [name, dir] of Object.entries(testPackageDirs)) {
    copyDir(dir, join(OUT, "tests", "node_modules", name));
  }

  const ms = Math.round(performance.now() - started);
  console.log(
    `build:npm: ${config.name}@${config.version} -> npm/ (${library.length} modules, ${tests.length} test files, ${written} files written, TypeScript ${ts.version}, ${ms} ms)`,
  );
}

// The Disposable types the declarations name (Guard implements Disposable
// and AsyncDisposable), for consumers whose lib has no esnext.disposable
// (say lib ES2022 + DOM, no @types/node): the same global declarations
// @types/node ships, which merge with TypeScript's own where both exist.
const DISPOSE_SHIM = "_dispose.d.ts";
const DISPOSE_TYPES = `// Copyright 2026 the threadkit authors. MIT license.
// The explicit resource management types threadkit's declarations use, for
// a TypeScript lib without esnext.disposable. They merge with TypeScript's
// own (and @types/node's identical ones) where those exist.

interface SymbolConstructor {
  readonly dispose: unique symbol;
  readonly asyncDispose: unique symbol;
}

interface Disposable {
  [Symbol.dispose](): void;
}

interface AsyncDisposable {
  [Symbol.asyncDispose](): PromiseLike<void>;
}
`;

/** A declaration file that names the Disposable types references the shim. */
function withDisposeShim(fileName: string, text: string): string {
  if (
    !fileName.endsWith(".d.ts") ||
    !/\b(Disposable|AsyncDisposable|Symbol\.(async)?[dD]ispose)\b/.test(text)
  ) return text;
  const shim = relative(dirname(fileName), join(OUT, DISPOSE_SHIM));
  return `/// <reference path="${shim}" />\n${text}`;
}

/**
 * The npm package's README, built from README.md: regions between
 * `<!-- deno-only -->` and `<!-- /deno-only -->` (Deno and JSR instructions,
 * `using` examples) are dropped, the package is imported as "threadkit"
 * (its npm name) instead of "@threadkit/threadkit", and fences lose Deno's
 * `ignore` marker. Throws when a code block left in it declares with
 * `using` (Node 20 has no `using` syntax) or still names the JSR package.
 */
/**
 * The worker entry's bundle (thread/_worker_bundle.js, scripts/bundle_entry.ts)
 * for the npm build, where threads on node:worker_threads (Node, Bun) start
 * in it (_core/adapter.ts): the same code, its lazy imports
 * (`import(new URL("../x.ts", import.meta.url).href)`) naming the built
 * `.js` files. They stay URL imports, so that a bundler follows none of them.
 * @throws {Error} when a `.ts` URL is left (an import of another form).
 */
export function npmBundle(bundle: string): string {
  // (URL, or the name the bundle gives host.ts's LoadTimeURL, imported as
  // URL by the entry's modules.)
  const out = bundle.replace(
    /new (URL|LoadTimeURL)\("([^"]+)\.ts", import\.meta\.url\)/g,
    'new $1("$2.js", import.meta.url)',
  ).replace(
    /^(\/\/ and why its copies of the modules keep one state per thread\.)$/m,
    "$1\n// (npm build: its lazy imports name the built .js files; scripts/build_npm.ts)",
  );
  const left = /["'][^"']+\.ts["']/.exec(out.replace(/^\/\/.*$/gm, ""));
  if (left !== null) {
    throw new Error(`build:npm: the worker bundle still names ${left[0]}`);
  }
  return out;
}

export function npmReadme(source: string): string {
  const text = source
    .replace(/<!-- deno-only -->[\s\S]*?<!-- \/deno-only -->\n*/g, "")
    .replace(/<!-- \/?npm-only -->\n*/g, "")
    .replaceAll('"@threadkit/threadkit"', '"threadkit"')
    .replaceAll('"@threadkit/threadkit/', '"threadkit/')
    .replace(/^(```\w+) ignore$/gm, "$1");
  for (const [, code] of text.matchAll(/^```\w*[^\n]*\n([\s\S]*?)^```/gm)) {
    const using = /^\s*(?:await\s+)?using\s+[\w$]+\s*=/m.exec(code);
    if (using !== null) {
      throw new Error(
        `build:npm: README code block uses \`using\` (Node 20 has none); mark it deno-only: ${
          using[0].trim()
        }`,
      );
    }
    if (code.includes("@threadkit/threadkit")) {
      throw new Error(
        "build:npm: README code block names @threadkit/threadkit",
      );
    }
  }
  return "<!-- Generated from README.md by scripts/build_npm.ts. -->\n\n" +
    text;
}

// The cache folders of TEST_PACKAGES; each must match deno.json's pin.
function testPackages(config: DenoJson): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(TEST_PACKAGES)) {
    const pinned = config.imports?.[name];
    if (pinned !== undefined && pinned + "/package.json" !== spec) {
      throw new Error(
        `build:npm: deno.json imports ${name} as ${pinned}, scripts/build_npm.ts copies ${spec}; make them agree`,
      );
    }
    dirs[name] = dirname(fileURLToPath(import.meta.resolve(spec)));
  }
  return dirs;
}

function copyDir(from: string, to: string): void {
  Deno.mkdirSync(to, { recursive: true });
  for (const entry of Deno.readDirSync(from)) {
    const src = join(from, entry.name), dst = join(to, entry.name);
    if (entry.isDirectory) copyDir(src, dst);
    else if (entry.isFile) Deno.copyFileSync(src, dst);
  }
}

function isTest(file: string): boolean {
  return relative(ROOT, file).split(/[\\/]/)[0] === "tests";
}

function writePackageJson(config: DenoJson): void {
  const exports: Record<string, { types: string; default: string }> = {};
  for (const [key, source] of Object.entries(config.exports)) {
    const base = source.replace(/\.ts$/, "");
    exports[key] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  const pkg = {
    name: "threadkit",
    version: config.version,
    description:
      "Python's threading and queue model on real threads: workers sharing SharedArrayBuffer and Atomics",
    license: config.license ?? "MIT",
    type: "module",
    main: exports["."]?.default,
    types: exports["."]?.types,
    exports: { ...exports, "./package.json": "./package.json" },
    // 20.19: require() of this ES module works without a flag (CommonJS
    // consumers, tested by scripts/ci_node.sh); 20.16 brought
    // process.getBuiltinModule, which _core/adapter.ts loads
    // node:worker_threads with.
    engines: { node: ">=20.19" },
    keywords: [
      "threads",
      "threading",
      "multithreading",
      "worker",
      "worker_threads",
      "web-worker",
      "sharedarraybuffer",
      "atomics",
      "lock",
      "mutex",
      "rwlock",
      "semaphore",
      "condition-variable",
      "barrier",
      "queue",
      "python",
    ],
    // The package's page follows from its JSR name. No repository or bugs
    // URL: the project has no public repository address yet, and a guessed
    // one would send users to someone else's page.
    homepage: "https://jsr.io/@threadkit/threadkit",
    sideEffects: true,
  };
  Deno.writeTextFileSync(
    join(OUT, "package.json"),
    JSON.stringify(pkg, null, 2) + "\n",
  );
}

/**
 * Rewrites ".ts" file names that TypeScript leaves alone to ".js": in every
 * file the first argument of `new URL("./x.ts", import.meta.url)`, and in
 * tests every string literal that is a relative path or a plain file name
 * ending in ".ts" (such as `runProgram(program("daemon_exit.ts"))`).
 */
export function rewriteFileNames(
  context: ts.TransformationContext,
): ts.Transformer<ts.SourceFile> {
  const f = context.factory;
  return (file) => {
    const test = isTest(file.fileName);
    const visit = (node: ts.Node): ts.Node => {
      const lazy = lazyImport(node);
      if (lazy !== undefined) {
        return f.updateCallExpression(
          node as ts.CallExpression,
          (node as ts.CallExpression).expression,
          undefined,
          [f.createStringLiteral(toJs(lazy))],
        );
      }
      if (
        test && ts.isStringLiteral(node) && TEST_FILE_NAME.test(node.text) &&
        !ts.isImportDeclaration(node.parent) &&
        !ts.isExportDeclaration(node.parent)
      ) {
        return f.createStringLiteral(toJs(node.text));
      }
      if (
        ts.isNewExpression(node) && ts.isIdentifier(node.expression) &&
        // (URL_: the record's, _core/adapter.ts)
        (node.expression.text === "URL" || node.expression.text === "URL_") &&
        node.arguments?.length === 2 &&
        ts.isStringLiteralLike(node.arguments[0]) &&
        RELATIVE_TS.test(node.arguments[0].text) &&
        isImportMetaUrl(node.arguments[1])
      ) {
        return f.updateNewExpression(
          node,
          node.expression,
          node.typeArguments,
          [
            f.createStringLiteral(toJs(node.arguments[0].text)),
            node.arguments[1],
          ],
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(file, visit) as ts.SourceFile;
  };
}

// The relative ".ts" path of `import(new URL("./x.ts", import.meta.url).href)`.
function lazyImport(node: ts.Node): string | undefined {
  if (
    !ts.isCallExpression(node) ||
    node.expression.kind !== ts.SyntaxKind.ImportKeyword ||
    node.arguments.length !== 1
  ) return undefined;
  const href = node.arguments[0];
  if (
    !ts.isPropertyAccessExpression(href) || href.name.text !== "href" ||
    !ts.isNewExpression(href.expression)
  ) return undefined;
  const url = href.expression;
  if (
    !ts.isIdentifier(url.expression) || url.expression.text !== "URL" ||
    url.arguments?.length !== 2 || !ts.isStringLiteralLike(url.arguments[0]) ||
    !RELATIVE_TS.test(url.arguments[0].text) ||
    !isImportMetaUrl(url.arguments[1])
  ) return undefined;
  return url.arguments[0].text;
}

const RELATIVE_TS = /^\.\.?\/[^\s]*[^.\s/]\.ts$/;
const TEST_FILE_NAME = /^(\.\.?\/)?[\w./-]*\w\.ts$/;

function toJs(path: string): string {
  return path.endsWith(".d.ts") ? path : path.replace(/\.ts$/, ".js");
}

function isImportMetaUrl(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === "url" &&
    ts.isMetaProperty(node.expression) &&
    node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (dir === ROOT && SKIP_DIRS.has(entry.name)) continue;
      out.push(...walk(path));
    } else if (entry.isFile) {
      out.push(path);
    }
  }
  return out.sort();
}

function format(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  });
}

if (import.meta.main) main();
