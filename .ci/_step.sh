# Sourced by .ci/run and .ci/gate.sh: `step NAME CMD...` runs one check,
# counted as one test in $passed or $failed; returns 1 when it failed.
step() {
  local name=$1
  shift
  echo "::: $name: $*"
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "::: $name FAILED"
    failed=$((failed + 1))
    return 1
  fi
}
