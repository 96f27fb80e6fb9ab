using Cache.Core;
using Cache.Async;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Properties.Model;

/// <summary>Runs operations through InMemoryCache on a FakeTimeProvider; every call completes synchronously.</summary>
internal sealed class ShellSystem : IDisposable
{
    private readonly FakeTimeProvider _time = new();

    public ShellSystem(int maxSize, TimeSpan defaultTtl, Stream? recorder = null, TimeSpan? sweep = null, EvictionPolicy policy = EvictionPolicy.Lru) =>
        Cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = maxSize, DefaultTtl = defaultTtl, ExpirationScanInterval = sweep, Recorder = recorder, Policy = policy }, _time);

    public InMemoryCache Cache { get; }

    public FakeTimeProvider Time => _time;

    public string Apply(Operation operation)
    {
        switch (operation)
        {
            case SetOp set:
                Wait(Cache.SetAsync(set.Key, set.Value, set.Ttl.AsTimeSpan));
                return "ok";
            case GetOp get:
                // Get cannot tell a cached 0 from a miss, so ask for int? and let null mean a miss.
                return Wait(Cache.GetAsync<int?>(get.Key)) is int value ? $"hit {value}" : "miss";
            case TryGetOp tryGet:
                var lookup = Wait(Cache.TryGetAsync<int>(tryGet.Key));
                return lookup.Found ? $"hit {lookup.Value}" : "miss";
            case ExistsOp exists:
                return Wait(Cache.ExistsAsync(exists.Key)) ? "true" : "false";
            case RemoveOp remove:
                return Wait(Cache.RemoveAsync(remove.Key)) ? "true" : "false";
            case GetOrSetOp getOrSet:
                bool made = false;
                int result = Wait(Cache.GetOrSetAsync(
                    getOrSet.Key,
                    _ =>
                    {
                        made = true;
                        return ValueTask.FromResult(getOrSet.Value);
                    },
                    getOrSet.Ttl.AsTimeSpan));
                return made ? $"made {result}" : $"hit {result}";
            case ClearOp:
                Wait(Cache.ClearAsync());
                return "ok";
            case StatsOp:
                return Stats();
            case AdvanceOp advance:
                _time.Advance(advance.By);
                return "ok";
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "unknown operation");
        }
    }

    public string Stats()
    {
        var s = Wait(Cache.GetStatsAsync());
        return $"hits {s.Hits} misses {s.Misses} sets {s.Sets} removals {s.Removals} evictions {s.Evictions} expirations {s.Expirations} " +
            $"active {s.ActiveEntries} expired {s.ExpiredEntries} max {s.MaxSize}";
    }

    public void Dispose() => Cache.Dispose();

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
