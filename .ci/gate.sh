#!/usr/bin/env bash
# The static checks of the CI gate (called by .ci/run beside the test
# suites): fmt, lint, type check, doc-lint, imports, one test each. Closes
# with "gate: N passed, N failed"; exits non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1
DENO=(npx -y deno@2.9.6)
passed=0
failed=0

. .ci/_step.sh

step fmt "${DENO[@]}" fmt --check
step lint "${DENO[@]}" lint
step check "${DENO[@]}" task check
# Every subpath of deno.json's exports, each on its own (scripts/doc_lint.ts).
step doc-lint "${DENO[@]}" task doc-lint
# The architecture: layers, no import cycle, no library file over 500 lines.
step imports "${DENO[@]}" task imports
echo "gate: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
