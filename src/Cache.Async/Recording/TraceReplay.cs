using Cache.Core;

namespace Cache.Async.Recording;

/// <summary>What a replay counted.</summary>
/// <param name="Hits">Lookups that hit.</param>
/// <param name="Misses">Lookups that missed (wrong-typed ones included, as the cache counts them).</param>
/// <param name="Evictions">Live entries evicted to make room.</param>
/// <param name="Expirations">Expired entries removed by the replayed operations (a live cache's sweep may remove more, later ones).</param>
/// <param name="Lost">Records the recorder lost (its stream did not keep up): nonzero means the replay is approximate.</param>
internal readonly record struct ReplayResult(long Hits, long Misses, long Evictions, long Expirations, long Lost = 0)
{
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}

/// <summary>
/// Replays a trace through the pure core: a fold of the records over an empty state. With the
/// options the trace was recorded with, it gives the hits and misses the cache counted (exactly,
/// for a cache used from one thread at a time); with other options, what they would have given.
/// </summary>
internal static class TraceReplay
{
    public static ReplayResult Run(IEnumerable<TraceRecord> records, CacheOptions options)
    {
        CacheState<ulong, bool> state = CacheState<ulong, bool>.Empty(options);
        long hits = 0, misses = 0, evictions = 0, expirations = 0, lost = 0;
        foreach (TraceRecord record in records)
        {
            TimeSpan now = record.Time;
            IEnumerable<CacheRemoval<ulong, bool>> removals;
            switch (record.Operation)
            {
                case TraceOperation.Lookup:
                    GetResult<ulong, bool> get = state.Get(record.KeyHash, now);
                    (state, removals) = (get.State, get.Removals);
                    if (get.Found)
                    {
                        hits++;
                    }
                    else
                    {
                        misses++;
                    }

                    break;
                case TraceOperation.LookupOrSet:
                    GetResult<ulong, bool> lookup = state.Get(record.KeyHash, now);
                    (state, removals) = (lookup.State, lookup.Removals);
                    if (lookup.Found)
                    {
                        hits++;
                        break;
                    }

                    misses++;
                    // Stryker disable once Boolean : the replay stores a placeholder; only keys, times and removals are counted.
                    SetResult<ulong, bool> stored = state.Set(record.KeyHash, true, now);
                    state = stored.State;
                    removals = [.. removals, .. stored.Removals];
                    break;
                case TraceOperation.WrongTypeLookup:
                    misses++;
                    continue;
                case TraceOperation.Lost:
                    lost += (long)record.KeyHash;
                    continue;
                case TraceOperation.Set:
                    // Stryker disable once Boolean : the replay stores a placeholder; only keys, times and removals are counted.
                    SetResult<ulong, bool> set = record.Ttl is { } ttl ? state.Set(record.KeyHash, true, ttl, now) : state.Set(record.KeyHash, true, now);
                    (state, removals) = (set.State, set.Removals);
                    break;
                case TraceOperation.Remove:
                    RemoveResult<ulong, bool> remove = state.Remove(record.KeyHash, now);
                    (state, removals) = (remove.State, remove.Removals);
                    break;
                default:
                    TransitionResult<ulong, bool> clear = state.Clear(now);
                    (state, removals) = (clear.State, clear.Removals);
                    break;
            }

            foreach (CacheRemoval<ulong, bool> removal in removals)
            {
                evictions += removal.Reason == RemovalReason.Evicted ? 1 : 0;
                expirations += removal.Reason == RemovalReason.Expired ? 1 : 0;
            }
        }

        return new ReplayResult(hits, misses, evictions, expirations, lost);
    }
}
