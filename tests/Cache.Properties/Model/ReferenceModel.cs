using Cache.Core;

namespace Cache.Properties.Model;

/// <summary>
/// The contract written as plainly as possible: a list of entries and linear scans, with no
/// indexes, no immutability and no cleverness, apart from the core on purpose. Times are ticks
/// since the cache was created. Under W-TinyLFU (<paramref name="policy"/>) a <see cref="TinyLfuModel"/>
/// beside the list decides what a full cache gives up, and in which order the keys are.
/// </summary>
internal sealed class ReferenceModel(int maxSize, TimeSpan defaultTtl, EvictionPolicy policy = EvictionPolicy.Lru)
{
    private readonly List<Entry> _entries = [];
    private TinyLfuModel? _tinyLfu = policy == EvictionPolicy.TinyLfu ? new TinyLfuModel(maxSize) : null;
    private long _sequence;

    public long Now { get; private set; }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long Sets { get; private set; }

    public long Removals { get; private set; }

    public long Evictions { get; private set; }

    public long Expirations { get; private set; }

    /// <summary>What the last operation removed, in order, with why (and for an eviction, which decision).</summary>
    public List<(string Key, RemovalReason Reason, EvictionDecision Eviction)> Removed { get; } = [];

    /// <summary>A deliberately planted bug, to show that the properties catch one and shrink it.</summary>
    public bool EvictsMostRecentlyUsed { get; init; }

    public IEnumerable<string> KeysByRecency => _tinyLfu?.EvictionOrder ?? _entries.OrderBy(e => e.LastUse).Select(e => e.Key);

    public int Count => _entries.Count;

    public int ExpiredCount => _entries.Count(IsExpired);

    public string Apply(Operation operation)
    {
        Removed.Clear();
        switch (operation)
        {
            case SetOp set:
                Set(set.Key, set.Value, set.Ttl);
                return "ok";
            case GetOp get:
                return Lookup(get.Key) is int value ? $"hit {value}" : "miss";
            case TryGetOp tryGet:
                return Lookup(tryGet.Key) is int found ? $"hit {found}" : "miss";
            case ExistsOp exists:
                return Find(exists.Key) is { } entry && !IsExpired(entry) ? "true" : "false";
            case RemoveOp remove:
                return Remove(remove.Key) ? "true" : "false";
            case GetOrSetOp getOrSet:
                if (Lookup(getOrSet.Key) is int cached)
                {
                    return $"hit {cached}";
                }

                Set(getOrSet.Key, getOrSet.Value, getOrSet.Ttl);
                return $"made {getOrSet.Value}";
            case ClearOp:
                ExpireAll();
                foreach (string cleared in KeysByRecency.ToList())
                {
                    Removed.Add((cleared, RemovalReason.Cleared, EvictionDecision.None));
                }

                _entries.Clear();
                _tinyLfu = _tinyLfu is null ? null : new TinyLfuModel(maxSize); // a cleared state starts afresh, its sketch too
                return "ok";
            case StatsOp:
                return Stats();
            case AdvanceOp advance:
                Now += advance.By.Ticks;
                return "ok";
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "unknown operation");
        }
    }

    /// <summary>A model that starts where this one is and goes on alone: a line of states forked from this one.</summary>
    public ReferenceModel Clone()
    {
        var clone = new ReferenceModel(maxSize, defaultTtl, policy) { EvictsMostRecentlyUsed = EvictsMostRecentlyUsed };
        clone._tinyLfu = _tinyLfu?.Clone();
        clone._entries.AddRange(_entries.Select(e => new Entry { Key = e.Key, Value = e.Value, Deadline = e.Deadline, Written = e.Written, LastUse = e.LastUse }));
        clone._sequence = _sequence;
        clone.Now = Now;
        clone.Hits = Hits;
        clone.Misses = Misses;
        clone.Sets = Sets;
        clone.Removals = Removals;
        clone.Evictions = Evictions;
        clone.Expirations = Expirations;
        return clone;
    }

    /// <summary>The shell's sweep and the core's Expire: removes what has expired.</summary>
    public void Sweep()
    {
        Removed.Clear();
        ExpireAll();
    }

    /// <summary>The core's Evict: what has expired, or else the least recently used entry.</summary>
    public void Evict()
    {
        Removed.Clear();
        ExpireAll();
        if (Removed.Count == 0 && _entries.Count > 0)
        {
            (string victim, EvictionDecision decision) = _tinyLfu?.Evict() is { } chosen
                ? (chosen.Key, DecisionOf(chosen.Decision))
                : (_entries.OrderBy(e => e.LastUse).First().Key, EvictionDecision.LeastRecentlyUsed);
            _entries.Remove(Find(victim)!);
            Evictions++;
            Removed.Add((victim, RemovalReason.Evicted, decision));
        }
    }

    /// <summary>The shell's GetMany: hits are used in order; an expired entry is a miss left for the next write.</summary>
    public string GetManyLeavingExpired(IEnumerable<string> keys)
    {
        Removed.Clear();
        var found = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string key in keys)
        {
            if (Find(key) is { } entry && !IsExpired(entry))
            {
                entry.LastUse = ++_sequence;
                _tinyLfu?.Touch(key);
                Hits++;
                found[key] = entry.Value;
            }
            else
            {
                Misses++;
            }
        }

        return string.Join(",", found.Select(pair => $"{pair.Key}={pair.Value}"));
    }

    public string Stats() =>
        $"hits {Hits} misses {Misses} sets {Sets} removals {Removals} evictions {Evictions} expirations {Expirations} " +
        $"active {Count - ExpiredCount} expired {ExpiredCount} max {maxSize}";

    private static EvictionDecision DecisionOf(TinyLfuModel.Decision decision) => decision switch
    {
        TinyLfuModel.Decision.Probation => EvictionDecision.Probation,
        TinyLfuModel.Decision.Protected => EvictionDecision.Protected,
        TinyLfuModel.Decision.Refused => EvictionDecision.Refused,
        _ => EvictionDecision.Window,
    };

    private bool IsExpired(Entry entry) => entry.Deadline is long deadline && Now >= deadline;

    private Entry? Find(string key) => _entries.Find(e => e.Key == key);

    private int? Lookup(string key)
    {
        var entry = Find(key);
        if (entry is null)
        {
            Misses++;
            return null;
        }

        if (IsExpired(entry))
        {
            _entries.Remove(entry);
            _tinyLfu?.Remove(key);
            Expirations++;
            Removed.Add((key, RemovalReason.Expired, EvictionDecision.None));
            Misses++;
            return null;
        }

        entry.LastUse = ++_sequence;
        _tinyLfu?.Touch(key);
        Hits++;
        return entry.Value;
    }

    private void Set(string key, int value, TtlChoice ttl)
    {
        ExpireAll();
        var existing = Find(key);
        if (existing is not null)
        {
            _entries.Remove(existing);
            Removed.Add((key, RemovalReason.Replaced, EvictionDecision.None));
            _tinyLfu?.Touch(key); // a write of a stored key is an access
        }
        else if (_entries.Count == maxSize && _tinyLfu is null)
        {
            var victim = EvictsMostRecentlyUsed
                ? _entries.OrderBy(e => e.LastUse).Last()
                : _entries.OrderBy(e => e.LastUse).First();
            _entries.Remove(victim);
            Evictions++;
            Removed.Add((victim.Key, RemovalReason.Evicted, EvictionDecision.LeastRecentlyUsed));
        }

        TimeSpan? lifetime = ttl.AsTimeSpan ?? defaultTtl;
        long? deadline = lifetime == Timeout.InfiniteTimeSpan ? null : Now + lifetime.Value.Ticks;
        _sequence++;
        _entries.Add(new Entry { Key = key, Value = value, Deadline = deadline, Written = _sequence, LastUse = _sequence });
        Sets++;
        if (existing is null && _tinyLfu?.Add(key) is { } left)
        {
            // The new key went into the window first; what the policy gave up for it leaves now (maybe the new key itself).
            _entries.Remove(Find(left.Key)!);
            Evictions++;
            Removed.Add((left.Key, RemovalReason.Evicted, DecisionOf(left.Decision)));
        }
    }

    private bool Remove(string key)
    {
        ExpireAll();
        var entry = Find(key);
        if (entry is null)
        {
            return false;
        }

        _entries.Remove(entry);
        _tinyLfu?.Remove(key);
        Removals++;
        Removed.Add((key, RemovalReason.Removed, EvictionDecision.None));
        return true;
    }

    /// <summary>Every write first removes what has expired, soonest deadline first, then oldest write.</summary>
    private void ExpireAll()
    {
        foreach (var entry in _entries.Where(IsExpired).OrderBy(e => e.Deadline).ThenBy(e => e.Written).ToList())
        {
            _entries.Remove(entry);
            _tinyLfu?.Remove(entry.Key);
            Expirations++;
            Removed.Add((entry.Key, RemovalReason.Expired, EvictionDecision.None));
        }
    }

    private sealed class Entry
    {
        public required string Key { get; init; }

        public int Value { get; init; }

        public long? Deadline { get; init; }

        public long Written { get; init; }

        public long LastUse { get; set; }
    }
}
