#!/usr/bin/env bash
# Cache's one test command: restores, builds (warnings are errors), checks formatting, runs every
# test project, runs the benchmarks once in BenchmarkDotNet's dry job, then the mutation gates (Stryker.NET: Cache.Core >= 90 %, Cache.Async >= 80 %, side by side).
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
  export CACHE_PROPERTY_MAXTEST=100 CACHE_PROPERTY_SEED=20261124 CACHE_STRESS_SCALE=0.1 CacheMutationGate=true

  # One gate a project, both at once: a mutant's test run mostly waits (test hosts starting, tests
  # that wait on each other), so two gates on two cores take little longer than one. Each runs in
  # a copy of the tree, because Stryker swaps the mutated assembly into the test projects' output
  # folders, and builds only what its test projects need (stryker-config.json: the unit and
  # property tests; the Redis, F#, benchmark and tool projects are not built). The Core gate leaves
  # out the tests tagged Category=Slow (long traces and end-to-end replays whose kills other tests
  # also make; docs/mutation.md says which and why); they still run in the test step above.
  gate() {
    local name=$1 project=$2 floor=$3 high=$4 filter=$5
    local root=$PWD
    local tree=$root/artifacts/mutation/$name-tree
    rm -rf "$tree" "$root/artifacts/mutation/$name"
    mkdir -p "$tree"
    tar -cf - --exclude=./.git --exclude=./artifacts --exclude='*/bin' --exclude='*/obj' . | tar -xf - -C "$tree"
    (
      cd "$tree/src/$project"
      dotnet stryker --config-file "$tree/stryker-config.json" --skip-version-check --project "$project.csproj" \
        ${filter:+--test-case-filter "$filter"} --break-at "$floor" --threshold-low "$floor" --threshold-high "$high" \
        --output "$root/artifacts/mutation/$name"
    ) > "$root/artifacts/mutation/$name.log" 2>&1
  }

  step "mutation gates, side by side: Cache.Core (break below 95 %) and Cache.Async (break below 90 %)"
  mkdir -p artifacts/mutation
  started=$SECONDS
  gate core Cache.Core 95 97 'Category!=Slow&Category!=RecordReplay' &
  core_gate=$!
  gate async Cache.Async 90 95 'Category!=Slow' &
  async_gate=$!
  gate_failed=0
  for name in core async; do
    pid=core_gate
    [[ $name == async ]] && pid=async_gate
    status=0
    wait "${!pid}" || status=$?
    if (( status != 0 )); then
      gate_failed=1
      echo "mutation gate $name FAILED (exit $status); the end of its log:"
      tail -n 60 "artifacts/mutation/$name.log"
    fi
    grep -E "mutants will be tested|final mutation score" "artifacts/mutation/$name.log" | sed "s/^/$name: /" || true
  done
  echo "mutation gates: $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
  (( gate_failed == 0 )) || exit 1
fi

step "done"
if (( run_tests )); then
  echo "tests: $passed passed, $failed failed"
fi
