using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cache.Async.Concurrency;

/// <summary>
/// A bounded, ordered, multi-producer single-consumer ring. Adding is one compare-and-swap and a
/// write, with no lock and no allocation; a full ring refuses the item, so the producer decides
/// what full means (the hit buffer drains it, the trace recorder counts a lost record). Items come
/// out in the order their slots were claimed.
/// </summary>
/// <typeparam name="T">What the ring holds.</typeparam>
internal sealed class OrderedRing<T>
{
    private readonly Slot[] _slots;
    private readonly int _mask;
    private RingCursors _cursors;

    /// <param name="capacity">A power of two.</param>
    public OrderedRing(int capacity)
    {
        _slots = new Slot[capacity];
        _mask = capacity - 1;
    }

    /// <summary>How many slots the ring has.</summary>
    public int Capacity => _slots.Length;

    /// <summary>How many items were ever added.</summary>
    public long Added => Volatile.Read(ref _cursors.Added);

    /// <summary>Adds an item; false when the ring is full.</summary>
    /// <param name="item">The item.</param>
    /// <param name="position">Where the item is in the ring's order (how many were added before it).</param>
    public bool TryAdd(T item, out long position)
    {
        long added = Volatile.Read(ref _cursors.Added);
        while (added - Volatile.Read(ref _cursors.Taken) < _slots.Length)
        {
            long seen = Interlocked.CompareExchange(ref _cursors.Added, added + 1, added);
            if (seen == added)
            {
                ref Slot slot = ref _slots[added & _mask];
                slot.Item = item;
                Volatile.Write(ref slot.Stamp, added + 1); // publishes the item: the consumer waits for this stamp
                position = added;
                return true;
            }

            added = seen;
        }

        position = -1;
        return false;
    }

    /// <summary>
    /// Moves the oldest items, as many as are waiting and fit, into <paramref name="into"/> and
    /// returns how many. Only one thread at a time may take.
    /// </summary>
    public int Take(Span<T> into)
    {
        long from = _cursors.Taken;
        int count = (int)Math.Min(Volatile.Read(ref _cursors.Added) - from, into.Length);
        for (int i = 0; i < count; i++)
        {
            ref Slot slot = ref _slots[(from + i) & _mask];
            // Stryker disable once all : a fast path: the loop below waits for the same stamp.
            if (Volatile.Read(ref slot.Stamp) != from + i + 1)
            {
                // Claimed a moment ago; its producer is about to write it.
                var wait = default(SpinWait);
                while (Volatile.Read(ref slot.Stamp) != from + i + 1)
                {
                    // Stryker disable once Statement : spinning without yielding waits for the same stamp, only less politely.
                    wait.SpinOnce();
                }
            }

            into[i] = slot.Item;
            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                slot.Item = default!; // taken items are not kept alive by the ring
            }
        }

        Volatile.Write(ref _cursors.Taken, from + count);
        return count;
    }

    private struct Slot
    {
        public T Item;
        public long Stamp; // position + 1 once the item is written
    }
}

/// <summary>An <see cref="OrderedRing{T}"/>'s two cursors on cache lines of their own (explicit layout cannot be generic): producers and the consumer write different ones.</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct RingCursors
{
    [FieldOffset(64)]
    public long Added;

    [FieldOffset(128)]
    public long Taken;
}
