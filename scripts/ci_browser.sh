#!/usr/bin/env bash
# The browser check (called by .ci/run): threadkit's npm build in a cross-
# origin isolated page in headless Chromium (scripts/ci_browser.mjs).
#   1. Chromium from Debian's packages (apt-get install -y chromium when it
#      is missing; when it cannot be installed, the check is skipped with the
#      reason printed),
#   2. playwright-core and esbuild from npm, in a scratch directory,
#   3. npm/ built when missing (deno task build:npm), and an esbuild bundle
#      of it as a bundler user makes one: the app and threadkit's worker entry
#      (npm/thread/_worker.js, "threadkit/worker") as two entry points, the
#      app naming the entry with setWorkerEntry,
#   4. the page's checks on the npm build and on the bundle, each counted.
# Closes with "browser: N passed, N failed" (", 1 skipped" when skipped).
set -uo pipefail
cd "$(dirname "$0")/.."
PLAYWRIGHT_VERSION=1.65.1
ESBUILD_VERSION=0.28.2

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "::: browser: chromium missing; apt-get install -y chromium"
  # Another run may hold apt's locks (two gates at once): wait for them.
  apt_log=$(mktemp)
  if (apt-get -o DPkg::Lock::Timeout=600 update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
      install -y -qq chromium) >"$apt_log" 2>&1; then
    chromium=$(command -v chromium || true)
  else
    tail -n 5 "$apt_log"
  fi
  rm -f "$apt_log"
fi
if [ -z "$chromium" ]; then
  echo "::: browser: SKIPPED: Chromium cannot be installed on this machine"
  echo "browser: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
echo "::: browser: $("$chromium" --version 2>/dev/null | tail -n 1)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! (cd "$scratch" && npm install --silent --no-audit --no-fund \
  "playwright-core@$PLAYWRIGHT_VERSION" "esbuild@$ESBUILD_VERSION" \
  >/dev/null); then
  echo "::: browser: npm install playwright-core esbuild failed"
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
# .ci/run builds npm/ once (THREADKIT_NPM_BUILT=1 built, 0 failed).
if [ "${THREADKIT_NPM_BUILT:-}" = 0 ] || [ ! -f npm/mod.js ]; then
  [ "${THREADKIT_NPM_BUILT:-}" != 0 ] && npx -y deno@2.9.6 task build:npm || {
    echo "browser: 0 passed, 1 failed"
    exit 1
  }
fi
# The bundle: an app entry that re-exports the package and names the worker
# entry's bundled file, which is the one line a bundler user needs.
mkdir -p "$scratch/app"
cat >"$scratch/app/entry.mjs" <<JS
import { setWorkerEntry } from "$PWD/npm/mod.js";
setWorkerEntry(new URL("./_worker.js", import.meta.url));
export * from "$PWD/npm/mod.js";
JS
echo "::: browser: esbuild entry=app/entry.mjs _worker=npm/thread/_worker.js --bundle --splitting --format=esm"
if ! "$scratch/node_modules/.bin/esbuild" "entry=$scratch/app/entry.mjs" \
  _worker=npm/thread/_worker.js --bundle --splitting --format=esm \
  --outdir="$scratch/bundle" --log-level=warning; then
  echo "::: browser: esbuild failed"
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
timeout 420 node scripts/ci_browser.mjs "$chromium" "$scratch" "$scratch/bundle"
