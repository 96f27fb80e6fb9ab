using System.Runtime.InteropServices;
using Cache.Core.Representation;

namespace Cache.Async;

/// <summary>
/// The hits served without the lock, in the order they happened, until the writer applies them to
/// the state as one batch (Caffeine's read buffer, made lossless: a full buffer is drained, never
/// dropped, so sequential use stays exact LRU). Many threads record; only the lock holder drains.
/// Every hit passes through here exactly once, so the count recorded is the hit count.
/// </summary>
internal sealed class UseBuffer
{
    private readonly Entry<string, object?>?[] _slots;
    private readonly int _mask;
    private Cursors _cursors;

    /// <param name="capacity">A power of two.</param>
    public UseBuffer(int capacity)
    {
        _slots = new Entry<string, object?>?[capacity];
        _mask = capacity - 1;
    }

    /// <summary>How many uses were ever recorded.</summary>
    public long Recorded => Volatile.Read(ref _cursors.Recorded);

    /// <summary>Records a use; false when the buffer is full and must be drained first.</summary>
    public bool TryRecord(Entry<string, object?> used)
    {
        long recorded = Volatile.Read(ref _cursors.Recorded);
        while (recorded - Volatile.Read(ref _cursors.Drained) < _slots.Length)
        {
            long seen = Interlocked.CompareExchange(ref _cursors.Recorded, recorded + 1, recorded);
            if (seen == recorded)
            {
                Volatile.Write(ref _slots[recorded & _mask], used);
                return true;
            }

            recorded = seen;
        }

        return false;
    }

    /// <summary>
    /// Moves every recorded use, oldest first, into <paramref name="into"/> (at least
    /// as long as the buffer) and returns how many. Only the lock holder calls it.
    /// </summary>
    public int Drain(Entry<string, object?>[] into)
    {
        long from = _cursors.Drained;
        long to = Volatile.Read(ref _cursors.Recorded);
        int count = (int)(to - from);
        for (int i = 0; i < count; i++)
        {
            ref Entry<string, object?>? slot = ref _slots[(from + i) & _mask];
            Entry<string, object?>? used = Volatile.Read(ref slot);
            if (used is null)
            {
                // Claimed a moment ago; its recorder is about to write it.
                var wait = default(SpinWait);
                while ((used = Volatile.Read(ref slot)) is null)
                {
                    wait.SpinOnce();
                }
            }

            into[i] = used;
            slot = null;
        }

        Volatile.Write(ref _cursors.Drained, to);
        return count;
    }

    /// <summary>The two cursors on cache lines of their own: recorders and the drainer write different ones.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Cursors
    {
        [FieldOffset(64)]
        public long Recorded;

        [FieldOffset(128)]
        public long Drained;
    }
}
