using Cache.Core;

namespace Cache.Unit.Core;

public sealed class CacheOptionsTests
{
    [Fact]
    public void Defaults_are_1000_entries_and_one_hour()
    {
        Assert.Equal(1000, CacheOptions.Default.MaxSize);
        Assert.Equal(TimeSpan.FromHours(1), CacheOptions.Default.DefaultTtl);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void MaxSize_below_one_is_refused(int maxSize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheOptions { MaxSize = maxSize });
        Assert.Equal(nameof(CacheOptions.MaxSize), error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => CacheOptions.Default.WithMaxSize(maxSize));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-20_000L)] // -2 ms: negative, but not the infinite sentinel
    public void DefaultTtl_of_zero_or_below_is_refused(long ticks)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheOptions { DefaultTtl = TimeSpan.FromTicks(ticks) });
        Assert.Equal(nameof(CacheOptions.DefaultTtl), error.ParamName);
    }

    [Fact]
    public void DefaultTtl_may_be_infinite_or_one_tick()
    {
        Assert.Equal(Timeout.InfiniteTimeSpan, CacheOptions.Default.WithDefaultTtl(Timeout.InfiniteTimeSpan).DefaultTtl);
        Assert.Equal(TimeSpan.FromTicks(1), CacheOptions.Default.WithDefaultTtl(TimeSpan.FromTicks(1)).DefaultTtl);
    }

    [Fact]
    public void With_methods_copy_and_leave_the_original_alone()
    {
        var original = CacheOptions.Default;
        var changed = original.WithMaxSize(3).WithDefaultTtl(TimeSpan.FromSeconds(5));
        Assert.Equal(3, changed.MaxSize);
        Assert.Equal(TimeSpan.FromSeconds(5), changed.DefaultTtl);
        Assert.Equal(1000, original.MaxSize);
        Assert.Equal(new CacheOptions { MaxSize = 3, DefaultTtl = TimeSpan.FromSeconds(5) }, changed);
    }
}
