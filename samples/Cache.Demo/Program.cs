using Cache.Async;
using Cache.Memcached;
using Cache.Redis;
using Microsoft.Extensions.Time.Testing;

// A walk through Cache: the basics, time travel, LRU eviction, single flight, statistics.
//   dotnet run --project samples/Cache.Demo                               in memory
//   dotnet run --project samples/Cache.Demo -- --redis 127.0.0.1:6379     parts 1, 4 and 5 on Redis
//   dotnet run --project samples/Cache.Demo -- --memcached 127.0.0.1:11211 parts 1, 4 and 5 on memcached
string? redis = args.Length == 2 && args[0] == "--redis" ? args[1] : null;
string? memcached = args.Length == 2 && args[0] == "--memcached" ? args[1] : null;
if (args.Length > 0 && redis is null && memcached is null)
{
    Console.Error.WriteLine("usage: Cache.Demo [--redis <StackExchange.Redis configuration, e.g. 127.0.0.1:6379> | --memcached <host:port[,host:port...]>]");
    return 2;
}

// The server backend, if any: its name in what the demo prints.
string? server = redis is not null ? "Redis" : memcached is not null ? "memcached" : null;

// The same ICache code runs on every backend; only this line differs.
ICache MakeCache() => (redis, memcached) switch
{
    (not null, _) => new RedisCache(new RedisCacheOptions { Configuration = redis, KeyPrefix = "cache-demo:", DefaultTtl = TimeSpan.FromMinutes(30) }),
    (_, not null) => new MemcachedCache(new MemcachedCacheOptions { Servers = memcached.Split(','), KeyPrefix = "cache-demo:", DefaultTtl = TimeSpan.FromMinutes(30) }),
    _ => new InMemoryCache(new InMemoryCacheOptions { MaxSize = 500, DefaultTtl = TimeSpan.FromMinutes(30) }),
};

string backend = server is null ? "in memory" : $"on {server} at {redis ?? memcached} (keys under \"cache-demo:\")";
Console.WriteLine($"== 1. Basics, {backend}: DefaultTtl 30 min");
{
    ICache cache = MakeCache();
    using var disposeCache = (IDisposable)cache;
    await cache.ClearAsync(); // a fresh start, also for a server that ran the demo before
    await cache.SetAsync("user:42", new User(42, "Ada"));                    // default TTL: 30 min
    await cache.SetAsync("session:abc", "token-123", TimeSpan.FromMinutes(5)); // explicit TTL: 5 min

    Console.WriteLine($"get user:42          -> {await cache.GetAsync<User>("user:42")}");
    Console.WriteLine($"get session:abc      -> {await cache.GetAsync<string>("session:abc")}");
    Console.WriteLine($"get missing          -> {await cache.GetAsync<string>("missing") ?? "(miss)"}");
    Console.WriteLine($"exists session:abc   -> {await cache.ExistsAsync("session:abc")}");
    PrintStats(await cache.GetStatsAsync(), server);
}

Console.WriteLine();
Console.WriteLine(server is null
    ? "== 2. Time travel on a FakeTimeProvider (no sleeping)"
    : $"== 2. Time travel on a FakeTimeProvider (in memory: {server} keeps the server's real time)");
var time = new FakeTimeProvider();
var timeTravelOptions = new InMemoryCacheOptions
{
    MaxSize = 500,
    DefaultTtl = TimeSpan.FromMinutes(30),
    ExpirationScanInterval = TimeSpan.FromMinutes(10), // the background sweep, on the same fake clock
};
using (var cache = new InMemoryCache(timeTravelOptions, time))
{
    await cache.SetAsync("session:abc", "token-123", TimeSpan.FromMinutes(5));
    await cache.SetAsync("user:42", new User(42, "Ada"));
    time.Advance(TimeSpan.FromMinutes(4));
    Console.WriteLine($"after 4 min: session:abc exists -> {await cache.ExistsAsync("session:abc")}");
    var stats = await cache.GetStatsAsync();
    Console.WriteLine($"             active {stats.ActiveEntries}, expired {stats.ExpiredEntries}");
    time.Advance(TimeSpan.FromMinutes(1));
    Console.WriteLine($"after 5 min: session:abc exists -> {await cache.ExistsAsync("session:abc")}");
    stats = await cache.GetStatsAsync();
    Console.WriteLine($"             active {stats.ActiveEntries}, expired {stats.ExpiredEntries} (stored, not yet removed)");
    Console.WriteLine($"             get session:abc    -> {await cache.GetAsync<string>("session:abc") ?? "(miss: expired)"}");
    stats = await cache.GetStatsAsync();
    Console.WriteLine($"             expirations counted: {stats.Expirations}, entries stored: {stats.TotalEntries}");
    await cache.SetAsync("temp", "scratch", TimeSpan.FromMinutes(1));
    time.Advance(TimeSpan.FromMinutes(5));
    Console.WriteLine($"after 10 min: the sweep fired on the fake clock; expirations {(await cache.GetStatsAsync()).Expirations}, stored {cache.Snapshot().Count}");
}

Console.WriteLine();
Console.WriteLine(server is null
    ? "== 3. LRU eviction at MaxSize 3"
    : $"== 3. LRU eviction at MaxSize 3 (in memory: on {server}, capacity and recency are the server's)");
using (var cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = 3 }, time))
{
    await cache.SetAsync("a", 1);
    await cache.SetAsync("b", 2);
    await cache.SetAsync("c", 3);
    await cache.GetAsync<int>("a"); // a is now the most recently used
    Console.WriteLine($"recency (least recent first): {string.Join(", ", cache.Snapshot().Keys)}");
    var before = cache.Snapshot().Keys.ToHashSet();
    await cache.SetAsync("d", 4);
    before.ExceptWith(cache.Snapshot().Keys);
    Console.WriteLine($"set d evicted: {string.Join(", ", before)}");
    Console.WriteLine($"recency now:  {string.Join(", ", cache.Snapshot().Keys)}");
    Console.WriteLine($"evictions: {(await cache.GetStatsAsync()).Evictions}");
}

Console.WriteLine();
Console.WriteLine($"== 4. Single flight, {backend}: 50 concurrent callers, one factory run");
{
    ICache cache = server is null ? new InMemoryCache(new InMemoryCacheOptions { MaxSize = 500 }, time) : MakeCache();
    using var disposeCache = (IDisposable)cache;
    await cache.ClearAsync();
    int runs = 0;
    var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    async ValueTask<string> LoadReport(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref runs);
        await release.Task.WaitAsync(cancellationToken); // stands in for a slow database query
        return "quarterly report";
    }

    var callers = Enumerable.Range(0, 50).Select(_ => cache.GetOrSetAsync("report:q3", LoadReport).AsTask()).ToArray();
    release.SetResult();
    var answers = await Task.WhenAll(callers);
    Console.WriteLine($"callers answered: {answers.Length}, all the same: {answers.Distinct().Count() == 1}, factory runs: {runs}");
    for (int i = 0; i < 10; i++)
    {
        await cache.GetOrSetAsync("report:q3", LoadReport); // hits now: the factory does not run again
    }

    Console.WriteLine($"10 more calls: factory runs still {runs}");

    Console.WriteLine();
    Console.WriteLine($"== 5. Final statistics, {backend}");
    CacheStats stats = await cache.GetStatsAsync();
    PrintStats(stats, server);
    Console.WriteLine(
        $"What they say: each lookup counts one hit or one miss. The {answers.Length} callers all missed and shared " +
        $"{runs} factory run, whose value was stored once (Sets {stats.Sets}); the 10 calls after it hit (Hits {stats.Hits}).");
    if (server is not null)
    {
        Console.WriteLine($"On {server}, hits, misses, sets and removals are this client's; evictions, expirations and entries are the server's (its own statistics), so the client does not show them.");
        await cache.ClearAsync();
    }
}

return 0;

static void PrintStats(CacheStats stats, string? server = null)
{
    // What the server keeps (capacity, expiry, entries) is not this client's to count on a server.
    string ServerSide(object value) => server is not null ? "the server's" : value.ToString()!;
    Console.WriteLine("+--------------------+----------------------+");
    Row("Hits", stats.Hits);
    Row("Misses", stats.Misses);
    Row("Hit rate", $"{stats.HitRate:P1}");
    Row("Sets", stats.Sets);
    Row("Removals", stats.Removals);
    Row("Evictions", ServerSide(stats.Evictions));
    Row("Expirations", ServerSide(stats.Expirations));
    Row("Active entries", ServerSide(stats.ActiveEntries));
    Row("Expired entries", ServerSide(stats.ExpiredEntries));
    Row("Total entries", ServerSide(stats.TotalEntries));
    Row("Max size", ServerSide(stats.MaxSize));
    Row("Utilization", ServerSide($"{stats.UtilizationPercent:F1} %"));
    Console.WriteLine("+--------------------+----------------------+");

    static void Row(string name, object value) => Console.WriteLine($"| {name,-18} | {value,20} |");
}

internal sealed record User(int Id, string Name);
