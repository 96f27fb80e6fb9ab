using Cache.Async;
using Cache.Core;
using Cache.Properties.Model;
using Cache.Async.Recording;

namespace Cache.Properties;

/// <summary>Replay equals record: a trace recorded by InMemoryCache, replayed through the core with the recorded options, counts what the cache counted.</summary>
public sealed class ReplayProperties
{
    [Fact]
    [Trait("Category", "RecordReplay")] // outside the Core mutation gate (the Async gate needs it): see docs/mutation.md
    public void Replaying_a_recorded_scenario_gives_the_hits_misses_evictions_and_expirations_the_cache_counted() =>
        PropertyRun.Check(Scenarios.Arbitrary, scenario =>
        {
            using var trace = new MemoryStream();
            CacheStats counted;
            using (var shell = new ShellSystem(scenario.MaxSize, Scenarios.DefaultTtl, trace))
            {
                foreach (Operation operation in scenario.Operations)
                {
                    shell.Apply(operation);
                }

                counted = shell.Cache.GetStats();
            }

            trace.Position = 0;
            Assert.True(TraceFormat.TryReadHeader(trace, out CacheOptions options));
            ReplayResult replayed = TraceReplay.Run([.. TraceFormat.ReadRecords(trace)], options);
            Assert.Equal(
                (counted.Hits, counted.Misses, counted.Evictions, counted.Expirations),
                (replayed.Hits, replayed.Misses, replayed.Evictions, replayed.Expirations));
        });
}
