using Cache.Async;
using Cache.Core;
using Cache.Unit.Support;
using Cache.Async.Recording;

namespace Cache.Unit.Recording;

/// <summary>The binary trace format: what it writes reads back, and what is not a whole trace is refused by name.</summary>
public sealed class TraceFormatTests
{
    [Fact]
    public void Every_operation_and_ttl_reads_back_as_written_after_the_header()
    {
        TraceRecord[] written =
        [
            new(TraceOperation.Set, ulong.MaxValue, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(5)),
            new(TraceOperation.Set, 7, TimeSpan.FromSeconds(2), null),
            new(TraceOperation.Set, 8, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan),
            new(TraceOperation.Lookup, 9, TimeSpan.FromDays(400), null),
            new(TraceOperation.WrongTypeLookup, 10, TimeSpan.Zero, null),
            new(TraceOperation.Remove, 11, TimeSpan.Zero, null),
            new(TraceOperation.Clear, 0, TimeSpan.Zero, null),
            new(TraceOperation.LookupOrSet, 12, TimeSpan.Zero, null),
            new(TraceOperation.Lost, 13, TimeSpan.Zero, null),
        ];
        using var trace = new MemoryStream(TraceBytes.Of(new CacheOptions { MaxSize = 12_345, DefaultTtl = TimeSpan.FromSeconds(90) }, written));

        Assert.True(TraceFormat.TryReadHeader(trace, out CacheOptions options));
        Assert.Equal((12_345, TimeSpan.FromSeconds(90)), (options.MaxSize, options.DefaultTtl));
        Assert.Equal(written, TraceFormat.ReadRecords(trace));
    }

    [Fact]
    public void A_stream_without_the_magic_or_shorter_than_a_header_is_not_a_trace()
    {
        byte[] valid = TraceBytes.Of(CacheOptions.Default);
        byte[] wrongMagic = [.. valid];
        wrongMagic[7] = (byte)'2'; // CACHETR2: a header's length, not a trace's magic

        Assert.False(TraceFormat.TryReadHeader(new MemoryStream(wrongMagic), out _));
        Assert.False(TraceFormat.TryReadHeader(new MemoryStream(valid[..^1]), out _)); // the magic, then too short
        Assert.True(TraceFormat.TryReadHeader(new MemoryStream(valid), out _));
    }

    [Fact]
    public void A_trace_that_ends_inside_a_record_is_refused_after_the_whole_records()
    {
        byte[] whole = TraceBytes.Of(CacheOptions.Default, new(TraceOperation.Lookup, 1, TimeSpan.Zero, null), new(TraceOperation.Lookup, 2, TimeSpan.Zero, null));
        using var trace = new MemoryStream(whole[..^3]);
        Assert.True(TraceFormat.TryReadHeader(trace, out _));
        using IEnumerator<TraceRecord> records = TraceFormat.ReadRecords(trace).GetEnumerator();

        Assert.True(records.MoveNext());
        Assert.Equal(1UL, records.Current.KeyHash);
        var error = Assert.Throws<InvalidDataException>(() => records.MoveNext());
        Assert.Equal("The trace ends inside a record (22 of 25 bytes).", error.Message);
    }

    [Fact]
    public void An_unknown_operation_is_refused_by_its_number()
    {
        byte[] bytes = TraceBytes.Of(CacheOptions.Default, new TraceRecord(TraceOperation.Lookup, 1, TimeSpan.Zero, null));
        bytes[TraceFormat.HeaderSize] = 99;
        using var trace = new MemoryStream(bytes);
        Assert.True(TraceFormat.TryReadHeader(trace, out _));

        var error = Assert.Throws<InvalidDataException>(() => TraceFormat.ReadRecords(trace).ToList());
        Assert.Equal("Unknown trace operation 99.", error.Message);
    }

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(1, 3, 0.25)]
    [InlineData(5, 0, 1.0)]
    public void A_replays_hit_rate_is_hits_over_lookups_and_zero_without_lookups(long hits, long misses, double rate) =>
        Assert.Equal(rate, new ReplayResult(hits, misses, 0, 0).HitRate);
}
