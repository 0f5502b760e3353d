# Helpers shared by the TLS test scripts (sourced).
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/servers.sh"
passed=0
failed=0
# run_case NAME EXPECTED_EXIT REDIRECT COMMAND... ; then expect_log PATTERN... checks its output.
run_case() {
  local name=$1 want=$2 redirect=$3
  shift 3
  case_name=$name
  case_out="$work/$name.out"
  local t0=$SECONDS
  IOTMQTT_HAL_REDIRECT="$redirect" "$@" > "$case_out" 2>&1
  local rc=$?
  if [ "$rc" -eq "$want" ]; then
    passed=$((passed + 1))
    echo "ok   $name (exit $rc, $((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc, expected $want"
    sed 's/^/    | /' "$case_out" | tail -40
  fi
}
# expect_log EXTENDED_REGEX: the last case's output has a line matching it.
expect_log() {
  if grep -qE -- "$1" "$case_out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $case_name: no log line matching: $1"
    sed 's/^/    | /' "$case_out" | tail -40
  fi
}
# expect_no_log EXTENDED_REGEX
expect_no_log() {
  if grep -qE -- "$1" "$case_out"; then
    failed=$((failed + 1))
    echo "FAIL $case_name: unexpected log line matching: $1"
    grep -E -- "$1" "$case_out" | head -5 | sed 's/^/    | /'
  else
    passed=$((passed + 1))
  fi
}
summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
