using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Cache.Async.Recording;

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
            await cache.ClearAsync();
        }

        byte[] bytes = trace.ToArray();
        Assert.Equal(TraceFormat.HeaderSize + (3 * TraceFormat.RecordSize), bytes.Length);
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
                new TraceRecord(TraceOperation.Clear, 0, TimeSpan.FromSeconds(5), null), // a Clear has no key
            ],
            records);
    }

    [Fact]
    public async Task A_lookup_whose_answer_needs_no_clock_is_still_recorded_at_its_time()
    {
        // The lock-free lookup reads the clock only when the answer depends on it (an entry that can
        // expire) or the recorder needs a stamp: a hit on an entry that never expires and a miss
        // need none, and their records must still carry the time.
        var time = new FakeTimeProvider();
        using var trace = new MemoryStream();
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = trace, ExpirationScanInterval = null }, time))
        {
            await cache.SetAsync("forever", "value", Timeout.InfiniteTimeSpan);
            time.Advance(TimeSpan.FromSeconds(7));
            Assert.Equal("value", await cache.GetAsync<string>("forever"));
            Assert.Null(await cache.GetAsync<string>("absent"));
        }

        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out _));
        TraceRecord[] lookups = [.. TraceFormat.ReadRecords(trace).Where(r => r.Operation == TraceOperation.Lookup)];
        Assert.Equal([TraceFormat.HashOf("forever"), TraceFormat.HashOf("absent")], lookups.Select(r => r.KeyHash));
        Assert.All(lookups, r => Assert.Equal(TimeSpan.FromSeconds(7), r.Time));
    }

    [Fact]
    public async Task Threads_recording_at_once_lose_nothing_and_each_threads_accesses_stay_in_its_order()
    {
        const int Threads = 4, PerThread = 5_000; // 20,000 records: within the ring, so none may be lost
        using var trace = new MemoryStream();
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = trace, ExpirationScanInterval = null }, new FakeTimeProvider()))
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] workers = [.. Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
            {
                await start.Task;
                for (int i = 0; i < PerThread; i++)
                {
                    await cache.GetAsync<int>($"t{t}-{i}");
                }
            }))];
            start.SetResult();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        }

        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out _));
        TraceRecord[] records = [.. TraceFormat.ReadRecords(trace)];
        Assert.Equal(Threads * PerThread, records.Length);
        for (int t = 0; t < Threads; t++)
        {
            ulong[] expected = [.. Enumerable.Range(0, PerThread).Select(i => TraceFormat.HashOf($"t{t}-{i}"))];
            var mine = expected.ToHashSet();
            Assert.Equal(expected, records.Select(r => r.KeyHash).Where(mine.Contains));
        }
    }

    [Fact]
    [Trait("Category", "Slow")] // 40,000 accesses; TraceRecorderTests' lost-record test kills the same mutants in a fraction of the time
    public async Task A_stream_that_stalls_costs_records_never_callers_and_every_lost_record_is_counted_in_the_trace()
    {
        const int Accesses = 40_000; // more than the ring (32,768) plus what the writer takes before it stalls (at most 2,048)
        var logger = new FakeLogger<InMemoryCache>();
        using var trace = new StallingStream();
        long lost;
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = trace, ExpirationScanInterval = null }, new FakeTimeProvider(), logger))
        {
            for (int i = 0; i < Accesses; i++)
            {
                Assert.False((await cache.TryGetAsync<int>($"k{i}")).Found); // every call answers while the stream is stuck
            }

            trace.Release();
            lost = cache.GetStats().Misses;
        }

        Assert.Equal(Accesses, lost);
        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out CacheOptions options));
        TraceRecord[] records = [.. TraceFormat.ReadRecords(trace)];
        TraceRecord marker = Assert.Single(records, r => r.Operation == TraceOperation.Lost);
        Assert.InRange((long)marker.KeyHash, Accesses - 32_768 - 2_048, Accesses - 32_768);
        Assert.Equal(Accesses, records.Count(r => r.Operation == TraceOperation.Lookup) + (long)marker.KeyHash); // each access written or counted
        Assert.Equal((long)marker.KeyHash, TraceReplay.Run(records, options).Lost);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 8 && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task A_stream_that_throws_stops_the_recording_with_a_warning_and_the_cache_carries_on()
    {
        var logger = new FakeLogger<InMemoryCache>();
        var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = new FailingStream(), ExpirationScanInterval = null }, new FakeTimeProvider(), logger);
        for (int i = 0; i < 5_000; i++)
        {
            await cache.SetAsync($"k{i % 100}", i);
        }

        Assert.Equal(4_999, await cache.GetAsync<int>("k99"));
        Assert.Equal(5_000, cache.GetStats().Sets);
        cache.Dispose(); // writes what is queued: the stream throws, Dispose does not

        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 9 && r.Exception is IOException);
    }

    [Fact]
    public void A_stream_that_cannot_be_written_is_refused_at_once()
    {
        using var readOnly = new MemoryStream([], writable: false);
        var error = Assert.Throws<ArgumentException>(() => new InMemoryCache(new InMemoryCacheOptions { Recorder = readOnly }));
        Assert.Equal("output", error.ParamName);
        Assert.StartsWith("The trace stream must be writable.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_writes_every_queued_record_flushes_the_stream_and_leaves_it_open()
    {
        using var written = new MemoryStream();
        using var buffered = new BufferedStream(written, bufferSize: 1 << 20); // holds everything until flushed
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = buffered, ExpirationScanInterval = null }, new FakeTimeProvider()))
        {
            for (int i = 0; i < 100; i++)
            {
                await cache.SetAsync($"k{i}", i);
            }
        }

        Assert.Equal(TraceFormat.HeaderSize + (100 * TraceFormat.RecordSize), written.Length); // reached the stream under the buffer
        Assert.True(buffered.CanWrite); // the stream is the caller's: not closed
    }

    [Fact]
    [Trait("Category", "RecordReplay")] // 80,000 accesses; no Core mutant is killed by it alone (docs/mutation.md)
    public async Task Records_lost_in_two_stalls_are_counted_once_each_in_the_trace_and_the_log()
    {
        const int Accesses = 40_000; // a stall each: more than the ring (32,768) plus one wake's take (2,048)
        var logger = new FakeLogger<InMemoryCache>();
        using var trace = new GatedStream();
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = trace, ExpirationScanInterval = null }, new FakeTimeProvider(), logger))
        {
            for (int stall = 0; stall < 2; stall++)
            {
                trace.Stall();
                for (int i = 0; i < Accesses; i++)
                {
                    await cache.TryGetAsync<int>($"s{stall}-{i}");
                }

                await trace.OpenUntilLostMarkerAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        trace.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(trace, out _));
        TraceRecord[] records = [.. TraceFormat.ReadRecords(trace)];
        long[] markers = [.. records.Where(r => r.Operation == TraceOperation.Lost).Select(r => (long)r.KeyHash)];
        Assert.Equal(2, markers.Length);
        Assert.All(markers, lost => Assert.InRange(lost, Accesses - 32_768 - 2_048, Accesses - 32_768)); // each stall's own losses
        Assert.Equal(2 * Accesses, records.Count(r => r.Operation == TraceOperation.Lookup) + markers.Sum());
        long[] logged = [.. logger.Collector.GetSnapshot().Where(r => r.Id.Id == 8).Select(r => long.Parse(r.GetStructuredStateValue("Count")!, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(markers, logged);
    }

    [Fact]
    [Trait("Category", "Slow")] // waits the real 2 s bound; TraceRecorderTests test the give-up with a signal of their own
    public async Task Dispose_gives_up_on_a_stream_that_never_completes_a_write_within_its_bound_and_logs_what_it_abandoned()
    {
        var logger = new FakeLogger<InMemoryCache>();
        var trace = new StalledStream();
        var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = trace, ExpirationScanInterval = null }, new FakeTimeProvider(), logger); // the header waits too: the constructor does not
        for (int i = 0; i < 10; i++)
        {
            await cache.SetAsync($"k{i}", i);
        }

        // The one wait on the real clock in these tests: the bound is wall time inside Dispose (a
        // fake clock would never reach it), so this measures that Dispose returns after about
        // TraceRecorder.DisposeTimeout (2 s), well before 5 s.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        cache.Dispose();
        watch.Stop();

        Assert.InRange(watch.Elapsed, TraceRecorder.DisposeTimeout * 0.9, TimeSpan.FromSeconds(5));
        var abandoned = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 12);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, abandoned.Level);
        Assert.Equal("10", abandoned.GetStructuredStateValue("Count")); // the header never went, and neither did any Set
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 9);
    }

    [Fact]
    public async Task A_stream_that_fails_from_its_first_write_does_not_fail_the_constructor_it_stops_the_recording_with_a_warning()
    {
        var logger = new FakeLogger<InMemoryCache>();
        using (var cache = new InMemoryCache(new InMemoryCacheOptions { Recorder = new BrokenStream(), ExpirationScanInterval = null }, new FakeTimeProvider(), logger))
        {
            await cache.SetAsync("a", 1);
            Assert.Equal(1, await cache.GetAsync<int>("a"));
        }

        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 9 && r.Exception is IOException);
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 12);
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

    /// <summary>A memory stream whose asynchronous writes wait until released: a disk or network that stalls.</summary>
    private sealed class StallingStream : MemoryStream
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _released.SetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _released.Task;
            await base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>A memory stream whose asynchronous writes wait while it is closed, and that tells when a lost-records marker was written.</summary>
    private sealed class GatedStream : MemoryStream
    {
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _markerWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Stall()
        {
            _markerWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

            // Only an open gate is replaced: the recorder's writer may already wait on a closed one
            // (it writes the header as soon as the cache is built, often before the first Stall),
            // and a replaced gate would never open for it. That race hung a CI run's first stall.
            if (Volatile.Read(ref _open).Task.IsCompleted)
            {
                Volatile.Write(ref _open, new(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }

        /// <summary>Lets writes through; completes once the recorder has written its lost-records marker.</summary>
        public Task OpenUntilLostMarkerAsync()
        {
            Volatile.Read(ref _open).SetResult();
            return _markerWritten.Task;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Volatile.Read(ref _open).Task;
            await base.WriteAsync(buffer, cancellationToken);
            if (buffer.Length == TraceFormat.RecordSize && buffer.Span[0] == (byte)TraceOperation.Lost)
            {
                _markerWritten.TrySetResult();
            }
        }
    }

    /// <summary>A stream whose asynchronous writes fail: a disk that fills up.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("No space left on device"));
    }

    /// <summary>A stream that fails every write from the first byte, synchronous or not: a disk already full.</summary>
    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("No space left on device");

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("No space left on device"));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromException(new IOException("No space left on device"));
    }

    /// <summary>
    /// A stream that stalls from its first byte: no asynchronous write ever completes (cancellation
    /// is ignored, as by a hung network mount). A synchronous write would block its caller for
    /// ever; here it throws instead, so code that writes synchronously fails this test rather than hangs it.
    /// </summary>
    private sealed class StalledStream : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("A synchronous write to a stalled stream would never return.");

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("A synchronous write to a stalled stream would never return.");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => new(new TaskCompletionSource().Task);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => new TaskCompletionSource().Task;
    }
}
