using Cache.Async;
using Cache.Replay;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;
using Cache.Async.Recording;

namespace Cache.Unit.Replay;

/// <summary>tools/Cache.Replay end to end: a trace file in, a table and a PNG chart out.</summary>
public sealed class ReplayToolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cache-replay-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_text_trace_replays_cache_aside_for_every_size_and_ttl_and_charts_the_hit_rate()
    {
        // a b a c a b at MaxSize 2: a miss, b miss, a hit, c miss (evicts b), a hit, b miss (evicts c): 2 hits, 4 misses.
        // At MaxSize 3 only the first three of a, b, c miss: 3 hits.
        string trace = Path.Combine(_folder, "trace.txt");
        File.WriteAllLines(trace, ["a", "b", "a", "", "c", "a", "b"]);
        string chart = Path.Combine(_folder, "chart.png");

        (int exit, string table, _) = Run(trace, "--max-size", "2,3", "--default-ttl", "1h,2ms", "--chart", chart);

        Assert.Equal(0, exit);
        Assert.Contains("| 2 | 1h | 33.33 % | 2 | 4 | 2 | 0 |", table, StringComparison.Ordinal);
        Assert.Contains("| 3 | 1h | 50.00 % | 3 | 3 | 0 | 0 |", table, StringComparison.Ordinal);
        Assert.Contains("| 3 | 0.002s | 0.00 % | 0 | 6 |", table, StringComparison.Ordinal); // 1 ms apart, 2 ms TTL: every reuse is too late
        byte[] png = File.ReadAllBytes(chart);
        Assert.True(png.Length > 1000);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }

    [Fact]
    public void Policy_replays_each_eviction_policy_and_charts_one_line_each()
    {
        // A loop over 3 keys at MaxSize 2: exact LRU never hits; W-TinyLFU keeps one key of the
        // loop in its main space (a newcomer seen no more often than it is refused) and hits it.
        string trace = Path.Combine(_folder, "loop.txt");
        File.WriteAllLines(trace, [.. Enumerable.Range(0, 30).SelectMany(_ => (string[])["a", "b", "c"])]);
        string chart = Path.Combine(_folder, "policies.png");

        (int exit, string table, _) = Run(trace, "--max-size", "2", "--policy", "lru,TinyLfu", "--chart", chart);

        Assert.Equal(0, exit);
        Assert.Contains("| LRU | 2 | 1h | 0.00 % | 0 | 90 |", table, StringComparison.Ordinal);
        string tinyLfu = table.Split('\n').Single(line => line.StartsWith("| W-TinyLFU | 2 | 1h |", StringComparison.Ordinal));
        int hits = int.Parse(tinyLfu.Split('|')[5].Trim().Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(hits, 20, 60);
        Assert.True(File.ReadAllBytes(chart).Length > 1000);
        Assert.Equal([Cache.Core.EvictionPolicy.Lru], ReplayArguments.Parse([trace, "--policy", "lru,LRU"]).Policies);

        (int bad, _, string errors) = Run(trace, "--policy", "lfu");
        Assert.Equal(2, bad);
        Assert.Contains("'lfu' is not an eviction policy", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_chart_the_chart_goes_beside_the_trace()
    {
        string trace = Path.Combine(_folder, "beside.txt");
        File.WriteAllLines(trace, ["a", "b", "a"]);

        (int exit, string table, _) = Run(trace, "--max-size", "2");

        Assert.Equal(0, exit);
        string chart = trace + ".hit-rate.png";
        Assert.True(File.Exists(chart));
        Assert.Contains($"chart: {chart}", table, StringComparison.Ordinal);
        Assert.Equal(chart, ReplayArguments.Parse([trace]).Chart);
    }

    [Fact]
    public void A_text_trace_can_give_times_in_seconds_in_a_second_column()
    {
        string trace = Path.Combine(_folder, "timed.txt");
        File.WriteAllLines(trace, ["a 0", "a 59", "a 121"]);
        (_, string table, _) = Run(trace, "--max-size", "10", "--default-ttl", "1m", "--chart", Path.Combine(_folder, "c.png"));
        Assert.Contains("| 10 | 1m | 33.33 % | 1 | 2 | 0 | 1 |", table, StringComparison.Ordinal); // 59 s: a hit; 121 s: expired
    }

    [Fact]
    [Trait("Category", "RecordReplay")] // outside the Core mutation gate (the Async gate needs it): see docs/mutation.md
    public async Task A_recorded_trace_replays_with_its_own_options_and_matches_what_the_cache_counted()
    {
        string trace = Path.Combine(_folder, "recorded.trace");
        var time = new FakeTimeProvider();
        CacheStats counted;
        await using (FileStream file = File.Create(trace))
        {
            using var cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = 3, DefaultTtl = TimeSpan.FromMinutes(5), ExpirationScanInterval = null, Recorder = file }, time);
            foreach (string key in (string[])["a", "b", "c", "a", "d", "b", "a", "e", "a"])
            {
                await cache.GetOrSetAsync(key, _ => ValueTask.FromResult(key));
                time.Advance(TimeSpan.FromSeconds(30));
            }

            counted = cache.GetStats();
        }

        (int exit, string table, _) = Run(trace, "--chart", Path.Combine(_folder, "r.png"));

        Assert.Equal(0, exit);
        Assert.Contains("recorded with MaxSize 3, DefaultTtl 5m", table, StringComparison.Ordinal);
        Assert.Contains($"| 3 | 5m | {counted.HitRate.ToString("P2", System.Globalization.CultureInfo.InvariantCulture)} | {counted.Hits} | {counted.Misses} | {counted.Evictions} |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trace_that_lost_records_is_replayed_with_a_warning_that_its_figures_are_approximate()
    {
        string trace = Path.Combine(_folder, "lossy.trace");
        File.WriteAllBytes(trace, TraceBytes.Of(
            new Cache.Core.CacheOptions { MaxSize = 10 },
            new TraceRecord(TraceOperation.Set, 1, TimeSpan.Zero, null),
            new TraceRecord(TraceOperation.Lost, 1_234, TimeSpan.Zero, null),
            new TraceRecord(TraceOperation.Lookup, 1, TimeSpan.FromSeconds(1), null)));

        (int exit, string table, _) = Run(trace, "--chart", Path.Combine(_folder, "l.png"));

        Assert.Equal(0, exit);
        Assert.Contains("warning: the recorder lost 1,234 records", table, StringComparison.Ordinal);
        Assert.Contains("| 10 | 1h | 100.00 % | 1 | 0 | 0 | 0 |", table, StringComparison.Ordinal); // the marker is not an access
    }

    [Fact]
    public void A_recorded_trace_cut_inside_a_record_exits_1_and_says_where()
    {
        string trace = Path.Combine(_folder, "cut.trace");
        byte[] whole = TraceBytes.Of(new Cache.Core.CacheOptions { MaxSize = 10 }, new TraceRecord(TraceOperation.Lookup, 1, TimeSpan.Zero, null));
        File.WriteAllBytes(trace, whole[..^10]);

        (int exit, string table, string errors) = Run(trace, "--chart", Path.Combine(_folder, "cut.png"));

        Assert.Equal(1, exit);
        Assert.Equal($"{trace}: The trace ends inside a record (15 of 25 bytes).", errors.Trim());
        Assert.Empty(table);
        Assert.False(File.Exists(Path.Combine(_folder, "cut.png")));
    }

    [Theory]
    [InlineData(0, 36_000_000_000L, "The trace header's MaxSize is 0: it must be at least 1.")]
    [InlineData(-7, 36_000_000_000L, "The trace header's MaxSize is -7: it must be at least 1.")]
    [InlineData(10, -5L, "The trace header's DefaultTtl is -5 ticks: it must be positive, or -10000 (infinite).")]
    [InlineData(10, 0L, "The trace header's DefaultTtl is 0 ticks: it must be positive, or -10000 (infinite).")]
    public void A_recorded_trace_whose_header_holds_options_no_cache_could_have_exits_1_with_one_line(int maxSize, long defaultTtlTicks, string reason)
    {
        byte[] bytes = TraceBytes.Of(Cache.Core.CacheOptions.Default, new TraceRecord(TraceOperation.Lookup, 1, TimeSpan.Zero, null));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), maxSize);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), defaultTtlTicks);
        string trace = Path.Combine(_folder, "bad-header.trace");
        File.WriteAllBytes(trace, bytes);

        // With sizes and TTLs given, the header's own options are not used, but the file is still bad.
        AssertBadData(trace, $"{trace}: {reason}");
        AssertBadData(trace, $"{trace}: {reason}", "--max-size", "5", "--default-ttl", "1m");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-10_001L)]
    public void A_set_record_with_a_ttl_that_is_zero_or_negative_and_not_infinite_exits_1_and_names_the_record(long ttlTicks)
    {
        string trace = Path.Combine(_folder, "bad-ttl.trace");
        File.WriteAllBytes(trace, TraceBytes.Of(
            new Cache.Core.CacheOptions { MaxSize = 10 },
            new TraceRecord(TraceOperation.Set, 1, TimeSpan.Zero, Timeout.InfiniteTimeSpan),
            new TraceRecord(TraceOperation.Set, 2, TimeSpan.Zero, TimeSpan.FromTicks(ttlTicks))));

        AssertBadData(trace, $"{trace}: Record 2 is a Set with a TTL of {ttlTicks} ticks: a TTL must be positive, or -10000 (infinite).");
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("-1e300")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("NaN")]
    public void A_text_trace_time_that_is_not_a_finite_time_exits_1_and_names_the_line(string seconds)
    {
        string trace = Path.Combine(_folder, "bad-time.txt");
        File.WriteAllLines(trace, ["a 0", $"b {seconds}"]);
        AssertBadData(trace, $"{trace}: line 2: '{seconds}' is not a time in seconds that a TimeSpan can hold.");
    }

    [Theory]
    [InlineData("1e300s", "'1e300s' is too long a TTL")]
    [InlineData("Infinitys", "'Infinitys' is too long a TTL")]
    [InlineData("1e-300s", "'1e-300s' is shorter than the shortest TTL (one tick, 100 ns)")]
    [InlineData("NaNs", "'NaNs' is not a positive TTL")]
    public void A_default_ttl_no_timespan_can_hold_exits_2_with_the_reason(string ttl, string reason)
    {
        string trace = Path.Combine(_folder, "t.txt");
        File.WriteAllLines(trace, ["a"]);
        (int exit, string table, string errors) = Run(trace, "--default-ttl", ttl, "--chart", Path.Combine(_folder, "c.png"));
        Assert.Equal(2, exit);
        Assert.StartsWith(reason, errors, StringComparison.Ordinal);
        Assert.Contains("usage: Cache.Replay", errors, StringComparison.Ordinal);
        Assert.Empty(table);
    }

    [Fact]
    public void A_chart_into_a_missing_folder_exits_2_before_replaying()
    {
        string trace = Path.Combine(_folder, "t.txt");
        File.WriteAllLines(trace, ["a"]);
        string missing = Path.Combine(_folder, "no-such-folder");
        (int exit, string table, string errors) = Run(trace, "--chart", Path.Combine(missing, "c.png"));
        Assert.Equal(2, exit);
        Assert.StartsWith($"--chart: the folder '{missing}' does not exist", errors, StringComparison.Ordinal);
        Assert.Empty(table);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void A_chart_path_that_cannot_be_written_exits_2_after_the_table()
    {
        string trace = Path.Combine(_folder, "t.txt");
        File.WriteAllLines(trace, ["a"]);
        (int exit, string table, string errors) = Run(trace, "--chart", _folder); // a folder, not a file
        Assert.Equal(2, exit);
        Assert.StartsWith($"--chart: '{_folder}' could not be written: ", errors, StringComparison.Ordinal);
        Assert.Single(errors.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("| 100 | 1h | 0.00 % | 0 | 1 |", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "no trace given")]
    [InlineData(new[] { "t", "--max-size", "0" }, "'0' is not a MaxSize")]
    [InlineData(new[] { "t", "--default-ttl", "5x" }, "'5x' is not a TTL")]
    [InlineData(new[] { "t", "--default-ttl", "-1m" }, "'-1m' is not a positive TTL")]
    [InlineData(new[] { "t", "u" }, "unexpected argument 'u'")]
    [InlineData(new[] { "/no/such/trace" }, "Could not find")]
    public void Bad_arguments_exit_2_with_the_reason_and_the_usage(string[] args, string reason)
    {
        (int exit, _, string errors) = Run(args);
        Assert.Equal(2, exit);
        Assert.Contains(reason, errors, StringComparison.Ordinal);
        Assert.Contains("usage: Cache.Replay", errors, StringComparison.Ordinal);
    }

    /// <summary>Bad input data: exit 1, exactly one line on stderr, nothing on stdout, no chart.</summary>
    private void AssertBadData(string trace, string line, params string[] options)
    {
        string chart = Path.Combine(_folder, "never.png");
        (int exit, string table, string errors) = Run([trace, .. options, "--chart", chart]);
        Assert.Equal(1, exit);
        Assert.Equal(line + Environment.NewLine, errors);
        Assert.Empty(table);
        Assert.False(File.Exists(chart));
    }

    private static (int Exit, string Output, string Errors) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        int exit = ReplayCommand.Run(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }
}
