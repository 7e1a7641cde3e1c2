// Copyright 2026 the threadkit authors. MIT license.
// The browser check (run by scripts/ci_browser.sh): serves the repository
// from 127.0.0.1 with the two cross-origin isolation headers (COOP
// same-origin, COEP require-corp), opens tests/browser/index.html in headless
// Chromium through playwright-core, and reports each of the page's checks.
//
//   node scripts/ci_browser.mjs CHROMIUM_PATH NODE_MODULES_DIR [BUNDLE_DIR]
//
// The page runs twice: on the npm build as it is (?mode=npm), and, when
// BUNDLE_DIR is given, on an esbuild bundle of it served at /bundle/
// (?mode=bundle).
//
// Closes with "browser: N passed, N failed"; exits 1 when anything failed.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [chromiumPath, playwrightDir, bundleDir] = process.argv.slice(2);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
};

const server = createServer(async (request, response) => {
  const path = normalize(
    decodeURIComponent(new URL(request.url, "http://x").pathname),
  );
  const headers = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
  };
  const bundled = bundleDir !== undefined && path.startsWith("/bundle/");
  if (
    path.includes("..") ||
    (!bundled && !/^\/(npm|tests\/browser)\//.test(path))
  ) {
    response.writeHead(404, headers).end("not served");
    return;
  }
  try {
    const body = await readFile(
      bundled ? join(bundleDir, path.slice(8)) : join(ROOT, path),
    );
    response.writeHead(200, {
      ...headers,
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
    }).end(body);
  } catch {
    response.writeHead(404, headers).end("not found");
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base =
  `http://127.0.0.1:${server.address().port}/tests/browser/index.html`;
const modes = bundleDir === undefined ? ["npm"] : ["npm", "bundle"];

let passed = 0;
let failed = 0;
let browser;
try {
  const { chromium } = await import(
    pathToFileURL(join(playwrightDir, "node_modules/playwright-core/index.mjs"))
      .href
  );
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox"],
  });
  console.log(`browser: Chromium ${await browser.version()}`);
  for (const mode of modes) {
    const page = await browser.newPage();
    page.on("console", (m) => console.log(`browser console: ${m.text()}`));
    page.on(
      "pageerror",
      (e) => console.log(`browser page error: ${e.message}`),
    );
    const url = `${base}?mode=${mode}`;
    console.log(`browser: opens ${url}`);
    await page.goto(url);
    await page.waitForFunction(() => globalThis.threadkitResult, null, {
      timeout: 120_000, // a bound on a hang: past 60 s at load 60-75
    });
    const result = await page.evaluate(() => globalThis.threadkitResult);
    for (const c of result.checks) {
      console.log(
        `${c.ok ? "ok  " : "FAIL"} browser (${mode}): ${c.name}${
          c.ok ? "" : ` (${c.detail})`
        }`,
      );
      if (c.ok) passed++;
      else failed++;
    }
    if (result.error !== undefined) {
      console.log(`FAIL browser (${mode}): the page threw: ${result.error}`);
      failed++;
    }
    if (result.checks.length === 0) failed++;
    await page.close();
  }
} catch (error) {
  console.log(`FAIL browser: ${error?.stack ?? error}`);
  failed++;
} finally {
  await browser?.close();
  server.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
