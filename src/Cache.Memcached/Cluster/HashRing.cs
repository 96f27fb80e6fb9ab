using System.IO.Hashing;
using System.Text;

namespace Cache.Memcached.Cluster;

/// <summary>
/// Ketama-style consistent hashing: each server owns <see cref="PointsPerServer"/> points on a
/// 32-bit circle (hashes of its name and an index), and a key belongs to the first point at or
/// after its own hash. Adding a server takes about 1/n of the keys, all from the others; removing
/// one moves only its own keys. XxHash64 replaces ketama's MD5: the spread is as even, and nothing
/// needs to agree with other clients (the keys on the wire are this library's own).
/// </summary>
/// <typeparam name="TServer">What the ring points at.</typeparam>
internal sealed class HashRing<TServer>
{
    /// <summary>
    /// Virtual nodes a server. A server's share varies by about 1/sqrt(points): ketama's 160 left one
    /// of 4 servers 16 % over the mean on 20,000 keys (HashRingTests); 640 keep each within 8 %, for a
    /// ring of 640 points a server (a few KB) and one more step of binary search.
    /// </summary>
    public const int PointsPerServer = 640;

    private readonly uint[] _points;
    private readonly TServer[] _owners;

    /// <summary>Builds the ring of <paramref name="servers"/>, each under its name.</summary>
    public HashRing(IReadOnlyList<(string Name, TServer Server)> servers)
    {
        var points = new List<(uint Point, string Name, TServer Server)>(servers.Count * PointsPerServer);
        Span<byte> hash = stackalloc byte[8];
        foreach ((string name, TServer server) in servers)
        {
            for (int i = 0; i < PointsPerServer / 2; i++)
            {
                // Two points from each 64-bit hash, as ketama takes four from each MD5.
                XxHash64.Hash(Encoding.UTF8.GetBytes($"{name}-{i}"), hash);
                points.Add((BitConverter.ToUInt32(hash[..4]), name, server));
                points.Add((BitConverter.ToUInt32(hash[4..]), name, server));
            }
        }

        // Equal points (rare) are ordered by name, so every process builds the same ring from the same list in any order.
        points.Sort(static (a, b) => a.Point != b.Point ? a.Point.CompareTo(b.Point) : string.CompareOrdinal(a.Name, b.Name));
        _points = [.. points.Select(static p => p.Point)];
        _owners = [.. points.Select(static p => p.Server)];
    }

    /// <summary>The hash of a key on the ring.</summary>
    public static uint HashOf(ReadOnlySpan<byte> key) => (uint)XxHash64.HashToUInt64(key);

    /// <summary>The server that owns <paramref name="hash"/>: the first point at or after it, around the circle.</summary>
    public TServer Locate(uint hash)
    {
        int index = Array.BinarySearch(_points, hash);
        if (index < 0)
        {
            index = ~index;
        }

        return _owners[index == _points.Length ? 0 : index];
    }
}
