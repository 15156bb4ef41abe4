#!/usr/bin/env bash
# The README's test command: real PostgreSQL + Redis (scripts/test-services.sh),
# then `bun test`, then the dashboard's component tests (Vitest on Node), then
# one summary line `N passed, N failed` over both that CI reads.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stop_services=0
if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  [ -f .tmp/test-services.env ] || stop_services=1
  services_env="$(bash scripts/test-services.sh start)" || { echo "0 passed, 1 failed"; exit 1; }
  eval "$services_env"
fi
cleanup() { [ "$stop_services" -eq 1 ] && bash scripts/test-services.sh stop >/dev/null 2>&1; }
trap cleanup EXIT

mkdir -p .tmp
bun test "$@" 2>&1 | tee .tmp/test-output.log
status=${PIPESTATUS[0]}

summary_count() { grep -E "^ *[0-9]+ $1\$" .tmp/test-output.log | tail -1 | tr -dc '0-9'; }
passed="$(summary_count pass)"
failed="$(summary_count fail)"
skipped="$(summary_count skip)"
# No summary means bun itself failed before reporting: count that as a failure.
if [ -z "$passed$failed" ]; then passed=0; failed=1; fi
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi

# The dashboard's component tests: Vitest under Node through `bun run` (never `bun --bun`),
# counted from its JSON report. With arguments (one test file), only bun test runs.
if [ "$#" -eq 0 ]; then
  rm -f .tmp/vitest.json
  (cd dashboard && bun run test --reporter=default --reporter=json --outputFile.json=../.tmp/vitest.json) 2>&1 \
    | tee .tmp/vitest-output.log
  vitest_status=${PIPESTATUS[0]}
  read -r vitest_passed vitest_failed < <(
    bun -e 'const r = await Bun.file(".tmp/vitest.json").json().catch(() => null);
      console.log(r ? `${r.numPassedTests} ${r.numFailedTests || r.numFailedTestSuites}` : "0 1")'
  )
  if [ "$vitest_status" -ne 0 ] && [ "$vitest_failed" -eq 0 ]; then vitest_failed=1; fi
  echo "dashboard (vitest): $vitest_passed passed, $vitest_failed failed"
  passed=$((passed + vitest_passed))
  failed=$((failed + vitest_failed))
  if [ "$vitest_status" -ne 0 ] && [ "$status" -eq 0 ]; then status=$vitest_status; fi
fi
# Skipped tests (Elasticsearch's without ELASTICSEARCH_URL) are said on their own line:
# the last line stays exactly `N passed, N failed`.
if [ -n "$skipped" ] && [ "$skipped" -gt 0 ]; then echo "$skipped skipped (see above: each says why)"; fi
echo "$passed passed, $failed failed"
exit "$status"
