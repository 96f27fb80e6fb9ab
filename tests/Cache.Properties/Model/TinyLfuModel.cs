namespace Cache.Properties.Model;

/// <summary>
/// W-TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
/// 2017, as Caffeine runs it) written as plainly as possible: one list of keys, each with its
/// segment and last use, and linear scans. A window LRU of 1 % of the capacity (at least one entry)
/// takes new keys; the rest is a segmented LRU, protected (80 %) and probation. A window entry
/// pushed out becomes a candidate for the main space, admitted only if the sketch counts it more
/// often than the probation's least recently used entry, which it then evicts; otherwise the
/// candidate itself goes. A hit in probation promotes the entry to protected, whose overflow goes
/// back to probation. Accesses (hits, and Sets, new or not) are counted; misses and peeks are not.
/// </summary>
internal sealed class TinyLfuModel
{
    private List<Slot> _slots = [];
    private readonly Func<string, int> _hash;
    private long _sequence;

    public TinyLfuModel(int capacity, Func<string, int>? hash = null)
    {
        Capacity = capacity;
        WindowMax = Math.Max(1, capacity / 100);
        MainMax = capacity - WindowMax;
        ProtectedMax = MainMax * 4 / 5;
        Sketch = new FrequencySketchModel(capacity);
        _hash = hash ?? (key => EqualityComparer<string>.Default.GetHashCode(key));
    }

    public int Capacity { get; }

    public int WindowMax { get; }

    public int MainMax { get; }

    public int ProtectedMax { get; }

    public FrequencySketchModel Sketch { get; private set; }

    public int Count => _slots.Count;

    /// <summary>The keys in the order the policy gives them up when nothing else decides: probation, protected, then window, each least recently used first.</summary>
    public IEnumerable<string> EvictionOrder =>
        _slots.OrderBy(s => s.Segment switch { Segment.Probation => 0, Segment.Protected => 1, _ => 2 }).ThenBy(s => s.LastUse).Select(s => s.Key);

    public bool Contains(string key) => _slots.Exists(s => s.Key == key);

    /// <summary>The segment a key is in, for tests that look inside.</summary>
    public Segment SegmentOf(string key) => _slots.Single(s => s.Key == key).Segment;

    public TinyLfuModel Clone()
    {
        var clone = (TinyLfuModel)MemberwiseClone();
        clone.Sketch = Sketch.Clone();
        clone._slots = [.. _slots];
        return clone;
    }

    /// <summary>A hit, or a Set of a stored key: counted, and the key moves up its segment (probation to protected).</summary>
    public void Touch(string key)
    {
        Sketch.Increment(_hash(key));
        int index = _slots.FindIndex(s => s.Key == key);
        Slot slot = _slots[index];
        if (slot.Segment == Segment.Probation)
        {
            _slots[index] = slot with { Segment = Segment.Protected, LastUse = ++_sequence };
            if (_slots.Count(s => s.Segment == Segment.Protected) > ProtectedMax)
            {
                Move(LeastRecent(Segment.Protected)!, Segment.Probation);
            }
        }
        else
        {
            _slots[index] = slot with { LastUse = ++_sequence };
        }
    }

    /// <summary>
    /// A Set of a key not stored: counted, and put in the window. When the cache was full, one entry
    /// goes to make room: returned with the decision that took it.
    /// </summary>
    public (string Key, Decision Decision)? Add(string key)
    {
        Sketch.Increment(_hash(key));
        bool full = _slots.Count >= Capacity;
        _slots.Add(new Slot(key, Segment.Window, ++_sequence));
        Slot? candidate = null;
        if (_slots.Count(s => s.Segment == Segment.Window) > WindowMax)
        {
            candidate = LeastRecent(Segment.Window)!;
            if (MainMax == 0)
            {
                // No main space (a capacity of 1): the window is an LRU of its own.
                _slots.Remove(candidate);
                return (candidate.Key, Decision.Window);
            }

            candidate = Move(candidate, Segment.Probation);
        }

        if (!full)
        {
            return null;
        }

        if (candidate is null)
        {
            // The window was below its size (entries left it): the main space gives up its least recent entry.
            return Evict();
        }

        Slot? victim = LeastRecentExcept(Segment.Probation, candidate) ?? LeastRecent(Segment.Protected);
        if (victim is null)
        {
            _slots.Remove(candidate);
            return (candidate.Key, Decision.Refused);
        }

        if (Sketch.Frequency(_hash(candidate.Key)) > Sketch.Frequency(_hash(victim.Key)))
        {
            _slots.Remove(victim);
            return (victim.Key, victim.Segment == Segment.Probation ? Decision.Probation : Decision.Protected);
        }

        _slots.Remove(candidate);
        return (candidate.Key, Decision.Refused);
    }

    /// <summary>A Remove or an expiry: the key leaves its segment; the sketch keeps its counts.</summary>
    public void Remove(string key) => _slots.RemoveAll(s => s.Key == key);

    /// <summary>Room for one entry with no newcomer to weigh (the core's Evict): the first of the eviction order.</summary>
    public (string Key, Decision Decision)? Evict()
    {
        Slot? victim = LeastRecent(Segment.Probation) ?? LeastRecent(Segment.Protected) ?? LeastRecent(Segment.Window);
        if (victim is null)
        {
            return null;
        }

        _slots.Remove(victim);
        return (victim.Key, victim.Segment switch { Segment.Probation => Decision.Probation, Segment.Protected => Decision.Protected, _ => Decision.Window });
    }

    private Slot? LeastRecent(Segment segment) => LeastRecentExcept(segment, null);

    private Slot? LeastRecentExcept(Segment segment, Slot? except)
    {
        Slot? least = null;
        foreach (Slot slot in _slots)
        {
            if (slot.Segment == segment && !ReferenceEquals(slot, except) && (least is null || slot.LastUse < least.LastUse))
            {
                least = slot;
            }
        }

        return least;
    }

    private Slot Move(Slot slot, Segment to)
    {
        var moved = slot with { Segment = to, LastUse = ++_sequence };
        _slots[_slots.IndexOf(slot)] = moved;
        return moved;
    }

    /// <summary>Where an entry is.</summary>
    public enum Segment
    {
        Window,
        Probation,
        Protected,
    }

    /// <summary>Which decision of the policy removed an entry.</summary>
    public enum Decision
    {
        /// <summary>The window's least recent entry, with no main space to go to.</summary>
        Window,

        /// <summary>The probation's least recent entry, for a candidate counted more often.</summary>
        Probation,

        /// <summary>The protected segment's least recent entry (probation was empty).</summary>
        Protected,

        /// <summary>The candidate from the window, counted no more often than the victim: refused on admission.</summary>
        Refused,
    }

    private sealed record Slot(string Key, Segment Segment, long LastUse);
}
