using BitFaster.Caching.Lfu;
using BitFaster.Caching.Lru;
using BitFaster.Caching.Scheduler;
using Cache.Async;
using Cache.Core;
using Cache.Properties.Model;

namespace Cache.Benchmarks;

/// <summary>
/// Issue 17's hit-rate evidence: exact LRU, BitFaster's ConcurrentLru and ConcurrentLfu, and the
/// W-TinyLFU reference model (tests/Cache.Properties/Model/TinyLfuModel.cs, the policy the core is
/// to run) on three kinds of traffic: Zipf(0.9), Zipf with a one-time scan in the middle, and a loop
/// larger than the cache. Everything is deterministic: fixed seeds, string hashing fixed (FNV-1a)
/// for ConcurrentLfu and the model, and ConcurrentLfu single-threaded with its maintenance run after
/// every operation, so its figures do not move from run to run. Ours (InMemoryCache with
/// <see cref="EvictionPolicy.TinyLfu"/>) hashes strings as .NET does, seeded per process, so its
/// figures move by a few hundredths of a point from run to run; it must equal the model run with the
/// same hash hit for hit, or the report fails (exit code 1).
/// </summary>
internal static class PolicyReport
{
    private static readonly object Value = new();

    private static bool s_exact = true;

    public static int Run(bool quick)
    {
        int length = quick ? 20_000 : 200_000;
        string[] zipf = ZipfTrace.Create(length, 10_000, exponent: 0.9, seed: 2026);
        Console.WriteLine($"## Zipf(0.9): {length:N0} accesses over 10,000 keys (a lookup, and a store on a miss)");
        Console.WriteLine();
        Header("Capacity");
        foreach (int capacity in quick ? [100, 500] : (int[])[100, 500, 2_000])
        {
            Row($"{capacity:N0}", Rates(zipf, capacity, from: 0));
        }

        // The scan: 20,000 keys seen once, in the middle of the Zipf traffic; the hit rate counted over
        // the 20,000 accesses after it, against the same accesses without the scan.
        int half = length / 2;
        int scanLength = 20_000;
        int after = Math.Min(20_000, length - half);
        string[] scanned = [.. zipf[..half], .. Enumerable.Range(0, scanLength).Select(i => $"scan:{i}"), .. zipf[half..]];
        int scanCapacity = 1_000;
        Console.WriteLine();
        Console.WriteLine($"## A scan of {scanLength:N0} new keys in the middle of the Zipf traffic, capacity {scanCapacity:N0}: hit rate over the {after:N0} accesses after it, and without the scan");
        Console.WriteLine();
        Header("Trace");
        double[] withScan = Rates(scanned[..(half + scanLength + after)], scanCapacity, from: half + scanLength);
        double[] without = Rates(zipf[..(half + after)], scanCapacity, from: half);
        Row("after the scan", withScan);
        Row("no scan", without);
        Row("points the scan cost", [.. without.Zip(withScan, (a, b) => a - b)], points: true);

        int loopKeys = 750;
        int loopCapacity = 500;
        string[] loop = [.. Enumerable.Range(0, quick ? 20 : 100).SelectMany(_ => Enumerable.Range(0, loopKeys).Select(i => $"loop:{i}"))];
        Console.WriteLine();
        Console.WriteLine($"## A loop over {loopKeys} keys read in turn, capacity {loopCapacity}, {loop.Length:N0} accesses");
        Console.WriteLine();
        Header("Trace");
        Row("loop", Rates(loop, loopCapacity, from: 0));
        return s_exact ? 0 : 1;
    }

    private static readonly string[] Names = ["Exact LRU (simulated)", "BitFaster ConcurrentLru", "BitFaster ConcurrentLfu", "W-TinyLFU (reference model)", "Ours (InMemoryCache, TinyLfu)"];

    private static void Header(string first)
    {
        Console.WriteLine($"| {first} | {string.Join(" | ", Names)} |");
        Console.WriteLine("|---|" + string.Concat(Names.Select(_ => "---:|")));
    }

    private static void Row(string label, double[] rates, bool points = false) =>
        Console.WriteLine($"| {label} | {string.Join(" | ", rates.Select(rate => points ? $"{rate:F2}" : $"{rate:F2} %"))} |");

    /// <summary>Each contender's hit rate over the accesses from <paramref name="from"/> on (all of the trace is played).</summary>
    private static double[] Rates(string[] trace, int capacity, int from)
    {
        double ours = Rate(trace, from, Ours(capacity));
        double sameHash = Rate(trace, from, Model(capacity, key => EqualityComparer<string>.Default.GetHashCode(key)));
        if (ours != sameHash)
        {
            s_exact = false;
            Console.Error.WriteLine($"Ours hit {ours:F4} % at capacity {capacity}; the W-TinyLFU model with the same hash hits {sameHash:F4} %.");
        }

        return
        [
            Rate(trace, from, ExactLru(capacity)),
            Rate(trace, from, BitFasterLru(capacity)),
            Rate(trace, from, BitFasterLfu(capacity)),
            Rate(trace, from, Model(capacity, Fnv.Hash)),
            ours,
        ];
    }

    private static double Rate(string[] trace, int from, Func<string, bool> access)
    {
        long hits = 0;
        for (int i = 0; i < trace.Length; i++)
        {
            bool hit = access(trace[i]);
            if (i >= from && hit)
            {
                hits++;
            }
        }

        return hits * 100.0 / (trace.Length - from);
    }

    private static Func<string, bool> ExactLru(int capacity)
    {
        var nodes = new Dictionary<string, LinkedListNode<string>>();
        var order = new LinkedList<string>();
        return key =>
        {
            if (nodes.TryGetValue(key, out var node))
            {
                order.Remove(node);
                order.AddLast(node);
                return true;
            }

            if (nodes.Count == capacity)
            {
                nodes.Remove(order.First!.Value);
                order.RemoveFirst();
            }

            nodes[key] = order.AddLast(key);
            return false;
        };
    }

    private static Func<string, bool> BitFasterLru(int capacity)
    {
        var cache = new ConcurrentLru<string, object>(1, capacity, Fnv.Comparer);
        return key =>
        {
            if (cache.TryGet(key, out _))
            {
                return true;
            }

            cache.AddOrUpdate(key, Value);
            return false;
        };
    }

    private static Func<string, bool> BitFasterLfu(int capacity)
    {
        // Single-threaded, maintenance after every operation: the policy's own decisions, without the
        // read and write buffers' timing.
        var cache = new ConcurrentLfu<string, object>(1, capacity, new NullScheduler(), Fnv.Comparer);
        return key =>
        {
            bool hit = cache.TryGet(key, out _);
            if (!hit)
            {
                cache.AddOrUpdate(key, Value);
            }

            cache.DoMaintenance();
            return hit;
        };
    }

    private static Func<string, bool> Ours(int capacity)
    {
        var cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = capacity, DefaultTtl = Lineup.Ttl, ExpirationScanInterval = null, Policy = EvictionPolicy.TinyLfu });
        return key =>
        {
            if (Synchronous.Result(cache.TryGetAsync<object>(key)).Found)
            {
                return true;
            }

            Synchronous.Complete(cache.SetAsync(key, Value));
            return false;
        };
    }

    private static Func<string, bool> Model(int capacity, Func<string, int> hash)
    {
        var model = new TinyLfuModel(capacity, hash);
        return key =>
        {
            if (model.Contains(key))
            {
                model.Touch(key);
                return true;
            }

            model.Add(key);
            return false;
        };
    }

    /// <summary>FNV-1a over a string's UTF-16 units: a hash that is the same in every process.</summary>
    private sealed class Fnv : IEqualityComparer<string>
    {
        public static readonly Fnv Comparer = new();

        public static int Hash(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return (int)hash;
        }

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => Hash(obj);
    }
}
