namespace Cache.Unit.Support;

/// <summary>The textbook exact LRU (a dictionary and a linked list), as the oracle for long traces.</summary>
internal sealed class ReferenceLru(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<string>> _nodes = [];
    private readonly LinkedList<string> _order = new();

    /// <summary>Least recently used first.</summary>
    public IEnumerable<string> Keys => _order;

    /// <summary>A hit moves the key to the back; a miss adds it, evicting the front when full.</summary>
    /// <returns>Whether it was a hit, and the key evicted by the miss, if any.</returns>
    public (bool Hit, string? Evicted) Access(string key)
    {
        if (_nodes.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddLast(node);
            return (true, null);
        }

        string? evicted = null;
        if (_nodes.Count == capacity)
        {
            evicted = _order.First!.Value;
            _order.RemoveFirst();
            _nodes.Remove(evicted);
        }

        _nodes[key] = _order.AddLast(key);
        return (false, evicted);
    }

    /// <summary>A skewed trace: key i is drawn with a probability falling like a power law.</summary>
    public static string[] SkewedTrace(int length, int distinctKeys, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => $"k{(int)(Math.Pow(random.NextDouble(), 3) * distinctKeys)}")];
    }
}
