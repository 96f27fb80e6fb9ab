using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Cache.Benchmarks -- --filter '*'
// A benchmark that throws or fails validation makes the run exit non-zero, so test.sh's dry run
// catches a benchmark that no longer works.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
