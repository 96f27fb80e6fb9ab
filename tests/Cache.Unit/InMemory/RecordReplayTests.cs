using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// Record and replay: a cache with a Recorder writes its accesses; replaying them through the pure
/// core with the recorded options gives the hits, misses and evictions the cache counted.
/// </summary>
public sealed class RecordReplayTests
{
    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 8)]
    [InlineData(3, 100)]
    public async Task Replaying_a_recorded_trace_through_the_core_gives_the_counts_the_cache_reported(int seed, int maxSize)
    {
        var time = new FakeTimeProvider();
        using var trace = new MemoryStream();
        CacheStats recorded;
        using (var cache = new InMemoryCache(
            new InMemoryCacheOptions { MaxSize = maxSize, DefaultTtl = TimeSpan.FromSeconds(20), ExpirationScanInterval = null, Recorder = trace },
            time))
        {
            await RunWorkloadAsync(cache, time, new Random(seed));
            recorded = cache.GetStats();
        }

        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out CacheOptions options));
        Assert.Equal((maxSize, TimeSpan.FromSeconds(20)), (options.MaxSize, options.DefaultTtl));
        ReplayResult replayed = TraceReplay.Run([.. TraceFormat.ReadRecords(trace)], options);

        Assert.True(recorded.Hits > 100 && recorded.Misses > 100 && recorded.Evictions > 0, recorded.ToString());
        Assert.Equal((recorded.Hits, recorded.Misses, recorded.Evictions), (replayed.Hits, replayed.Misses, replayed.Evictions));
    }

    [Fact]
    public async Task A_trace_holds_hashes_and_times_never_keys()
    {
        var time = new FakeTimeProvider();
        using var trace = new MemoryStream();
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = trace, ExpirationScanInterval = null }, time))
        {
            await cache.SetAsync("secret-user-id-42", "value", TimeSpan.FromMinutes(3));
            time.Advance(TimeSpan.FromSeconds(5));
            await cache.GetAsync<string>("secret-user-id-42");
        }

        byte[] bytes = trace.ToArray();
        Assert.Equal(TraceFormat.HeaderSize + (2 * TraceFormat.RecordSize), bytes.Length);
        Assert.DoesNotContain("secret", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", System.Text.Encoding.Unicode.GetString(bytes), StringComparison.Ordinal);

        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out _));
        TraceRecord[] records = [.. TraceFormat.ReadRecords(trace)];
        ulong hash = TraceFormat.HashOf("secret-user-id-42");
        Assert.Equal(
            [
                new TraceRecord(TraceOperation.Set, hash, TimeSpan.Zero, TimeSpan.FromMinutes(3)),
                new TraceRecord(TraceOperation.Lookup, hash, TimeSpan.FromSeconds(5), null),
            ],
            records);
    }

    /// <summary>Every kind of access, from one caller, with the fake clock moving.</summary>
    private static async Task RunWorkloadAsync(InMemoryCache cache, FakeTimeProvider time, Random random)
    {
        TimeSpan?[] ttls = [null, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7), Timeout.InfiniteTimeSpan];
        string Key() => $"k{(int)(Math.Pow(random.NextDouble(), 2) * 300)}"; // skewed: some keys hot
        for (int i = 0; i < 5_000; i++)
        {
            switch (random.Next(20))
            {
                case < 6:
                    await cache.GetAsync<int>(Key());
                    break;
                case < 8:
                    await cache.TryGetAsync<string>(Key()); // a wrong-typed read when the key holds an int
                    break;
                case < 12:
                    await cache.SetAsync(Key(), i, ttls[random.Next(ttls.Length)]);
                    break;
                case < 15:
                    await cache.GetOrSetAsync(Key(), _ => ValueTask.FromResult(i), ttls[random.Next(ttls.Length)]);
                    break;
                case 15:
                    await cache.RemoveAsync(Key());
                    break;
                case 16:
                    await cache.GetManyAsync<int>([Key(), Key(), Key()]);
                    break;
                case 17:
                    await cache.SetManyAsync([KeyValuePair.Create(Key(), i), KeyValuePair.Create(Key(), i)], ttls[random.Next(ttls.Length)]);
                    break;
                case 18:
                    await cache.RemoveManyAsync([Key(), Key()]);
                    break;
                default:
                    if (random.Next(50) == 0)
                    {
                        await cache.ClearAsync();
                    }

                    time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 1500)));
                    break;
            }
        }
    }
}
