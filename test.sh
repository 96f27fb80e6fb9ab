#!/usr/bin/env bash
# Cache's one test command: restores, builds (warnings are errors), checks formatting, runs every
# test project, runs the benchmarks once in BenchmarkDotNet's dry job, then the mutation gate (Stryker.NET: Cache.Core >= 90 %, Cache.Async >= 80 %).
# Exits non-zero on any failure. Nothing is assumed on the machine beyond the .NET 10 SDK: the Redis
# tests need a redis-server binary, which this script installs (Debian's package) when it is missing;
# the tests start and stop their own servers on free loopback ports.
#
#   ./test.sh              everything, as CI runs it
#   ./test.sh --no-mutation  build and tests only (quick local loop)
#   ./test.sh --mutation     the mutation gate only
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

run_tests=1
run_mutation=1
case "${1:-}" in
  --no-mutation) run_mutation=0 ;;
  --mutation) run_tests=0 ;;
  "") ;;
  *) echo "usage: $0 [--no-mutation | --mutation]" >&2; exit 2 ;;
esac

step() { printf '\n=== %s\n' "$*"; }

step "restore"
dotnet tool restore
dotnet restore Cache.sln

if (( run_tests )); then
  step "redis-server for the Redis tests and benchmark"
  if ! command -v redis-server > /dev/null 2>&1 && [[ ! -x /usr/bin/redis-server ]]; then
    echo "redis-server is not installed: installing Debian's redis-server package"
    as_root=()
    (( EUID == 0 )) || as_root=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends redis-server > /dev/null
  fi
  "$(command -v redis-server || echo /usr/bin/redis-server)" --version

  step "build (Release, warnings as errors)"
  dotnet build Cache.sln -c Release --no-restore

  step "format check"
  dotnet format Cache.sln --verify-no-changes --no-restore

  passed=0
  failed=0
  for project in tests/Cache.Unit/Cache.Unit.csproj tests/Cache.Properties/Cache.Properties.csproj tests/Cache.FSharp/Cache.FSharp.fsproj tests/Cache.Redis.Tests/Cache.Redis.Tests.csproj; do
    step "test $project"
    log=$(mktemp)
    status=0
    dotnet test "$project" -c Release --no-build 2>&1 | tee "$log" || status=$?
    # dotnet test ends with "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T".
    summary=$(grep -E '(Passed|Failed)! +- Failed: ' "$log" | tail -n 1 || true)
    rm -f "$log"
    if [[ -z $summary ]]; then
      echo "no test summary from $project" >&2
      exit 1
    fi
    p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
    f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
    passed=$((passed + p))
    failed=$((failed + f))
    if (( status != 0 )); then
      echo "tests: $passed passed, $failed failed"
      exit "$status"
    fi
  done
  step "benchmarks: BenchmarkDotNet's dry job, in process (they must run; timings are not judged here)"
  bench_log=$(mktemp)
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --filter '*' --job Dry --inProcess \
    --artifacts artifacts/benchmarks-dry > "$bench_log" 2>&1 || { cat "$bench_log"; exit 1; }
  grep -E 'executed benchmarks' "$bench_log" | tail -n 1
  rm -f "$bench_log"
  step "benchmark reports, small: hit rate equal to exact LRU (fails otherwise), bytes per entry"
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --hit-rate --quick
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --footprint 10000

  step "all test projects"
  echo "tests: $passed passed, $failed failed"
  (( failed == 0 )) || exit 1
fi

if (( run_mutation )); then
  # Property tests run a fixed seed and a bounded number of cases under Stryker, so each mutant
  # meets the same sequences and is killed for a reason, never by chance or by a timeout.
  export CACHE_PROPERTY_MAXTEST=100 CACHE_PROPERTY_SEED=20261124
  # The Redis tests reach Core and Async through Cache.Redis, but they test the Redis backend (with
  # real waits for server TTLs); the in-memory tests are the gate's.
  no_redis_tests='FullyQualifiedName!~Cache.Redis.Tests'

  step "mutation gate: Cache.Core (break below 90 %)"
  dotnet stryker --config-file stryker-config.json --skip-version-check --test-case-filter "$no_redis_tests" \
    --project Cache.Core.csproj --break-at 90 --threshold-low 90 --threshold-high 95 \
    --output artifacts/mutation/core

  step "mutation gate: Cache.Async (break below 80 %)"
  dotnet stryker --config-file stryker-config.json --skip-version-check --test-case-filter "$no_redis_tests" \
    --project Cache.Async.csproj --break-at 80 --threshold-low 80 --threshold-high 90 \
    --output artifacts/mutation/async
fi

step "done"
if (( run_tests )); then
  echo "tests: $passed passed, $failed failed"
fi
