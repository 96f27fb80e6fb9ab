using System.Runtime.CompilerServices;
using Cache.Async;
using Cache.Async.Concurrency;

namespace Cache.Unit.Concurrency;

/// <summary>The bounded ordered ring behind the hit buffer and the trace recorder.</summary>
public sealed class OrderedRingTests
{
    [Fact]
    public void Items_come_out_in_the_order_added_and_a_full_ring_refuses_until_taken()
    {
        var ring = new OrderedRing<int>(4);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryAdd(i * 10, out long position));
            Assert.Equal(i, position);
        }

        Assert.False(ring.TryAdd(40, out long refused));
        Assert.Equal(-1, refused);

        var taken = new int[3];
        Assert.Equal(3, ring.Take(taken));
        Assert.Equal([0, 10, 20], taken);
        Assert.True(ring.TryAdd(40, out long next));
        Assert.Equal(4, next);
        Assert.Equal(2, ring.Take(taken));
        Assert.Equal([30, 40], taken[..2]);
        Assert.Equal(0, ring.Take(taken));
        Assert.Equal(5, ring.Added);
    }

    [Fact]
    public void A_taken_item_is_not_kept_alive_by_the_ring()
    {
        // The hit buffer holds cache entries: a slot that kept its entry after the take would keep a
        // removed value alive until the slot is reused, which in a quiet cache may be never.
        var ring = new OrderedRing<object>(8);
        WeakReference waiting = AddGarbage(ring);
        Collect();
        Assert.True(waiting.IsAlive); // the ring holds it until taken: the check below can fail

        TakeAll(ring);
        Collect();
        Assert.False(waiting.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no local of the caller's may hold the item
    private static WeakReference AddGarbage(OrderedRing<object> ring)
    {
        var item = new object();
        Assert.True(ring.TryAdd(item, out _));
        return new WeakReference(item);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TakeAll(OrderedRing<object> ring) => Assert.Equal(1, ring.Take(new object[8]));

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
