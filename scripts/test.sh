#!/usr/bin/env bash
# The README's test command: real PostgreSQL + Redis (scripts/test-services.sh),
# then `bun test`, then one summary line `N passed, N failed` that CI reads.
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
# Skipped tests (Elasticsearch's without ELASTICSEARCH_URL) are said on their own line:
# the last line stays exactly `N passed, N failed`.
if [ -n "$skipped" ] && [ "$skipped" -gt 0 ]; then echo "$skipped skipped (see above: each says why)"; fi
echo "$passed passed, $failed failed"
exit "$status"
