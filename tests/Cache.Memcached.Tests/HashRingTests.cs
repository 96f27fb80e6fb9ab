using Cache.Memcached.Cluster;
using Cache.Memcached.Keys;

namespace Cache.Memcached.Tests;

/// <summary>The ketama-style ring: an even spread, and a change of servers moves only the keys it must.</summary>
public sealed class HashRingTests
{
    private static readonly CacheKey[] Keys = [.. Enumerable.Range(0, 20_000).Select(i => WireKeys.Of($"user:{i}"))];

    [Fact]
    public void Keys_spread_evenly_over_the_servers()
    {
        HashRing<string> ring = Ring(4);
        Dictionary<string, int> counts = Keys.GroupBy(key => ring.Locate(key.RingHash)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(4, counts.Count);
        Assert.True(counts.Values.All(count => count >= Keys.Length / 4 * 0.92 && count <= Keys.Length / 4 * 1.08), string.Join(", ", counts.Values));
    }

    [Fact]
    public void Adding_a_server_moves_about_one_nth_of_the_keys_all_to_it()
    {
        HashRing<string> four = Ring(4);
        HashRing<string> five = Ring(5);
        int moved = 0;
        foreach (CacheKey key in Keys)
        {
            string before = four.Locate(key.RingHash);
            string after = five.Locate(key.RingHash);
            if (before != after)
            {
                moved++;
                Assert.Equal("server-4", after); // a key moves only to the new server
            }
        }

        Assert.InRange(moved, Keys.Length / 5 * 0.9, Keys.Length / 5 * 1.1);
    }

    [Fact]
    public void Removing_a_server_moves_only_its_own_keys_and_the_ring_does_not_depend_on_the_lists_order()
    {
        HashRing<string> five = Ring(5);
        HashRing<string> reversed = new([.. Enumerable.Range(0, 5).Reverse().Select(i => ($"server-{i}", $"server-{i}"))]);
        HashRing<string> withoutTwo = new([.. Enumerable.Range(0, 5).Where(i => i != 2).Select(i => ($"server-{i}", $"server-{i}"))]);
        foreach (CacheKey key in Keys)
        {
            string owner = five.Locate(key.RingHash);
            Assert.Equal(owner, reversed.Locate(key.RingHash));
            if (owner != "server-2")
            {
                Assert.Equal(owner, withoutTwo.Locate(key.RingHash));
            }
        }
    }

    [Fact]
    public void The_point_past_the_last_wraps_to_the_first()
    {
        HashRing<string> ring = Ring(3);
        // No point sits at uint.MaxValue (of 1,920), so the hash there belongs to the first point, as 0 does.
        Assert.Equal(ring.Locate(0), ring.Locate(uint.MaxValue));
    }

    private static HashRing<string> Ring(int servers) => new([.. Enumerable.Range(0, servers).Select(i => ($"server-{i}", $"server-{i}"))]);
}
