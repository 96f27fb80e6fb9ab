using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cache.Core.Representation;

/// <summary>
/// A node of a persistent hash trie (CHAMP: compressed hash-array mapped prefix tree). Each level
/// consumes five bits of the key's hash; a node keeps its entries first and its child nodes after
/// them, each group in bit order, in one array sized to what it holds. Updates copy the path from
/// the root (about three small arrays at 10,000 entries) and share everything else, so every older
/// trie stays valid and readable from any thread. Keys whose 32-bit hashes are equal end in a
/// collision node below the last level, searched linearly.
/// </summary>
/// <remarks>
/// Canonical form: a node other than the root never holds a single entry and nothing else (removal
/// pulls such an entry up into its parent), so equal maps have equal shapes.
/// </remarks>
internal sealed class TrieNode<TKey, TValue>
    where TKey : notnull
{
    private const int BitsPerLevel = 5;
    private const int HashBits = 32;

    private readonly uint _dataMap;
    private readonly uint _nodeMap;

    // Entries at [0, popcount(_dataMap)), child nodes after them. Below the last level (a collision
    // node) both maps are zero and every slot is an entry.
    private readonly object[] _slots;

    private TrieNode(uint dataMap, uint nodeMap, object[] slots)
    {
        _dataMap = dataMap;
        _nodeMap = nodeMap;
        _slots = slots;
    }

    /// <summary>The trie that maps nothing.</summary>
    public static TrieNode<TKey, TValue> Empty { get; } = new(0, 0, []);

    private int DataCount => BitOperations.PopCount(_dataMap);

    private bool IsSingleEntry => _nodeMap == 0 && _slots.Length == 1;

    /// <summary>The hash the trie files <paramref name="key"/> under.</summary>
    public static int HashOf(TKey key) => EqualityComparer<TKey>.Default.GetHashCode(key);

    /// <summary>The entry stored under <paramref name="key"/>, or null.</summary>
    public Entry<TKey, TValue>? Find(TKey key, int hash)
    {
        TrieNode<TKey, TValue> node = this;
        for (int shift = 0; shift < HashBits; shift += BitsPerLevel)
        {
            uint bit = BitFor(hash, shift);
            if ((node._dataMap & bit) != 0)
            {
                Entry<TKey, TValue> entry = Unsafe.As<Entry<TKey, TValue>>(node._slots[Index(node._dataMap, bit)]);
                return entry.Hash == hash && EqualityComparer<TKey>.Default.Equals(entry.Key, key) ? entry : null;
            }

            if ((node._nodeMap & bit) == 0)
            {
                return null;
            }

            node = Unsafe.As<TrieNode<TKey, TValue>>(node._slots[node.DataCount + Index(node._nodeMap, bit)]);
        }

        foreach (object slot in node._slots)
        {
            var entry = Unsafe.As<Entry<TKey, TValue>>(slot);
            if (EqualityComparer<TKey>.Default.Equals(entry.Key, key))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="entry"/> itself (not just its key) is stored here.</summary>
    public bool Holds(Entry<TKey, TValue> entry) => ReferenceEquals(Find(entry.Key, entry.Hash), entry);

    /// <summary>A trie that maps the entry's key to <paramref name="entry"/>, and the entry it replaced, if any.</summary>
    public TrieNode<TKey, TValue> Put(Entry<TKey, TValue> entry, out Entry<TKey, TValue>? replaced) => Put(entry, 0, out replaced);

    /// <summary>A trie without <paramref name="key"/>, and the entry removed, if any (then this trie is returned).</summary>
    public TrieNode<TKey, TValue> Remove(TKey key, int hash, out Entry<TKey, TValue>? removed) => Remove(key, hash, 0, out removed);

    /// <summary>Every entry, in no particular order.</summary>
    public IEnumerable<Entry<TKey, TValue>> Entries()
    {
        var pending = new Stack<TrieNode<TKey, TValue>>();
        pending.Push(this);
        while (pending.TryPop(out TrieNode<TKey, TValue>? node))
        {
            foreach (object slot in node._slots)
            {
                if (slot is Entry<TKey, TValue> entry)
                {
                    yield return entry;
                }
                else
                {
                    pending.Push((TrieNode<TKey, TValue>)slot);
                }
            }
        }
    }

    // Stryker disable all : the trie's shape check is part of the tests' oracle, not behaviour.

    /// <summary>Checks the trie's shape; returns the first broken rule, or null.</summary>
    public string? FindShapeFault() => FindShapeFault(0, 0, isRoot: true);

    // Stryker disable all : the trie's shape check is part of the tests' oracle, not behaviour.
    private string? FindShapeFault(int shift, int prefix, bool isRoot)
    {
        if (shift >= HashBits)
        {
            return _slots.Length >= 2 && _slots.All(s => s is Entry<TKey, TValue> e && e.Hash == prefix)
                ? null
                : "a collision node holds fewer than two entries or entries of another hash";
        }

        if ((_dataMap & _nodeMap) != 0 || _slots.Length != DataCount + BitOperations.PopCount(_nodeMap))
        {
            return "a node's maps disagree with its slots";
        }

        if (!isRoot && IsSingleEntry)
        {
            return "a node below the root holds a single entry";
        }

        int slot = 0;
        for (int index = 0; index < 32; index++)
        {
            uint bit = 1u << index;
            if ((_dataMap & bit) != 0)
            {
                var entry = (Entry<TKey, TValue>)_slots[slot++];
                int mask = shift == 0 ? 0 : (int)((1u << shift) - 1);
                if (entry.Hash != HashOf(entry.Key) || (entry.Hash & mask) != (prefix & mask) || BitFor(entry.Hash, shift) != bit)
                {
                    return "an entry is filed under the wrong hash";
                }
            }
        }

        for (int index = 0; index < 32; index++)
        {
            uint bit = 1u << index;
            if ((_nodeMap & bit) != 0)
            {
                var child = (TrieNode<TKey, TValue>)_slots[slot++];
                string? fault = child.FindShapeFault(shift + BitsPerLevel, prefix | (index << shift), isRoot: false);
                if (fault is not null)
                {
                    return fault;
                }
            }
        }

        return null;
    }

    // Stryker restore all
    private static uint BitFor(int hash, int shift) => 1u << (int)(((uint)hash >> shift) & 31);

    private static int Index(uint map, uint bit) => BitOperations.PopCount(map & (bit - 1));

    private static TrieNode<TKey, TValue> Pair(Entry<TKey, TValue> a, Entry<TKey, TValue> b, int shift)
    {
        if (shift >= HashBits)
        {
            return new TrieNode<TKey, TValue>(0, 0, [a, b]);
        }

        uint bitA = BitFor(a.Hash, shift);
        uint bitB = BitFor(b.Hash, shift);
        if (bitA == bitB)
        {
            return new TrieNode<TKey, TValue>(0, bitA, [Pair(a, b, shift + BitsPerLevel)]);
        }

        return bitA < bitB
            ? new TrieNode<TKey, TValue>(bitA | bitB, 0, [a, b])
            : new TrieNode<TKey, TValue>(bitA | bitB, 0, [b, a]);
    }

    private TrieNode<TKey, TValue> Put(Entry<TKey, TValue> entry, int shift, out Entry<TKey, TValue>? replaced)
    {
        if (shift >= HashBits)
        {
            return PutColliding(entry, out replaced);
        }

        uint bit = BitFor(entry.Hash, shift);
        if ((_dataMap & bit) != 0)
        {
            int index = Index(_dataMap, bit);
            var existing = Unsafe.As<Entry<TKey, TValue>>(_slots[index]);
            if (existing.Hash == entry.Hash && EqualityComparer<TKey>.Default.Equals(existing.Key, entry.Key))
            {
                replaced = existing;
                return new TrieNode<TKey, TValue>(_dataMap, _nodeMap, With(_slots, index, entry));
            }

            // Two keys share this slot: they move down into a new child node.
            replaced = null;
            TrieNode<TKey, TValue> child = Pair(existing, entry, shift + BitsPerLevel);
            int dataCount = DataCount;
            int nodeIndex = dataCount - 1 + Index(_nodeMap, bit);
            var slots = new object[_slots.Length];
            Array.Copy(_slots, 0, slots, 0, index);
            Array.Copy(_slots, index + 1, slots, index, nodeIndex - index);
            slots[nodeIndex] = child;
            Array.Copy(_slots, nodeIndex + 1, slots, nodeIndex + 1, _slots.Length - nodeIndex - 1);
            return new TrieNode<TKey, TValue>(_dataMap ^ bit, _nodeMap | bit, slots);
        }

        if ((_nodeMap & bit) != 0)
        {
            int index = DataCount + Index(_nodeMap, bit);
            var child = Unsafe.As<TrieNode<TKey, TValue>>(_slots[index]);
            return new TrieNode<TKey, TValue>(_dataMap, _nodeMap, With(_slots, index, child.Put(entry, shift + BitsPerLevel, out replaced)));
        }

        replaced = null;
        return new TrieNode<TKey, TValue>(_dataMap | bit, _nodeMap, Inserted(_slots, Index(_dataMap, bit), entry));
    }

    private TrieNode<TKey, TValue> PutColliding(Entry<TKey, TValue> entry, out Entry<TKey, TValue>? replaced)
    {
        for (int index = 0; index < _slots.Length; index++)
        {
            var existing = Unsafe.As<Entry<TKey, TValue>>(_slots[index]);
            if (EqualityComparer<TKey>.Default.Equals(existing.Key, entry.Key))
            {
                replaced = existing;
                return new TrieNode<TKey, TValue>(0, 0, With(_slots, index, entry));
            }
        }

        replaced = null;
        return new TrieNode<TKey, TValue>(0, 0, Inserted(_slots, _slots.Length, entry));
    }

    private TrieNode<TKey, TValue> Remove(TKey key, int hash, int shift, out Entry<TKey, TValue>? removed)
    {
        if (shift >= HashBits)
        {
            return RemoveColliding(key, out removed);
        }

        uint bit = BitFor(hash, shift);
        if ((_dataMap & bit) != 0)
        {
            int index = Index(_dataMap, bit);
            var existing = Unsafe.As<Entry<TKey, TValue>>(_slots[index]);
            if (existing.Hash != hash || !EqualityComparer<TKey>.Default.Equals(existing.Key, key))
            {
                removed = null;
                return this;
            }

            removed = existing;
            return new TrieNode<TKey, TValue>(_dataMap ^ bit, _nodeMap, Removed(_slots, index));
        }

        if ((_nodeMap & bit) == 0)
        {
            removed = null;
            return this;
        }

        int nodeIndex = DataCount + Index(_nodeMap, bit);
        var child = Unsafe.As<TrieNode<TKey, TValue>>(_slots[nodeIndex]);
        TrieNode<TKey, TValue> shrunk = child.Remove(key, hash, shift + BitsPerLevel, out removed);
        if (removed is null)
        {
            return this;
        }

        if (!shrunk.IsSingleEntry)
        {
            return new TrieNode<TKey, TValue>(_dataMap, _nodeMap, With(_slots, nodeIndex, shrunk));
        }

        // Canonical form: a lone entry moves up into this node's entries.
        int dataIndex = Index(_dataMap, bit);
        var slots = new object[_slots.Length];
        Array.Copy(_slots, 0, slots, 0, dataIndex);
        slots[dataIndex] = shrunk._slots[0];
        Array.Copy(_slots, dataIndex, slots, dataIndex + 1, nodeIndex - dataIndex);
        Array.Copy(_slots, nodeIndex + 1, slots, nodeIndex + 1, _slots.Length - nodeIndex - 1);
        return new TrieNode<TKey, TValue>(_dataMap | bit, _nodeMap ^ bit, slots);
    }

    private TrieNode<TKey, TValue> RemoveColliding(TKey key, out Entry<TKey, TValue>? removed)
    {
        for (int index = 0; index < _slots.Length; index++)
        {
            var existing = Unsafe.As<Entry<TKey, TValue>>(_slots[index]);
            if (EqualityComparer<TKey>.Default.Equals(existing.Key, key))
            {
                removed = existing;
                return new TrieNode<TKey, TValue>(0, 0, Removed(_slots, index));
            }
        }

        removed = null;
        return this;
    }

    private static object[] With(object[] slots, int index, object value)
    {
        // Not Clone(): MemberwiseClone is several times slower than a fresh array and a copy.
        var copy = new object[slots.Length];
        slots.AsSpan().CopyTo(copy);
        copy[index] = value;
        return copy;
    }

    private static object[] Inserted(object[] slots, int index, object value)
    {
        var copy = new object[slots.Length + 1];
        Array.Copy(slots, 0, copy, 0, index);
        copy[index] = value;
        Array.Copy(slots, index, copy, index + 1, slots.Length - index);
        return copy;
    }

    private static object[] Removed(object[] slots, int index)
    {
        var copy = new object[slots.Length - 1];
        Array.Copy(slots, 0, copy, 0, index);
        Array.Copy(slots, index + 1, copy, index, slots.Length - index - 1);
        return copy;
    }
}
