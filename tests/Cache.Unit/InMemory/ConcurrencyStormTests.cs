using System.Collections.Concurrent;
using Cache.Async;
using Cache.Core;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;
using Cache.Async.Recording;

namespace Cache.Unit.InMemory;

/// <summary>
/// Every operation from many threads at once, bounded in count and in time (a deadline stops the
/// workers early on a slow machine; nothing sleeps). An observer checks the published state while
/// the storm runs. The main storm records a trace and has removal handlers that write back into
/// the cache, so the recorder's ring, the removal queue and the sweep's trim all run in it too.
/// </summary>
public sealed class ConcurrencyStormTests
{
    private const int MaxSize = 64;
    private const int Workers = 8;
    private static readonly int OperationsPerWorker = Stress.Scaled(20_000);

    [Fact]
    [Trait("Category", "Storm")] // outside the Core mutation gate (the Async gate needs it): see docs/mutation.md
    public async Task A_storm_keeps_the_bound_the_counts_and_every_value_under_its_own_key()
    {
        var time = new FakeTimeProvider();
        using var trace = new MemoryStream();
        using var cache = new InMemoryCache(
            new InMemoryCacheOptions { MaxSize = MaxSize, DefaultTtl = TimeSpan.FromSeconds(5), ExpirationScanInterval = TimeSpan.FromSeconds(1), Recorder = trace },
            time);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var problems = new ConcurrentQueue<string>();
        long lookups = 0;
        long writeBacks = 0;
        int running = Workers;

        void Check(string key, string? value)
        {
            if (value is not null && !value.StartsWith(key + ":", StringComparison.Ordinal))
            {
                problems.Enqueue($"{key} answered {value}");
            }
        }

        // A handler that uses the cache: an evicted or expired worker key leaves a short-lived
        // note behind (whose own removal writes nothing), and a replaced key is read back.
        cache.EntryRemoved += (_, removed) =>
        {
            try
            {
                if (removed.Key.StartsWith('k') && removed.Reason is RemovalReason.Evicted or RemovalReason.Expired)
                {
                    cache.SetAsync("wb" + removed.Key, $"wb{removed.Key}:back", TimeSpan.FromSeconds(1)).AsTask().GetAwaiter().GetResult();
                    Interlocked.Increment(ref writeBacks);
                }
                else if (removed.Reason == RemovalReason.Replaced)
                {
                    Interlocked.Increment(ref lookups);
                    Check(removed.Key, cache.GetAsync<string>(removed.Key).AsTask().GetAwaiter().GetResult());
                }
            }
            catch (Exception failure) when (failure is not ObjectDisposedException)
            {
                problems.Enqueue($"handler: {failure}");
            }
        };

        var observing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Work(int worker)
        {
            await observing.Task;
            var random = new Random(worker);
            for (int i = 0; i < OperationsPerWorker && !deadline.IsCancellationRequested; i++)
            {
                string key = "k" + random.Next(MaxSize * 2);
                switch (random.Next(10))
                {
                    case 0 or 1:
                        Interlocked.Increment(ref lookups);
                        Check(key, await cache.GetAsync<string>(key));
                        break;
                    case 2:
                        Interlocked.Increment(ref lookups);
                        Check(key, (await cache.TryGetAsync<string>(key)).Value);
                        break;
                    case 3 or 4:
                        TimeSpan? ttl = random.Next(3) switch { 0 => null, 1 => TimeSpan.FromSeconds(1), _ => Timeout.InfiniteTimeSpan };
                        await cache.SetAsync(key, $"{key}:{worker}:{i}", ttl);
                        break;
                    case 5:
                        await cache.ExistsAsync(key);
                        break;
                    case 6:
                        await cache.RemoveAsync(key);
                        break;
                    case 7:
                        Interlocked.Increment(ref lookups);
                        Check(key, await cache.GetOrSetAsync(key, _ => ValueTask.FromResult($"{key}:made")));
                        break;
                    case 8:
                        var stats = await cache.GetStatsAsync();
                        if (stats.TotalEntries > MaxSize || stats.ActiveEntries < 0 || stats.ExpiredEntries < 0)
                        {
                            problems.Enqueue($"stats out of bounds: {stats}");
                        }

                        break;
                    default:
                        if (random.Next(100) == 0)
                        {
                            await cache.ClearAsync();
                        }
                        else if (worker == 0)
                        {
                            time.Advance(TimeSpan.FromMilliseconds(250));
                        }

                        break;
                }
            }

            Interlocked.Decrement(ref running);
        }

        var observer = Task.Run(() =>
        {
            int checks = 0;
            do
            {
                var state = cache.Snapshot();
                state.CheckIntegrity();
                if (state.Count > MaxSize)
                {
                    problems.Enqueue($"{state.Count} entries stored");
                }

                checks++;
                observing.TrySetResult();
            }
            while (Volatile.Read(ref running) > 0 && !deadline.IsCancellationRequested);

            return checks;
        });

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => Work(w))));
        int observations = await observer;

        Assert.Empty(problems);
        Assert.True(observations > 1, $"{observations} observations");
        var final = cache.GetStats();
        Assert.Equal(Interlocked.Read(ref lookups), final.Hits + final.Misses);
        Assert.True(final.Hits > 0 && final.Misses > 0 && final.Evictions > 0 && final.Expirations > 0, final.ToString());
        Assert.True(Interlocked.Read(ref writeBacks) > 0, "no handler wrote back");
        Assert.Equal(cache.Snapshot().Count, final.TotalEntries);

        // Once the storm is over the cache is exact LRU again.
        await cache.ClearAsync();
        for (int i = 0; i < MaxSize; i++)
        {
            await cache.SetAsync($"lru{i}", $"lru{i}:v", Timeout.InfiniteTimeSpan);
        }

        await cache.GetAsync<string>("lru0");
        await cache.SetAsync("newcomer", "newcomer:v");
        Assert.False(await cache.ExistsAsync("lru1"));
        Assert.Equal(["lru2", "lru3"], cache.KeysByRecency().Take(2));
        Assert.Equal(["lru0", "newcomer"], cache.KeysByRecency().TakeLast(2));

        // The trace holds every lookup, or says how many records it lost.
        cache.Dispose();
        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out CacheOptions recorded));
        Assert.Equal(MaxSize, recorded.MaxSize);
        TraceRecord[] records = [.. TraceFormat.ReadRecords(trace)];
        long recordedLookups = records.Count(r => r.Operation == TraceOperation.Lookup);
        long lost = records.Where(r => r.Operation == TraceOperation.Lost).Sum(r => (long)r.KeyHash);
        Assert.InRange(Interlocked.Read(ref lookups) + 1, recordedLookups, recordedLookups + lost); // + the lru0 lookup after the storm
    }

    [Fact]
    public async Task Hits_from_many_threads_with_no_writer_fill_and_drain_the_use_buffer_without_losing_one()
    {
        // No write comes to apply the recorded hits, so the readers themselves must drain the
        // buffer, again and again, while others keep recording.
        using var cache = TestCache.Create(new FakeTimeProvider(), maxSize: MaxSize);
        for (int k = 0; k < MaxSize; k++)
        {
            await cache.SetAsync("k" + k, k);
        }

        const int HitsPerWorker = 5_000;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        long hits = 0;
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < HitsPerWorker && !deadline.IsCancellationRequested; i++)
            {
                var lookup = await cache.TryGetAsync<int>("k" + ((i + worker) % MaxSize));
                Assert.Equal((i + worker) % MaxSize, lookup.Value);
                Interlocked.Increment(ref hits);
            }
        }));
        await Task.WhenAll(workers);

        Assert.True(hits > 4 * 256, "too few hits to fill the buffer");
        Assert.Equal(hits, cache.GetStats().Hits);
        Assert.Equal(MaxSize, cache.KeysByRecency().Distinct().Count());

        // Once the storm is over, recency is exact again.
        await cache.GetAsync<int>("k0");
        await cache.SetAsync("newcomer", -1);
        Assert.Equal(["k0", "newcomer"], cache.KeysByRecency().TakeLast(2));
    }
}
