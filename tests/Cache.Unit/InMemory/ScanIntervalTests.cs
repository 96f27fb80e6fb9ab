using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// ExpirationScanInterval at the edges of what the sweep timer can take: System.Threading.Timer
/// accepts at most 0xFFFFFFFE ms (about 49.7 days) and truncates to whole milliseconds.
/// </summary>
public sealed class ScanIntervalTests
{
    public static TheoryData<TimeSpan> TooLong() => new()
    {
        TimeSpan.FromDays(60),
        TimeSpan.MaxValue,
        TimeSpan.FromMilliseconds(0xFFFFFFFF), // one millisecond more than the timer takes
    };

    [Theory]
    [MemberData(nameof(TooLong))]
    public void An_interval_longer_than_the_timer_takes_is_refused_by_the_options_name_before_any_recording_starts(TimeSpan interval)
    {
        using var trace = new MemoryStream();
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new InMemoryCache(new InMemoryCacheOptions { ExpirationScanInterval = interval, Recorder = trace }));

        Assert.Equal(nameof(InMemoryCacheOptions.ExpirationScanInterval), error.ParamName);
        Assert.Equal(interval, error.ActualValue);
        Assert.Equal(0, trace.Length); // no header: nothing started before the options were checked
    }

    [Fact]
    public void The_longest_interval_the_timer_takes_is_accepted()
    {
        // The system clock, whose timer is the one with the limit.
        using var cache = new InMemoryCache(new InMemoryCacheOptions { ExpirationScanInterval = TimeSpan.FromMilliseconds(0xFFFFFFFE) });
        Assert.Equal(TimeSpan.FromMilliseconds(0xFFFFFFFE), InMemoryCacheOptions.MaxExpirationScanInterval);
        Assert.Equal(0, cache.GetStats().TotalEntries);
    }

    [Fact]
    public async Task A_sub_millisecond_interval_is_rounded_up_to_one_millisecond_and_keeps_sweeping()
    {
        var time = new MillisecondTimerClock();
        var expired = new List<string>();
        using var cache = new InMemoryCache(
            new InMemoryCacheOptions { ExpirationScanInterval = TimeSpan.FromTicks(5_000) }, // 0.5 ms
            time);
        cache.EntryRemoved += (_, e) => expired.Add($"{e.Key}:{e.Reason}");

        for (int i = 0; i < 4; i++)
        {
            await cache.SetAsync($"k{i}", i, TimeSpan.FromTicks(1));
            time.Advance(TimeSpan.FromMilliseconds(1)); // only the sweep can remove it: nothing else touches the cache
            Assert.Equal([.. Enumerable.Range(0, i + 1).Select(j => $"k{j}:{RemovalReason.Expired}")], expired);
        }

        Assert.Equal(4, cache.GetStats().Expirations);
        Assert.Equal([TimeSpan.FromMilliseconds(1)], time.Periods);
    }

    [Theory]
    [MemberData(nameof(TooLong))]
    public void The_container_gives_the_same_error_for_an_interval_the_timer_cannot_take(TimeSpan interval)
    {
        using var provider = new ServiceCollection()
            .AddInMemoryCache(o => o.ExpirationScanInterval = interval)
            .BuildServiceProvider();

        // The options pattern's own error, naming the option, from the constructor's rules.
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ICache>());
        Assert.Contains(nameof(InMemoryCacheOptions.ExpirationScanInterval), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_container_rounds_a_sub_millisecond_interval_up_too()
    {
        var time = new MillisecondTimerClock();
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddInMemoryCache(o => o.ExpirationScanInterval = TimeSpan.FromTicks(1))
            .BuildServiceProvider();
        var cache = provider.GetRequiredService<InMemoryCache>();

        for (int i = 0; i < 3; i++)
        {
            await cache.SetAsync($"k{i}", i, TimeSpan.FromTicks(1));
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 1, cache.GetStats().Expirations);
        }
    }

    /// <summary>
    /// A FakeTimeProvider whose timers take whole milliseconds, as System.Threading.Timer does
    /// (it truncates, so 0.5 ms becomes 0: a one-shot timer), and that remembers the periods asked for.
    /// </summary>
    private sealed class MillisecondTimerClock : FakeTimeProvider
    {
        public List<TimeSpan> Periods { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Periods.Add(period);
            return base.CreateTimer(callback, state, Truncate(dueTime), Truncate(period));
        }

        private static TimeSpan Truncate(TimeSpan span) =>
            span == Timeout.InfiniteTimeSpan ? span : TimeSpan.FromMilliseconds(Math.Floor(span.TotalMilliseconds));
    }
}
