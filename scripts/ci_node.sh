#!/usr/bin/env bash
# The npm build tested on Node (called by .ci/run when executable):
#   1. build npm/ (deno task build:npm),
#   2. run the compiled test suite with node --test against the built files,
#   3. pack npm/ and install the tarball into a scratch consumer project, as
#      an npm user would (plus typescript and @types/node),
#   4. type-check scripts/consumer_check.ts and an import of every subpath of
#      the package's exports against the built .d.ts (strict, no skipLibCheck),
#   5. type-check the same files as a bundler/browser consumer (lib ES2022 +
#      DOM, moduleResolution bundler, no @types/node),
#   6. require("threadkit") from a CommonJS file (Node >= 20.19),
#   7. check the package's README (no `using`, every import specifier in it
#      resolves from that project: scripts/check_npm_readme.mjs),
#   8. run examples/node.mjs from that project; it must exit by itself.
# Closes with exactly one line "node: N passed, N failed": node --test's
# "# pass"/"# fail" counts plus one per extra step (build, pack+install,
# type-check, bundler type-check, require, readme, example). Exits non-zero
# when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1
DENO=(npx -y deno@2.9.6)
TS_VERSION=5.9.3          # the consumer's TypeScript (the build uses 6.0.3)
NODE_TYPES_VERSION=20.19.43

passed=0
failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

step() { # step NAME CMD... : one extra check
  local name=$1
  shift
  echo "::: node/$name: $*"
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "::: node/$name FAILED"
    failed=$((failed + 1))
    return 1
  fi
}

finish() {
  echo "node: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

echo "node $(node --version)"
# .ci/run builds npm/ once for every suite and counts that step itself
# (THREADKIT_NPM_BUILT=1 built, 0 failed); run alone, this script builds.
case "${THREADKIT_NPM_BUILT:-}" in
1) echo "::: node/build: built and counted by the caller" ;;
0)
  echo "::: node/build: the caller's npm build failed"
  failed=1
  finish
  ;;
*) step build "${DENO[@]}" task build:npm || finish ;;
esac

# The suite: every compiled *_test.js (worker modules and helpers beside them
# are not tests). Files run THREADKIT_NODE_JOBS at a time (default 2), each in
# its own process: most of a file's time is waiting (threads parked, workers
# starting), and the stress tests bound their waits for a loaded machine.
mapfile -t tests < <(find npm/tests -name '*_test.js' | sort)
echo "::: node/test: node --test (${#tests[@]} files)"
log="$scratch/node-test.log"
started=$(date +%s)
# Bounded as a whole too: a test file that leaves a non-daemon thread running
# never exits. The bound is 60 minutes: run one file at a time, this suite
# alone ran past 25 at load 25-30 (2 cores), where a 25-minute bound cut it
# off and lost every count; two files at a time beside the Deno and Bun
# suites it had 37 of 234 files left at 2018 s of a 40-minute bound (load
# 11-19, nothing else running); .ci/run's bound on the part is 80 minutes.
# Node applies --test-timeout to each file as a whole: lock_tests_test.js
# passed every case and still ran past 120 s at that load, one file at a
# time; 600 s with files side by side.
# The spec reporter: Node 20's TAP reporter crashes on some failure details
# (an Invalid Date in an assertion), which would lose every count.
timeout 3600 node --test --test-reporter=spec \
  --test-concurrency="${THREADKIT_NODE_JOBS:-2}" \
  --test-timeout=600000 "${tests[@]}" 2>&1 |
  tee "$log"
test_rc=${PIPESTATUS[0]}
echo "::: node/test: $(($(date +%s) - started)) s"
tp=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -n 1 | sed -E 's/ℹ pass //')
tf=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -n 1 | sed -E 's/ℹ fail //')
if [ -z "$tp" ] || [ -z "$tf" ]; then
  echo "::: node/test: no summary found"
  tp=0
  tf=1
elif [ "$test_rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
  tf=1
fi
# Skipped tests, with their reasons, for the log.
grep -E '^ *﹣ ' "$log" | sed -E 's/^ */::: node\/skipped: /'
passed=$((passed + tp))
failed=$((failed + tf))

# A consumer project that installs the packed tarball.
consumer="$scratch/consumer"
mkdir -p "$consumer"
install_consumer() {
  (npm pack ./npm --pack-destination "$scratch" --silent >/dev/null &&
    cd "$consumer" &&
    printf '{ "name": "consumer", "private": true, "type": "module" }\n' \
      >package.json &&
    npm install --silent --no-audit --no-fund --prefer-offline \
      "$scratch"/threadkit-*.tgz \
      "typescript@$TS_VERSION" "@types/node@$NODE_TYPES_VERSION")
}
step install install_consumer || finish

type_check() {
  cp scripts/consumer_check.ts "$consumer/consumer_check.ts"
  # Every subpath the package exports, so a new module's types are checked too.
  node -e '
    const pkg = require(process.argv[1]);
    let i = 0;
    for (const key of Object.keys(pkg.exports)) {
      if (key.endsWith(".json")) continue;
      const spec = key === "." ? "threadkit" : "threadkit/" + key.slice(2);
      console.log(`import * as m${i} from "${spec}";\nexport { m${i++} };`);
    }' "$PWD/npm/package.json" >"$consumer/subpaths.ts"
  cat >"$consumer/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true,
    "target": "ES2022",
    "lib": ["ES2022"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"]
  },
  "files": ["consumer_check.ts", "subpaths.ts"]
}
EOF
  (cd "$consumer" && npx --no-install tsc -p tsconfig.json)
}
step type-check type_check

# A browser/bundler TypeScript consumer: moduleResolution bundler, lib ES2022
# + DOM, no @types/node and no esnext.disposable. The declarations must
# compile there too (they ship the Disposable types they name).
type_check_bundler() {
  cat >"$consumer/tsconfig.bundler.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true,
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "ESNext",
    "moduleResolution": "bundler",
    "types": []
  },
  "files": ["consumer_check.ts", "subpaths.ts"]
}
JSON
  (cd "$consumer" && npx --no-install tsc -p tsconfig.bundler.json)
}
step type-check-bundler type_check_bundler

# A CommonJS consumer: require("threadkit") (Node >= 20.19 requires ES
# modules; package.json says so in engines) starts a thread and joins it.
run_cjs() {
  cat >"$consumer/cjs_check.cjs" <<'JS'
const { Lock, Thread } = require("threadkit");
const lock = new Lock();
const t = new Thread({ target: (lock, n) => lock.acquire() && n * 2, args: [lock, 21] });
t.start();
if (!t.join({ timeout: 20000 }) || t.result !== 42) {
  throw new Error(`require("threadkit"): got ${t.result}`);
}
console.log("cjs: require(\"threadkit\") ran a thread:", t.result);
JS
  (cd "$consumer" && timeout 60 node cjs_check.cjs)
}
step require-cjs run_cjs

# The package's own README (generated by the build): no `using`, and every
# import specifier in its code blocks resolves from the consumer project.
check_readme() {
  cp scripts/check_npm_readme.mjs "$consumer/check_npm_readme.mjs"
  (cd "$consumer" && timeout 60 node check_npm_readme.mjs)
}
step readme check_readme

run_example() {
  cp examples/node.mjs "$consumer/node.mjs"
  (cd "$consumer" && timeout 60 node node.mjs)
}
step example run_example

finish
