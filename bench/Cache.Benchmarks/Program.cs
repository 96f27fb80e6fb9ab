using BenchmarkDotNet.Running;
using Cache.Benchmarks;

// dotnet run -c Release --project bench/Cache.Benchmarks -- --filter '*'       timings (BenchmarkDotNet)
// dotnet run -c Release --project bench/Cache.Benchmarks -- --footprint        bytes per entry (scenario 6)
// dotnet run -c Release --project bench/Cache.Benchmarks -- --hit-rate         hit rate against exact LRU (scenario 7)
// dotnet run -c Release --project bench/Cache.Benchmarks -- --policy           LRU and W-TinyLFU on Zipf, scan and loop traffic (issue 17)
// A benchmark that throws or fails validation, or a hit rate that is not exact LRU's, makes the
// run exit non-zero, so test.sh's quick runs catch a report that no longer holds.
if (args.Length > 0 && args[0] == "--footprint")
{
    return FootprintReport.Run(args.Length > 1 ? [.. args[1].Split(',').Select(int.Parse)] : [100_000, 1_000_000]);
}

if (args.Length > 0 && args[0] == "--hit-rate")
{
    bool quick = args.Contains("--quick");
    return quick
        ? HitRateReport.Run(length: 50_000, distinctKeys: 10_000, capacities: [100, 1_000])
        : HitRateReport.Run(length: 2_000_000, distinctKeys: 200_000, capacities: [1_000, 10_000, 50_000]);
}

if (args.Length > 0 && args[0] == "--policy")
{
    return PolicyReport.Run(quick: args.Contains("--quick"));
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
