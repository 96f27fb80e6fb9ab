using System.Text;
using Cache.Async;
using Cache.Contract;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Memcached.Tests;

/// <summary>What only memcached shows: keys of any shape, whole-second TTLs, namespaces, item size limits, the pool.</summary>
public sealed class MemcachedCacheTests(MemcachedServerFixture fixture) : IClassFixture<MemcachedServerFixture>
{
    private readonly FakeLogCollector _logs = new();

    private MemcachedServer Server => fixture.Server;

    public static TheoryData<string> OddKeys() =>
    [
        "",
        " ",
        "with space",
        "line\r\nbreak",
        "mn\r\nMN\r\n",
        "tab\tand\0nul",
        "\u0001\u001f\u007f",
        "é中文🙂",
        "\uD800",
        "\uDC00\uD800",
        "a\uDBFFz",
        new string('k', 176),
        new string('k', 177),
        new string('k', 250),
        new string('é', 300),
        new string('x', 10_000),
    ];

    [Theory]
    [MemberData(nameof(OddKeys))]
    public async Task Any_string_is_a_key_and_stays_distinct_from_every_other(string key)
    {
        await using MemcachedCache cache = Create();
        string[] others = [.. ((IEnumerable<object[]>)OddKeys()).Select(row => (string)row[0]).Where(other => other != key)];
        await cache.SetManyAsync(others.Select(other => KeyValuePair.Create(other, "other")));

        await cache.SetAsync(key, "mine");

        Assert.Equal("mine", await cache.GetAsync<string>(key));
        Assert.True(await cache.ExistsAsync(key));
        Assert.Equal("mine", (await cache.GetManyAsync<string>([key]))[key]);
        Assert.All(await cache.GetManyAsync<string>(others), pair => Assert.Equal("other", pair.Value));
        Assert.True(await cache.RemoveAsync(key));
        Assert.False(await cache.ExistsAsync(key));
        Assert.Equal(others.Length, (await cache.GetManyAsync<string>(others)).Count);
        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_long_key_sent_as_its_hash_is_checked_against_the_key_its_entry_holds()
    {
        // Two keys whose hashed form collides cannot be made; an entry moved under another key's
        // hash shows the check: the stored key is not the one asked for, so it is a miss.
        await using MemcachedCache cache = Create("hashed:");
        string first = new('a', 300);
        string second = new('b', 300);
        await cache.SetAsync(first, "first's");
        Keys.WireKeys keys = new("hashed:");
        ulong current = ulong.Parse(Server.Send($"mg {Encoding.ASCII.GetString(keys.GenerationKey)} b v\r\nmn\r\n", "MN\r\n").Split("\r\n")[1], System.Globalization.CultureInfo.InvariantCulture);
        string firstWire = Encoding.ASCII.GetString(keys.Of(Keys.WireKeys.Of(first), current));
        string secondWire = Encoding.ASCII.GetString(keys.Of(Keys.WireKeys.Of(second), current));
        string stored = Server.Send($"mg {firstWire} b v f\r\nmn\r\n", "MN\r\n");
        string[] lines = stored.Split("\r\n");
        Assert.StartsWith("VA ", lines[0]);
        Assert.Contains(" f1", lines[0]); // the entry carries its key
        byte[] payload = Encoding.Latin1.GetBytes(lines[1]);

        // The first key's entry, copied under the second key's hashed name.
        Assert.Equal("HD\r\n", Server.Send($"ms {secondWire} {payload.Length} b F1\r\n{Encoding.Latin1.GetString(payload)}\r\n", "\r\n"));

        Assert.Equal(default, await cache.TryGetAsync<string>(second));
        Assert.False(await cache.ExistsAsync(second));
        Assert.Equal("first's", await cache.GetAsync<string>(first));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(59_500, 60)]
    public async Task A_TTL_rounds_up_to_whole_seconds(int milliseconds, int seconds)
    {
        Assert.Equal(seconds, MemcachedCache.ExpiryOf(TimeSpan.FromMilliseconds(milliseconds), DateTimeOffset.UnixEpoch));
        await using MemcachedCache cache = Create("ttl:");
        await cache.SetAsync("k", 1, TimeSpan.FromMilliseconds(milliseconds));
        Assert.InRange(RemainingTtl("ttl:", "k"), seconds - 1, seconds); // the server's clock may have ticked once
    }

    [Fact]
    public void TTLs_past_30_days_are_Unix_times_infinite_is_none_and_past_2038_is_none()
    {
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        Assert.Equal(30 * 86_400, MemcachedCache.ExpiryOf(TimeSpan.FromDays(30), now));
        Assert.Equal(1_800_000_000 + (30 * 86_400) + 1, MemcachedCache.ExpiryOf(TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1), now));
        Assert.Equal(0, MemcachedCache.ExpiryOf(Timeout.InfiniteTimeSpan, now));
        Assert.Equal(0, MemcachedCache.ExpiryOf(TimeSpan.FromDays(5000), now)); // 2071: past memcached's 32-bit clock
        Assert.Equal(0, MemcachedCache.ExpiryOf(TimeSpan.MaxValue, now));
    }

    [Fact]
    public async Task A_TTL_past_30_days_lives_that_long_on_the_server()
    {
        // The wall clock of the TimeProvider is the servers' (a Unix time is sent).
        await using MemcachedCache cache = Create("long:", new FakeTimeProvider(DateTimeOffset.UtcNow));
        await cache.SetAsync("k", 1, TimeSpan.FromDays(40));
        Assert.Equal(1, await cache.GetAsync<int>("k"));
        Assert.InRange(RemainingTtl("long:", "k"), (40 * 86_400) - 5, (40 * 86_400) + 1); // the server's clock lags its wall clock by under a second
        await cache.SetAsync("forever", 2, Timeout.InfiniteTimeSpan);
        Assert.Equal(-1, RemainingTtl("long:", "forever"));
    }

    [Fact]
    public async Task Clear_removes_only_its_own_prefix_and_another_process_sees_it_at_its_next_call()
    {
        await using MemcachedCache mine = Create("shared:");
        await using MemcachedCache otherProcess = Create("shared:"); // a cache of its own: its own connections and its own view of the generation
        await using MemcachedCache neighbour = Create("shared:x:");
        Assert.Equal("HD\r\n", Server.Send("ms Zm9yZWlnbg== 1 b\r\nz\r\n", "\r\n")); // another application's key ("foreign")
        await mine.SetAsync("a", 1);
        await neighbour.SetAsync("a", 2);
        Assert.Equal(1, await otherProcess.GetAsync<int>("a"));

        await mine.ClearAsync();

        Assert.Equal(default, await otherProcess.TryGetAsync<int>("a"));
        Assert.False(await mine.ExistsAsync("a"));
        Assert.Equal(2, await neighbour.GetAsync<int>("a"));
        Assert.StartsWith("VA 1", Server.Send("mg Zm9yZWlnbg== b v\r\n", "\r\n"));
        await otherProcess.SetAsync("b", 3);
        Assert.Equal(3, await mine.GetAsync<int>("b"));
    }

    [Fact]
    public async Task A_Clear_from_another_process_while_a_factory_runs_wins_over_the_factorys_value()
    {
        await using MemcachedCache mine = Create("flight:");
        await using MemcachedCache otherProcess = Create("flight:");
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ValueTask<string> running = mine.GetOrSetAsync("k", async _ =>
        {
            started.SetResult();
            return await release.Task;
        });
        await started.Task; // the lookup missed and the factory runs

        await otherProcess.ClearAsync();
        release.SetResult("made before the Clear");

        Assert.Equal("made before the Clear", await running); // the callers still get it
        Assert.Equal(default, await otherProcess.TryGetAsync<string>("k")); // but it is not stored over the Clear
        Assert.Equal(default, await mine.TryGetAsync<string>("k"));
    }

    [Fact]
    public async Task A_value_over_the_servers_item_size_limit_is_a_logged_failure_that_removes_the_older_value()
    {
        // memcached's default item size limit (-I) is 1 MB.
        await using MemcachedCache cache = Create("big:");
        await cache.SetAsync("k", "older");
        await cache.SetAsync("other", "kept");

        await cache.SetAsync("k", new string('v', 1_100_000));

        Assert.Equal(default, await cache.TryGetAsync<string>("k")); // never the older value
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 14);
        Assert.Equal(2, (await cache.GetStatsAsync()).Sets); // "older" and "kept"; the refused value is not counted

        // The connection is still in step: the next calls work.
        await cache.SetManyAsync([KeyValuePair.Create("k", "small"), KeyValuePair.Create("huge", new string('v', 1_100_000))]);
        Assert.Equal("small", await cache.GetAsync<string>("k"));
        Assert.Equal("kept", await cache.GetAsync<string>("other"));
        Assert.False(await cache.ExistsAsync("huge"));
    }

    [Fact]
    public async Task Sixty_four_callers_share_the_pool_without_starving_and_the_server_sees_no_more_connections_than_the_pool()
    {
        using var own = new MemcachedServer();
        using MemcachedServer.RawConnection stats = own.Connect(); // open throughout, so it is counted once and never while closing
        await using MemcachedCache cache = Create("pool:", server: own, connections: 2);
        var thrown = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        int hits = 0;
        async Task Caller(int id)
        {
            for (int i = 0; i < 200; i++)
            {
                try
                {
                    string key = $"k{(id * 7 + i) % 50}";
                    await cache.SetAsync(key, i);
                    if ((await cache.TryGetAsync<int>(key)).Found)
                    {
                        Interlocked.Increment(ref hits);
                    }

                    _ = await cache.GetOrSetAsync($"g{i % 10}", _ => ValueTask.FromResult(i));
                }
#pragma warning disable CA1031 // collected, to assert that nothing escapes
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    thrown.Add(exception);
                }
            }
        }

        // A bound on the real clock that turns a starved pool into a failure; not a wait.
        await Task.WhenAll(Enumerable.Range(0, 64).Select(id => Task.Run(() => Caller(id)))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(thrown);
        Assert.Equal(64 * 200, hits); // every read found the key it had just set: nothing timed out or was lost
        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Level >= LogLevel.Warning); // so no connection failed and was opened again
        Assert.Equal(2 + 1, stats.Stat("curr_connections")); // the pool, and the stats connection
    }

    [Fact]
    public void Options_are_checked_at_construction()
    {
        Assert.Throws<ArgumentNullException>("options", () => new MemcachedCache(null!));
        Assert.Throws<ArgumentException>("Servers", () => new MemcachedCache(new MemcachedCacheOptions { Servers = [] }));
        Assert.Throws<ArgumentException>("Servers", () => new MemcachedCache(new MemcachedCacheOptions { Servers = ["nohost"] }));
        Assert.Throws<ArgumentException>("Servers", () => new MemcachedCache(new MemcachedCacheOptions { Servers = ["h:0"] }));
        Assert.Throws<ArgumentException>("Servers", () => new MemcachedCache(new MemcachedCacheOptions { Servers = ["h:1", "h:1"] }));
        Assert.Throws<ArgumentNullException>("Servers", () => new MemcachedCache(new MemcachedCacheOptions { Servers = [null!] }));
        Assert.Throws<ArgumentException>("KeyPrefix", () => new MemcachedCache(new MemcachedCacheOptions { KeyPrefix = "" }));
        Assert.Throws<ArgumentException>("KeyPrefix", () => new MemcachedCache(new MemcachedCacheOptions { KeyPrefix = new string('p', 129) }));
        Assert.Throws<ArgumentOutOfRangeException>("OperationTimeout", () => new MemcachedCache(new MemcachedCacheOptions { OperationTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>("ConnectionsPerServer", () => new MemcachedCache(new MemcachedCacheOptions { ConnectionsPerServer = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("ConnectionsPerServer", () => new MemcachedCache(new MemcachedCacheOptions { ConnectionsPerServer = 65 }));
        Assert.Throws<ArgumentOutOfRangeException>("DefaultTtl", () => new MemcachedCache(new MemcachedCacheOptions { DefaultTtl = TimeSpan.Zero }));
        using var ipv6 = new MemcachedCache(new MemcachedCacheOptions { Servers = ["[::1]:11211", "localhost:11212"], KeyPrefix = new string('p', 128) });
    }

    [Fact]
    public async Task AddMemcachedCache_registers_one_cache_as_ICache_with_its_options_checked_at_start()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        services.AddMemcachedCache(o => { o.Servers = [Server.Address]; o.KeyPrefix = "di:"; });
        await using ServiceProvider provider = services.BuildServiceProvider();
        ICache cache = provider.GetRequiredService<ICache>();
        Assert.Same(provider.GetRequiredService<MemcachedCache>(), cache);
        await cache.SetAsync("k", 5);
        Assert.Equal(5, await cache.GetAsync<int>("k"));

        var bad = new ServiceCollection();
        bad.AddMemcachedCache(o => o.Servers = []);
        using ServiceProvider badProvider = bad.BuildServiceProvider();
        OptionsValidationException invalid = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<IOptions<MemcachedCacheOptions>>().Value);
        Assert.Contains("server", invalid.Message, StringComparison.OrdinalIgnoreCase);

        var defaults = new ServiceCollection().AddMemcachedCache();
        Assert.Contains(defaults, d => d.ServiceType == typeof(ICache));
    }

    /// <summary>The seconds the server gives the entry to live (<c>mg</c> flag <c>t</c>; -1 for none).</summary>
    private long RemainingTtl(string prefix, string key)
    {
        var keys = new Keys.WireKeys(prefix);
        string generationKey = Encoding.ASCII.GetString(keys.GenerationKey);
        ulong generation = ulong.Parse(Server.Send($"mg {generationKey} b v\r\nmn\r\n", "MN\r\n").Split("\r\n")[1], System.Globalization.CultureInfo.InvariantCulture);
        string wire = Encoding.ASCII.GetString(keys.Of(Keys.WireKeys.Of(key), generation));
        string head = Server.Send($"mg {wire} b t\r\n", "\r\n");
        Assert.StartsWith("HD t", head);
        return long.Parse(head[4..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private MemcachedCache Create(string? prefix = null, TimeProvider? time = null, MemcachedServer? server = null, int connections = 2) => new(
        new MemcachedCacheOptions { Servers = [(server ?? Server).Address], KeyPrefix = prefix ?? $"t:{Guid.NewGuid():N}:", ConnectionsPerServer = connections },
        time,
        new FakeLogger<MemcachedCache>(_logs));
}
