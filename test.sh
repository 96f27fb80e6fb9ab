#!/usr/bin/env bash
# Cache's one test command: restores, builds (warnings are errors), checks formatting, runs every
# test project, runs the benchmarks once in BenchmarkDotNet's dry job, then the mutation gates (Stryker.NET: Cache.Core >= 95 %, Cache.Async >= 90 %, side by side; docs/mutation.md).
# Exits non-zero on any failure. Nothing is assumed on the machine beyond the .NET 10 SDK: the Redis
# and Memcached tests need redis-server and memcached binaries, which this script installs (Debian's
# packages) when they are missing, and says so; the tests start and stop their own servers on free
# loopback ports.
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

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }

step "restore"
dotnet tool restore
dotnet restore Cache.sln

if (( run_tests )); then
  step "redis-server and memcached for the server backends' tests and benchmark, unzip for the package check"
  missing=()
  command -v redis-server > /dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
  command -v memcached > /dev/null 2>&1 || [[ -x /usr/bin/memcached ]] || missing+=(memcached)
  command -v unzip > /dev/null 2>&1 || missing+=(unzip)
  if (( ${#missing[@]} > 0 )); then
    echo "not installed: ${missing[*]}: installing Debian's packages"
    as_root=()
    (( EUID == 0 )) || as_root=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  fi
  "$(command -v redis-server || echo /usr/bin/redis-server)" --version
  "$(command -v memcached || echo /usr/bin/memcached)" -V

  step "build (Release, warnings as errors)"
  dotnet build Cache.sln -c Release --no-restore

  step "format check"
  dotnet format Cache.sln --verify-no-changes --no-restore

  step "packages (dotnet pack, with NuGet's package validation)"
  rm -rf artifacts/packages
  dotnet pack Cache.sln -c Release --no-build --no-restore -o artifacts/packages -v quiet
  for id in ExactCache.Core ExactCache ExactCache.Redis ExactCache.Memcached; do
    package=$(ls artifacts/packages/"$id".[0-9]*.nupkg)
    [[ -f ${package%.nupkg}.snupkg ]] || { echo "$id: no symbol package" >&2; exit 1; }
    nuspec=$(unzip -p "$package" "$id.nuspec")
    for field in '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' '<description>' '<authors>' '<tags>'; do
      grep -qF "$field" <<< "$nuspec" || { echo "$id: the package has no $field" >&2; exit 1; }
    done
    # The listing in a variable, not a pipe: grep -q ending early would fail the pipe under pipefail.
    listing=$(unzip -l "$package")
    grep -q "lib/net10.0/.*\.xml" <<< "$listing" || { echo "$id: no XML docs in the package" >&2; exit 1; }
    echo "$id: $(basename "$package"), license, readme, description, XML docs and symbols present"
  done

  passed=0
  failed=0
  # Adds a project's counts from its log (dotnet test ends with "Passed!  - Failed: F, Passed: P,
  # Skipped: S, Total: T"); stops the script at a failed run, or one that printed no summary.
  tally() {
    local project=$1 log=$2 status=$3 summary p f
    summary=$(grep -E '(Passed|Failed)! +- Failed: ' "$log" | tail -n 1 || true)
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
  }
  for project in tests/Cache.Unit/Cache.Unit.csproj tests/Cache.Properties/Cache.Properties.csproj tests/Cache.FSharp/Cache.FSharp.fsproj; do
    step "test $project"
    log=$(mktemp)
    status=0
    dotnet test "$project" -c Release --no-build 2>&1 | tee "$log" || status=$?
    tally "$project" "$log" "$status"
    rm -f "$log"
  done

  # The server backends' suites spend most of their time waiting on their servers' clocks (TTLs of
  # whole seconds on memcached), so the two run side by side, each against servers of its own.
  step "test tests/Cache.Redis.Tests and tests/Cache.Memcached.Tests, side by side"
  redis_log=$(mktemp)
  memcached_log=$(mktemp)
  dotnet test tests/Cache.Redis.Tests/Cache.Redis.Tests.csproj -c Release --no-build > "$redis_log" 2>&1 &
  redis_tests=$!
  dotnet test tests/Cache.Memcached.Tests/Cache.Memcached.Tests.csproj -c Release --no-build > "$memcached_log" 2>&1 &
  memcached_tests=$!
  redis_status=0
  wait "$redis_tests" || redis_status=$?
  memcached_status=0
  wait "$memcached_tests" || memcached_status=$?
  cat "$redis_log" "$memcached_log"
  tally tests/Cache.Redis.Tests "$redis_log" "$redis_status"
  tally tests/Cache.Memcached.Tests "$memcached_log" "$memcached_status"
  rm -f "$redis_log" "$memcached_log"
  step "benchmarks: BenchmarkDotNet's dry job, in process (they must run; timings are not judged here)"
  bench_log=$(mktemp)
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --filter '*' --job Dry --inProcess \
    --artifacts artifacts/benchmarks-dry > "$bench_log" 2>&1 || { cat "$bench_log"; exit 1; }
  grep -E 'executed benchmarks' "$bench_log" | tail -n 1
  rm -f "$bench_log"
  step "benchmark reports, small: hit rate equal to exact LRU (fails otherwise), bytes per entry"
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --hit-rate --quick
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --policy --quick > /dev/null
  dotnet run -c Release --project bench/Cache.Benchmarks --no-build -- --footprint 10000

  step "all test projects"
  echo "tests: $passed passed, $failed failed"
  (( failed == 0 )) || exit 1
fi

if (( run_mutation )); then
  # Under the gate (docs/mutation.md says why, with the measurements):
  # - property tests run a fixed seed and 25 cases (sizes still reach their maximum), so a mutant is
  #   killed for a reason, never by chance;
  # - the storm tests run a tenth of their operations (CACHE_STRESS_SCALE), which kill the same mutants;
  # - CacheMutationGate=true compiles the property tests into Cache.Unit (one test host a mutant's
  #   run, not two) and runs the tests one at a time, so Stryker sees which test covers what.
  export CACHE_PROPERTY_MAXTEST=25 CACHE_PROPERTY_SEED=20261124 CACHE_STRESS_SCALE=0.1 CacheMutationGate=true

  # One gate a project, both at once. Each runs in a copy of the tree, because Stryker swaps the
  # mutated assembly into the test project's output folder, and builds only Cache.Unit and what it
  # references (stryker-config.json). Tests tagged Category=Slow are left out of both gates and
  # Category=RecordReplay and Storm out of the Core gate: their kills are made by cheaper tests (the report
  # shows it; docs/mutation.md lists them). They all still run in the test step above.
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
  gate core Cache.Core 95 97 'Category!=Slow&Category!=RecordReplay&Category!=Storm&Category!=Memory' &
  core_gate=$!
  gate async Cache.Async 90 95 'Category!=Slow' &
  async_gate=$!
  # Stryker 5.1 leaves test hosts running after their run is over (connected to its console, some
  # with threads a mutant left spinning after a timeout): a hundred a gate here, and a spinning one
  # takes a core from every run after it (a run with 19 timeouts took 4 min longer than one with
  # 14). Each of Stryker's test consoles runs one host at a time, so of the hosts a console started
  # (--parentprocessid) all but the newest are left over: killed within 3 s. A host of a gate's tree
  # older than a minute is left over too (no mutant's run lasts a minute; the longest timeout is
  # under 20 s).
  (
    while kill -0 "$core_gate" 2> /dev/null || kill -0 "$async_gate" 2> /dev/null; do
      ps -eo pid=,etimes=,args= | awk -v tree="$PWD/artifacts/mutation/" '
        index($0, tree) && /testhost\.dll/ {
          parent = ""
          for (i = 3; i < NF; i++) if ($i == "--parentprocessid") parent = $(i + 1)
          if ($2 > 60) { print $1; next }
          if (parent == "") next
          if (!(parent in newest) || $2 < age[parent]) {
            if (parent in newest) print newest[parent]
            newest[parent] = $1; age[parent] = $2
          } else print $1
        }' | tee -a artifacts/mutation/left-over-hosts.log | xargs -r kill 2> /dev/null || true
      sleep 3
    done
  ) &
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
  # The trees are copies of the repository, benchmark project included: left behind, they make
  # BenchmarkDotNet find three Cache.Benchmarks projects and refuse to run.
  rm -rf artifacts/mutation/core-tree artifacts/mutation/async-tree
  echo "mutation gates: $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
  (( gate_failed == 0 )) || exit 1
fi

step "done"
if (( run_tests )); then
  echo "tests: $passed passed, $failed failed"
fi
echo "test.sh: $((SECONDS / 60)) min $((SECONDS % 60)) s"
