using System.Text;
using Cache.Async;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Cache.Redis.Tests;

/// <summary>What only the Redis backend has: keys on a shared server, payloads, server-side TTLs.</summary>
public sealed class RedisCacheTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly FakeLogCollector _logs = new();
    private ConnectionMultiplexer _raw = null!;

    private IDatabase Raw => _raw.GetDatabase();

    public async Task InitializeAsync() => _raw = await ConnectionMultiplexer.ConnectAsync(fixture.Server.Configuration);

    public async Task DisposeAsync() => await _raw.DisposeAsync();

    [Fact]
    public async Task Garbage_written_under_a_key_by_another_client_is_a_logged_miss_and_is_deleted()
    {
        await using RedisCache cache = Create("garbage:");
        await Raw.StringSetAsync("garbage:k", new byte[] { 0xFF, 0x00, 0x13, (byte)'{' });

        Assert.Equal(new CacheLookup<string>(false, null), await cache.TryGetAsync<string>("k"));
        Assert.False(await cache.ExistsAsync("k")); // one connection: this EXISTS runs after the delete
        Assert.False(await Raw.KeyExistsAsync("garbage:k"));
        FakeLogRecord warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(5, warning.Id.Id);
        Assert.NotNull(warning.Exception);
        Assert.Equal(1, (await cache.GetStatsAsync()).Misses);

        // The next GetOrSet repairs the entry.
        Assert.Equal("fresh", await cache.GetOrSetAsync("k", _ => ValueTask.FromResult("fresh")));
        Assert.Equal("\"fresh\"", (string?)await Raw.StringGetAsync("garbage:k"));
    }

    [Fact]
    public async Task A_payload_that_does_not_read_as_the_type_asked_for_is_deleted_like_garbage()
    {
        await using RedisCache cache = Create("typed:");
        await cache.SetAsync("k", "text");
        Assert.Equal(0, await cache.GetAsync<int>("k"));
        Assert.False(await cache.ExistsAsync("k"));
    }

    [Fact]
    public async Task An_unreadable_entry_is_not_deleted_once_a_newer_write_replaced_it()
    {
        // The delete runs only while the key still holds the payload that failed to read.
        using var slow = new GateSerializer();
        await using RedisCache cache = Create("race:", serializer: slow);
        await Raw.StringSetAsync("race:k", "not json");
        slow.HoldNextRead();
        Task<CacheLookup<string>> reading = cache.TryGetAsync<string>("k").AsTask();
        await slow.ReadStarted.WaitAsync(TimeSpan.FromSeconds(10));
        await Raw.StringSetAsync("race:k", "\"newer\"");
        slow.ReleaseRead();

        Assert.False((await reading).Found);
        Assert.True(await cache.ExistsAsync("k")); // one connection: this EXISTS runs after the conditional delete
        Assert.Equal("\"newer\"", (string?)await Raw.StringGetAsync("race:k"));
    }

    [Fact]
    public async Task Entries_are_prefixed_JSON_with_a_millisecond_expiry_and_no_type_names()
    {
        await using RedisCache cache = Create("shape:", defaultTtl: TimeSpan.FromMinutes(5));
        await cache.SetAsync("order", new Order(7, "Ada"));
        await cache.SetAsync("forever", 1, Timeout.InfiniteTimeSpan);
        await cache.SetAsync("tiny", 1, TimeSpan.FromTicks(1)); // rounds up to 1 ms, never to "no expiry"

        string json = (await Raw.StringGetAsync("shape:order"))!;
        Assert.Equal("""{"id":7,"customer":"Ada"}""", json);
        Assert.DoesNotContain(nameof(Order), json, StringComparison.Ordinal);
        Assert.DoesNotContain("$type", json, StringComparison.Ordinal);

        TimeSpan? ttl = await Raw.KeyTimeToLiveAsync("shape:order");
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.Null(await Raw.KeyTimeToLiveAsync("shape:forever"));
        Assert.True(await Raw.KeyExistsAsync("shape:forever"));
        Assert.Equal(TimeSpan.FromMilliseconds(1), RedisCache.ExpiryOf(TimeSpan.FromTicks(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(1501), RedisCache.ExpiryOf(TimeSpan.FromTicks(15_000_001)));
        Assert.Null(RedisCache.ExpiryOf(TimeSpan.MaxValue));
        Assert.Null(RedisCache.ExpiryOf(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task Caches_with_different_prefixes_never_see_each_others_keys_and_Clear_touches_only_its_own()
    {
        await using RedisCache tenantA = Create("tenant-a:");
        await using RedisCache tenantB = Create("tenant-b:");
        await Raw.StringSetAsync("unrelated", "kept");
        await tenantA.SetAsync("user:1", "A's");
        await tenantB.SetAsync("user:1", "B's");

        Assert.Equal("A's", await tenantA.GetAsync<string>("user:1"));
        Assert.Equal("B's", await tenantB.GetAsync<string>("user:1"));
        Assert.False(await tenantA.ExistsAsync("tenant-b:user:1"));

        await tenantA.ClearAsync();
        Assert.False(await tenantA.ExistsAsync("user:1"));
        Assert.Equal("B's", await tenantB.GetAsync<string>("user:1"));
        Assert.Equal("kept", (string?)await Raw.StringGetAsync("unrelated"));
    }

    [Fact]
    public async Task A_prefix_with_glob_characters_clears_only_itself()
    {
        await using RedisCache globby = Create("a*[b]?\\:");
        await using RedisCache plain = Create("aXbY\\:");
        await Raw.StringSetAsync("a*[b]?-other", "kept");
        await globby.SetAsync("k", 1);
        await plain.SetAsync("k", 2);

        await globby.ClearAsync();
        Assert.False(await globby.ExistsAsync("k"));
        Assert.Equal(2, await plain.GetAsync<int>("k"));
        Assert.True(await Raw.KeyExistsAsync("a*[b]?-other"));
    }

    [Fact]
    public async Task Clear_removes_more_keys_than_one_scan_page()
    {
        await using RedisCache cache = Create("many:");
        IBatch batch = Raw.CreateBatch();
        Task[] writes = [.. Enumerable.Range(0, 2500).Select(i => batch.StringSetAsync($"many:{i}", "1"))];
        batch.Execute();
        await Task.WhenAll(writes);

        await cache.ClearAsync();
        Assert.Empty(_raw.GetServers()[0].Keys(pattern: "many:*"));
    }

    [Theory]
    [InlineData("cycle", typeof(System.Text.Json.JsonException))]
    [InlineData("delegate", typeof(NotSupportedException))]
    [InlineData("NaN without named literals", typeof(ArgumentException))]
    public async Task A_value_the_serializer_cannot_write_is_a_logged_failure_of_Set_that_stores_nothing_and_removes_the_older_value(string kind, Type thrown)
    {
        // A serializer that refuses NaN (System.Text.Json's own default) throws an ArgumentException.
        ICacheSerializer serializer = kind == "NaN without named literals" ? new JsonCacheSerializer(new System.Text.Json.JsonSerializerOptions()) : new JsonCacheSerializer();
        await using RedisCache cache = Create("unwritable:", serializer: serializer);
        object value = kind switch
        {
            "cycle" => Cycle(),
            "delegate" => new Func<int>(() => 1),
            _ => double.NaN,
        };
        await cache.SetAsync<object>("k", "older");

        await cache.SetAsync("k", value); // no exception: the caller's Set failed operationally, as when Redis is down

        Assert.False(await Raw.KeyExistsAsync("unwritable:k")); // the older value is gone, not left readable as if the Set had not happened
        Assert.Equal(default, await cache.TryGetAsync<string>("k"));
        FakeLogRecord warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(13, warning.Id.Id);
        Assert.IsAssignableFrom(thrown, warning.Exception); // what used to escape from SetAsync
        Assert.Equal(1, (await cache.GetStatsAsync()).Sets); // the older value's Set only
    }

    [Fact]
    public async Task NaN_and_the_infinities_are_ordinary_doubles_that_round_trip()
    {
        await using RedisCache cache = Create("nan:");
        double[] values = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.MaxValue, double.Epsilon];
        for (int i = 0; i < values.Length; i++)
        {
            await cache.SetAsync($"d{i}", values[i]);
            Assert.Equal(new CacheLookup<double>(true, values[i]), await cache.TryGetAsync<double>($"d{i}"));
        }

        await cache.SetAsync("f", float.NaN);
        Assert.True(float.IsNaN(await cache.GetAsync<float>("f")));
        await cache.SetAsync("point", new Point(double.NaN, double.NegativeInfinity));
        Assert.Equal(new Point(double.NaN, double.NegativeInfinity), await cache.GetAsync<Point>("point"));
        Assert.Equal(double.PositiveInfinity, await cache.GetOrSetAsync("made", _ => ValueTask.FromResult(double.PositiveInfinity)));
        Assert.Equal(double.PositiveInfinity, await cache.GetAsync<double>("made"));
        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_batch_with_an_unserializable_item_stores_the_others_and_removes_that_items_older_value_with_a_Warning()
    {
        await using RedisCache cache = Create("unwritable-batch:");
        await cache.SetManyAsync<object>([KeyValuePair.Create("a", (object)"old a"), KeyValuePair.Create("bad", (object)"old bad"), KeyValuePair.Create("b", (object)"old b")]);

        await cache.SetManyAsync<object>([KeyValuePair.Create("a", (object)"new a"), KeyValuePair.Create("bad", (object)Cycle()), KeyValuePair.Create("b", (object)"new b")]);

        Assert.Equal("new a", await cache.GetAsync<string>("a"));
        Assert.Equal("new b", await cache.GetAsync<string>("b"));
        Assert.False(await Raw.KeyExistsAsync("unwritable-batch:bad"));
        FakeLogRecord warning = Assert.Single(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(13, warning.Id.Id);
        Assert.Equal(5, (await cache.GetStatsAsync()).Sets); // three, then the two that could be written
    }

    [Fact]
    public async Task GetOrSet_hands_an_unserializable_value_to_its_callers_stores_nothing_and_leaves_no_older_value()
    {
        await using RedisCache cache = Create("unwritable-made:");
        await cache.SetAsync("k", "an older value that does not read as a Node");
        Node node = Cycle();

        Assert.Same(node, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(node)));

        Assert.False(await cache.ExistsAsync("k")); // one connection: this EXISTS runs after the unreadable older value's delete
        Assert.False(await Raw.KeyExistsAsync("unwritable-made:k"));
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 11);
        Assert.Equal(1, (await cache.GetStatsAsync()).Sets);
    }

    [Fact]
    public async Task Keys_with_different_lone_surrogates_are_different_keys()
    {
        await using RedisCache cache = Create("lone:");
        await cache.SetAsync("user:\uD800", "first");
        await cache.SetAsync("user:\uDBFF", "second");

        Assert.Equal("first", await cache.GetAsync<string>("user:\uD800"));
        Assert.Equal("second", await cache.GetAsync<string>("user:\uDBFF"));
        Assert.False(await cache.ExistsAsync("user:\uFFFD")); // what both used to become
        Assert.False(await cache.ExistsAsync("user:"));
    }

    [Fact]
    public async Task Prefixes_that_differ_only_in_a_lone_surrogate_are_different_namespaces()
    {
        await using RedisCache high = Create("t\uD800:");
        await using RedisCache low = Create("t\uDBFF:");
        await high.SetAsync("k", 1);
        await low.SetAsync("k", 2);
        Assert.Equal(1, await high.GetAsync<int>("k"));

        await high.ClearAsync();
        Assert.False(await high.ExistsAsync("k"));
        Assert.Equal(2, await low.GetAsync<int>("k"));
    }

    [Fact]
    public void The_key_encoding_maps_distinct_strings_to_distinct_bytes_and_leaves_well_formed_keys_as_UTF8()
    {
        var keys = new KeyNamespace("p:");
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var random = new Random(5);
        int wellFormed = 0;
        for (int i = 0; i < 200_000; i++)
        {
            string key = RandomKey(random);
            byte[] bytes = (byte[])keys.Of(key)!;
            string encoded = Convert.ToHexString(bytes);
            if (seen.TryGetValue(encoded, out string? other))
            {
                Assert.True(other == key, $"{Escaped(key)} and {Escaped(other)} share the Redis key {encoded}");
            }

            seen[encoded] = key;
            if (IsWellFormed(key))
            {
                wellFormed++;
                Assert.Equal(Encoding.UTF8.GetBytes("p:" + key), bytes);
            }
            else
            {
                Assert.Equal(Encoding.UTF8.GetBytes("p:"), bytes[..2]);
            }
        }

        Assert.InRange(wellFormed, 1000, 199_000); // the sample has plenty of both kinds
    }

    [Fact]
    public async Task Random_keys_with_lone_surrogates_replacement_characters_and_escapes_each_hold_their_own_value_and_Clear_removes_them_all()
    {
        await using RedisCache cache = Create("random-keys:");
        var random = new Random(11);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (keys.Count < 600)
        {
            keys.Add(RandomKey(random));
        }

        string[] distinct = [.. keys];
        for (int i = 0; i < distinct.Length; i++)
        {
            await cache.SetAsync(distinct[i], i);
        }

        Assert.Equal(distinct.Length, _raw.GetServers()[0].Keys(pattern: "random-keys:*").Count()); // one Redis key each
        for (int i = 0; i < distinct.Length; i++)
        {
            Assert.True(new CacheLookup<int>(true, i) == await cache.TryGetAsync<int>(distinct[i]), $"key {Escaped(distinct[i])}");
        }

        await cache.ClearAsync();
        Assert.Empty(_raw.GetServers()[0].Keys(pattern: "random-keys:*"));
        foreach (string key in distinct)
        {
            Assert.False(await cache.ExistsAsync(key));
        }
    }

    [Fact]
    public async Task A_caller_whose_lookup_missed_just_before_a_run_stored_its_value_shares_that_run()
    {
        // The race: a caller's GET is answered "absent" just before the running factory's value is
        // stored, and the caller acts on that answer only after the run has finished. The test holds
        // GET replies (the server has answered; the cache has not seen it yet) to make the window wide.
        var gets = new HeldGetReplies();
        await using RedisCache cache = new(gets.Wrap(_raw), new RedisCacheOptions { KeyPrefix = "late:" }, new FakeLogger<RedisCache>(_logs));
        int runs = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Load(CancellationToken token)
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult();
            await release.Task.WaitAsync(token);
            return "made";
        }

        Task<string> first = cache.GetOrSetAsync("k", Load).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        gets.Hold();
        Task<string> late = cache.GetOrSetAsync("k", Load).AsTask();

        // Either its GET reply is held, or it joined the running flight without a GET of its own.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (gets.Held == 0 && (await cache.GetStatsAsync()).Misses < 2)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the late caller neither sent a GET nor joined the run");
            await Task.Yield();
        }

        release.SetResult();
        Assert.Equal("made", await first.WaitAsync(TimeSpan.FromSeconds(10))); // the run stored its value and finished
        gets.Release();

        Assert.Equal("made", await late.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, runs);
        Assert.Equal(new CacheStats { Misses = 2, Sets = 1 }, await cache.GetStatsAsync());
    }

    [Fact]
    public async Task Callers_arriving_while_a_run_finishes_never_start_a_second_run()
    {
        await using RedisCache cache = Create("finishing:");
        const int Iterations = 100;
        const int Callers = 8;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            string key = $"k{iteration}";
            int runs = 0;
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            async ValueTask<int> Load(CancellationToken token)
            {
                Interlocked.Increment(ref runs);
                started.TrySetResult();
                await release.Task.WaitAsync(token);
                return iteration;
            }

            Task<int> first = cache.GetOrSetAsync(key, Load).AsTask();
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Task<int>[] arriving = [.. Enumerable.Range(0, Callers).Select(_ => Task.Run(() => cache.GetOrSetAsync(key, Load).AsTask()))];
            release.SetResult(); // the run finishes while the callers arrive

            Assert.All(await Task.WhenAll([first, .. arriving]).WaitAsync(TimeSpan.FromSeconds(10)), value => Assert.Equal(iteration, value));
            Assert.True(runs == 1, $"iteration {iteration}: {runs} runs");
        }
    }

    [Fact]
    public async Task A_custom_serializer_writes_the_payload()
    {
        await using RedisCache cache = Create("custom:", serializer: new UpperCaseSerializer());
        await cache.SetAsync("k", "shout");
        Assert.Equal("SHOUT", (string?)await Raw.StringGetAsync("custom:k"));
        Assert.Equal("SHOUT", await cache.GetAsync<string>("k"));
    }

    [Fact]
    public async Task A_GetOrSet_does_not_overwrite_a_value_another_process_wrote_while_its_factory_ran()
    {
        await using RedisCache cache = Create("nx:");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> loading = cache.GetOrSetAsync("k", async token =>
        {
            started.SetResult();
            await release.Task.WaitAsync(token);
            return "stale";
        }).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Raw.StringSetAsync("nx:k", "\"from another process\"");
        release.SetResult();

        Assert.Equal("stale", await loading);
        Assert.Equal("from another process", await cache.GetAsync<string>("k"));
        Assert.Equal(0, (await cache.GetStatsAsync()).Sets);
    }

    [Fact]
    public async Task Stats_count_this_clients_lookups_and_writes_and_leave_server_side_fields_at_zero()
    {
        await using RedisCache cache = Create("stats:");
        await cache.SetAsync("a", 1);
        await cache.GetAsync<int>("a");
        await cache.GetAsync<int>("b");
        await cache.RemoveAsync("a");

        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal(new CacheStats { Hits = 1, Misses = 1, Sets = 1, Removals = 1 }, stats);
        Assert.Equal(0, stats.UtilizationPercent);
    }

    [Fact]
    public async Task A_cache_on_a_connection_it_was_given_leaves_that_connection_open()
    {
        RedisCache cache = new(_raw, new RedisCacheOptions { KeyPrefix = "given:" });
        await cache.SetAsync("k", 1);
        await cache.DisposeAsync();
        Assert.True(_raw.IsConnected);
        Assert.Equal("1", (string?)await Raw.StringGetAsync("given:k"));
    }

    [Fact]
    public async Task AddRedisCache_registers_one_RedisCache_as_ICache_with_the_configured_options()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(_logs)).SetMinimumLevel(LogLevel.Debug));
        services.AddRedisCache(options =>
        {
            options.Configuration = fixture.Server.Configuration;
            options.KeyPrefix = "di:";
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        ICache cache = provider.GetRequiredService<ICache>();
        Assert.Same(provider.GetRequiredService<RedisCache>(), cache);
        await cache.SetAsync("k", 42);
        Assert.Equal("42", (string?)await Raw.StringGetAsync("di:k"));
        await cache.GetAsync<int>("k");
        Assert.Contains(_logs.GetSnapshot(), r => r.Category == typeof(RedisCache).FullName && r.Id.Id == 1);
    }

    [Fact]
    public void Bad_options_are_refused_when_the_cache_is_made()
    {
        Assert.Throws<ArgumentNullException>("options", () => new RedisCache((RedisCacheOptions)null!));
        Assert.Throws<ArgumentNullException>("Configuration", () => new RedisCache(new RedisCacheOptions()));
        Assert.Throws<ArgumentException>("Configuration", () => new RedisCache(new RedisCacheOptions { Configuration = " " }));
        Assert.Throws<ArgumentNullException>("connection", () => new RedisCache((IConnectionMultiplexer)null!));
        Assert.Throws<ArgumentException>("KeyPrefix", () => new RedisCache(_raw, new RedisCacheOptions { KeyPrefix = "" }));
        Assert.Throws<ArgumentNullException>("Serializer", () => new RedisCache(_raw, new RedisCacheOptions { Serializer = null! }));
        Assert.Throws<ArgumentOutOfRangeException>("DefaultTtl", () => new RedisCache(_raw, new RedisCacheOptions { DefaultTtl = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>("OperationTimeout", () => new RedisCache(_raw, new RedisCacheOptions { OperationTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentNullException>("configure", () => new ServiceCollection().AddRedisCache(null!));
    }

    [Fact]
    public async Task AddRedisCache_by_name_registers_keyed_caches_named_by_their_keys_from_code_or_configuration()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Configuration"] = fixture.Server.Configuration,
            ["KeyPrefix"] = "named-b:",
        }).Build();
        var services = new ServiceCollection();
        services.AddRedisCache("a", o =>
        {
            o.Configuration = fixture.Server.Configuration;
            o.KeyPrefix = "named-a:";
        });
        services.AddRedisCache("b", configuration);
        await using ServiceProvider provider = services.BuildServiceProvider();

        ICache a = provider.GetRequiredKeyedService<ICache>("a");
        ICache b = provider.GetRequiredKeyedService<ICache>("b");
        Assert.Same(provider.GetRequiredKeyedService<RedisCache>("a"), a);
        Assert.NotSame(a, b);
        await a.SetAsync("k", 1);
        await b.SetAsync("k", 2);
        Assert.Equal("1", (string?)await Raw.StringGetAsync("named-a:k"));
        Assert.Equal("2", (string?)await Raw.StringGetAsync("named-b:k"));
        var options = provider.GetRequiredService<IOptionsMonitor<RedisCacheOptions>>();
        Assert.Equal(("a", "b"), (options.Get("a").Name, options.Get("b").Name));
        Assert.Null(provider.GetService<ICache>());
        Assert.Throws<ArgumentException>("name", () => services.AddRedisCache(" ", configuration));
        Assert.Throws<ArgumentException>("Name", () => new RedisCache(_raw, new RedisCacheOptions { Name = "" }));
    }

    [Theory]
    [InlineData("DefaultTtl", "00:00:00")]
    [InlineData("OperationTimeout", "00:00:00")]
    [InlineData("KeyPrefix", "")]
    public void A_bad_configured_value_of_a_named_Redis_cache_fails_validation_at_first_use_and_at_start(string option, string value)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Configuration"] = fixture.Server.Configuration,
            [option] = value,
        }).Build();
        using ServiceProvider provider = new ServiceCollection().AddRedisCache("bad", configuration).BuildServiceProvider();

        var atUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<ICache>("bad"));
        Assert.Contains(option, atUse.Message, StringComparison.Ordinal);
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(option, atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_is_one_cache_across_backends()
    {
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection()
            .AddInMemoryCache("s")
            .AddRedisCache("s", o => o.Configuration = fixture.Server.Configuration));
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection()
            .AddRedisCache("s", o => o.Configuration = fixture.Server.Configuration)
            .AddInMemoryCache("s"));
    }

    private RedisCache Create(string prefix, TimeSpan? defaultTtl = null, ICacheSerializer? serializer = null) => new(
        new RedisCacheOptions
        {
            Configuration = fixture.Server.Configuration,
            KeyPrefix = prefix,
            DefaultTtl = defaultTtl ?? TimeSpan.FromMinutes(10),
            Serializer = serializer ?? new JsonCacheSerializer(),
        },
        new FakeLogger<RedisCache>(_logs));

    private static Node Cycle()
    {
        var node = new Node();
        node.Next = node;
        return node;
    }

    /// <summary>A short key over an alphabet that makes collisions likely: lone and paired surrogates, U+FFFD, glob and escape characters.</summary>
    private static string RandomKey(Random random)
    {
        string[] alphabet = ["a", ":", "*", "?", "\\", "%", "\uFFFD", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uD83D\uDD11", "\uDD11\uD83D", "é", "\0", "\u00ED\u00A0\u0080"];
        var key = new StringBuilder();
        for (int length = random.Next(0, 6); length > 0; length--)
        {
            key.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return key.ToString();
    }

    private static bool IsWellFormed(string text) =>
        System.Text.Unicode.Utf8.FromUtf16(text, new byte[text.Length * 3], out _, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done;

    private static string Escaped(string text) => string.Concat(text.Select(c => $"\\u{(int)c:X4}"));

    private sealed record Order(int Id, string Customer);

    private sealed record Point(double X, double Y);

    private sealed class Node
    {
        public Node? Next { get; set; }
    }

    private sealed class UpperCaseSerializer : ICacheSerializer
    {
        public byte[] Serialize<T>(T value) => Encoding.UTF8.GetBytes(value!.ToString()!.ToUpperInvariant());

        public T? Deserialize<T>(ReadOnlySpan<byte> payload) => (T)(object)Encoding.UTF8.GetString(payload);
    }

    /// <summary>The JSON serializer, with a read that can be held open to let another client write in between.</summary>
    private sealed class GateSerializer : ICacheSerializer, IDisposable
    {
        private readonly JsonCacheSerializer _json = new();
        private readonly ManualResetEventSlim _release = new(initialState: true);
        private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task ReadStarted => _started.Task;

        public void HoldNextRead()
        {
            _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _release.Reset();
        }

        public void ReleaseRead() => _release.Set();

        public void Dispose() => _release.Dispose();

        public byte[] Serialize<T>(T value) => _json.Serialize(value);

        public T? Deserialize<T>(ReadOnlySpan<byte> payload)
        {
            _started.TrySetResult();
            _release.Wait(TimeSpan.FromSeconds(10));
            return _json.Deserialize<T>(payload);
        }
    }
}
