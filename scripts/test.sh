#!/usr/bin/env bash
# Runs every test suite (the .NET solution and the Node interop tests) and ends with one line:
#   N passed, N failed[, N skipped]
# Installs what the tests need first (idempotent). Exit code is non-zero when anything failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log_dir="$(mktemp -d)"
trap 'rm -rf "$log_dir"' EXIT
status=0

command -v dotnet >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is required" >&2; exit 2; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "error: Node 20 with npm is required" >&2; exit 2; }

echo "== installing system packages (scripts/lib/install-deps.sh)"
bash scripts/lib/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

echo "== installing Node test dependencies (npm ci)"
(cd tests/interop && npm ci --no-audit --no-fund --loglevel=error) || status=1

echo "== building"
dotnet build ZonCoin.sln -c Release --nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

echo "== .NET tests"
dotnet test ZonCoin.sln -c Release --no-build --nologo 2>&1 | tee "$log_dir/dotnet.log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1

echo "== Node interop tests (TAP output in tests/interop/test-results.tap)"
(cd tests/interop && npm test >"$log_dir/node.log" 2>&1) || status=1
cp "$log_dir/node.log" tests/interop/test-results.tap
grep -E '^(not ok |# (tests|pass|fail|cancelled|skipped) )' "$log_dir/node.log"

read -r dn_pass dn_fail dn_skip < <(
  grep -E '^\s*(Passed|Failed)!' "$log_dir/dotnet.log" \
    | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
    | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
node_pass=$(grep -E '^# pass ' "$log_dir/node.log" | awk '{s+=$3} END {print s+0}')
node_fail=$(grep -E '^# fail ' "$log_dir/node.log" | awk '{s+=$3} END {print s+0}')
node_skip=$(grep -E '^# skipped ' "$log_dir/node.log" | awk '{s+=$3} END {print s+0}')

# The failures again, briefly, just above the summary (CI shows only the end of the output).
if grep -qE '^\s+Failed [A-Za-z]' "$log_dir/dotnet.log" || grep -qE '^not ok ' "$log_dir/node.log"; then
  echo
  echo "== failed tests"
  awk '/^[[:space:]]+Failed [A-Za-z]/ {print; n=30; next} n > 0 && !/Stack Trace:/ {print; n--; next} /Stack Trace:/ {n=0}' "$log_dir/dotnet.log" | cut -c1-300
  grep -E '^\s*not ok ' "$log_dir/node.log" | cut -c1-300
fi

passed=$((dn_pass + node_pass))
failed=$((dn_fail + node_fail))
skipped=$((dn_skip + node_skip))
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1  # a suite failed to run at all
fi
echo
echo ".NET: $dn_pass passed, $dn_fail failed, $dn_skip skipped; Node: $node_pass passed, $node_fail failed, $node_skip skipped"
if [[ $skipped -gt 0 ]]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[[ $failed -eq 0 ]]
