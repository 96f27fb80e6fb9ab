using System.Collections.Immutable;
using Cache.Core;

namespace Cache.Properties.Model;

/// <summary>Runs operations through the pure core, holding the current state and time.</summary>
internal sealed class CoreSystem(int maxSize, TimeSpan defaultTtl, EvictionPolicy policy = EvictionPolicy.Lru)
{
    public CacheState<string, int> State { get; private set; } =
        CacheState<string, int>.Empty(new CacheOptions { MaxSize = maxSize, DefaultTtl = defaultTtl, Policy = policy });

    public TimeSpan Now { get; private set; }

    public ImmutableArray<CacheRemoval<string, int>> Removed { get; private set; } = [];

    /// <summary>Applies one operation to a given state without keeping the result: for purity checks.</summary>
    public static (string Answer, CacheState<string, int> State, ImmutableArray<CacheRemoval<string, int>> Removed) Step(
        CacheState<string, int> state, TimeSpan now, Operation operation) => Step<int>(state, now, operation);

    /// <summary>The same for a state of any value type that holds the operations' ints (a snapshot of the shell holds them boxed).</summary>
    public static (string Answer, CacheState<string, TValue> State, ImmutableArray<CacheRemoval<string, TValue>> Removed) Step<TValue>(
        CacheState<string, TValue> state, TimeSpan now, Operation operation)
    {
        switch (operation)
        {
            case SetOp set:
                var stored = Set(state, set.Key, set.Value, set.Ttl, now);
                return ("ok", stored.State, stored.Removals);
            case GetOp or TryGetOp:
                var key = operation is GetOp g ? g.Key : ((TryGetOp)operation).Key;
                var lookup = state.Get(key, now);
                return (lookup.Found ? $"hit {lookup.Value}" : "miss", lookup.State, lookup.Removals);
            case ExistsOp exists:
                return (state.ContainsKey(exists.Key, now) ? "true" : "false", state, []);
            case RemoveOp remove:
                var removed = state.Remove(remove.Key, now);
                return (removed.Removed ? "true" : "false", removed.State, removed.Removals);
            case GetOrSetOp getOrSet:
                var found = state.Get(getOrSet.Key, now);
                if (found.TryGetValue(out TValue? cached))
                {
                    return ($"hit {cached}", found.State, found.Removals);
                }

                var made = Set(found.State, getOrSet.Key, getOrSet.Value, getOrSet.Ttl, now);
                return ($"made {getOrSet.Value}", made.State, found.Removals.AddRange(made.Removals));
            case ClearOp:
                var cleared = state.Clear(now);
                return ("ok", cleared.State, cleared.Removals);
            case StatsOp or AdvanceOp:
                return ("ok", state, []);
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "unknown operation");
        }
    }

    public string Apply(Operation operation)
    {
        if (operation is AdvanceOp advance)
        {
            Now += advance.By;
        }

        var (answer, state, removed) = Step(State, Now, operation);
        State = state;
        Removed = removed;
        return answer;
    }

    private static SetResult<string, TValue> Set<TValue>(CacheState<string, TValue> state, string key, int value, TtlChoice ttl, TimeSpan now) =>
        ttl.AsTimeSpan is { } given ? state.Set(key, (TValue)(object)value, given, now) : state.Set(key, (TValue)(object)value, now);
}
