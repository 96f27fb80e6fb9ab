using Cache.Async;
using Cache.Memcached.Cluster;
using Cache.Memcached.Keys;
using Cache.Memcached.Protocol;

namespace Cache.Memcached;

/// <content>The batches: one pipeline a pooled connection the keys map to, all sent at once.</content>
public sealed partial class MemcachedCache
{
    /// <summary>Quiet mgs, one pipeline a connection the keys map to, all at once. Counts one hit or miss a key.</summary>
    private async ValueTask<IReadOnlyDictionary<string, T>> GetManyCoreAsync<T>(string[] keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, T>(keys.Length, StringComparer.Ordinal);
        if (keys.Length == 0)
        {
            return found;
        }

        CacheKey[] cacheKeys = Array.ConvertAll(keys, WireKeys.Of);
        var lookups = new CacheLookup<T>[keys.Length];
        long deadline = Deadline();
        await Task.WhenAll(Groups(cacheKeys).Select(group => RunAsync(
            "mg (batch)",
            keys[group.Indexes[0]],
            async () =>
            {
                var wires = new byte[group.Indexes.Count][];
                MetaReply[] replies = (await ExchangeAsync(
                    group.Node,
                    group.Slot,
                    (request, generation) =>
                    {
                        for (int i = 0; i < group.Indexes.Count; i++)
                        {
                            request.Get(wires[i] = _keys.Of(cacheKeys[group.Indexes[i]], generation), i + 1, quiet: true);
                        }
                    },
                    null,
                    deadline,
                    cancellationToken).ConfigureAwait(false))!;
                foreach (MetaReply reply in replies)
                {
                    if (reply.Status == MetaStatus.Value && reply.Opaque >= 1 && reply.Opaque <= group.Indexes.Count)
                    {
                        int index = group.Indexes[reply.Opaque - 1];
                        lookups[index] = Decode<T>(cacheKeys[index], reply, group.Node, group.Slot, wires[reply.Opaque - 1]);
                    }
                }

                return true;
            },
            false,
            cancellationToken).AsTask())).ConfigureAwait(false);
        for (int i = 0; i < keys.Length; i++)
        {
            if (lookups[i].Found)
            {
                found[keys[i]] = lookups[i].Value!;
            }

            _counter.Lookup(keys[i], lookups[i].Found);
        }

        return found;
    }

    /// <summary>An ms an item (an md for one that could not be serialized), one pipeline a connection the keys map to.</summary>
    private async ValueTask SetManyCoreAsync(string[] keys, byte[]?[] payloads, long expiry, CancellationToken cancellationToken)
    {
        if (keys.Length == 0)
        {
            return;
        }

        CacheKey[] cacheKeys = Array.ConvertAll(keys, WireKeys.Of);
        long deadline = Deadline();
        int[] stored = await Task.WhenAll(Groups(cacheKeys).Select(group => RunAsync(
            "ms (batch)",
            keys[group.Indexes[0]],
            async () =>
            {
                Admission detach = Detaching(group.Indexes.Select(index => keys[index]));
                MetaReply[] replies = (await ExchangeAsync(
                    group.Node,
                    group.Slot,
                    (request, generation) =>
                    {
                        for (int i = 0; i < group.Indexes.Count; i++)
                        {
                            Write(request, cacheKeys[group.Indexes[i]], generation, payloads[group.Indexes[i]], expiry, add: false, i + 1);
                        }
                    },
                    detach,
                    deadline,
                    cancellationToken).ConfigureAwait(false))!;
                int count = 0;
                for (int i = 0; i < group.Indexes.Count; i++)
                {
                    int index = group.Indexes[i];
                    if (await StoredAsync(cacheKeys[index], replies[i], group.Node, group.Slot, payloads[index], deadline, cancellationToken).ConfigureAwait(false))
                    {
                        count++;
                    }
                }

                return count;
            },
            0,
            cancellationToken).AsTask())).ConfigureAwait(false);
        _counter.Stored(stored.Sum());
    }

    /// <summary>An md a key, one pipeline a connection the keys map to; counts the live entries removed.</summary>
    private async ValueTask<int> RemoveManyCoreAsync(string[] keys, CancellationToken cancellationToken)
    {
        if (keys.Length == 0)
        {
            return 0;
        }

        CacheKey[] cacheKeys = Array.ConvertAll(keys, WireKeys.Of);
        long deadline = Deadline();
        int[] removed = await Task.WhenAll(Groups(cacheKeys).Select(group => RunAsync(
            "md (batch)",
            keys[group.Indexes[0]],
            async () =>
            {
                Admission detach = Detaching(group.Indexes.Select(index => keys[index]));
                MetaReply[] replies = (await ExchangeAsync(
                    group.Node,
                    group.Slot,
                    (request, generation) =>
                    {
                        for (int i = 0; i < group.Indexes.Count; i++)
                        {
                            request.Delete(_keys.Of(cacheKeys[group.Indexes[i]], generation), i + 1);
                        }
                    },
                    detach,
                    deadline,
                    cancellationToken).ConfigureAwait(false))!;
                return replies.Count(static reply => reply.Status == MetaStatus.Done);
            },
            0,
            cancellationToken).AsTask())).ConfigureAwait(false);
        int total = removed.Sum();
        _counter.Removed(total);
        return total;
    }

    /// <summary>A batch's keys by the server and pooled connection each maps to; a key given twice is sent twice.</summary>
    private IEnumerable<(ServerNode Node, int Slot, List<int> Indexes)> Groups(CacheKey[] keys)
    {
        var groups = new Dictionary<(ServerNode, int), List<int>>();
        for (int i = 0; i < keys.Length; i++)
        {
            (ServerNode node, int slot) = Route(keys[i]);
            if (!groups.TryGetValue((node, slot), out List<int>? indexes))
            {
                groups[(node, slot)] = indexes = [];
            }

            indexes.Add(i);
        }

        return groups.Select(static group => (group.Key.Item1, group.Key.Item2, group.Value));
    }
}
