namespace Cache.Benchmarks;

/// <summary>
/// Scenario 6: bytes an entry costs beyond its key and value, at each size. Keys are created before
/// the first measurement and every entry shares one value, so the difference in live heap before
/// and after is the cache's own. Measured after filling and after one hit on every entry, since a
/// hit can leave garbage behind (ours: stale recency records until the log is compacted).
/// </summary>
internal static class FootprintReport
{
    public static int Run(int[] sizes)
    {
        Console.WriteLine("| Cache | Entries | Bytes/entry after fill | Bytes/entry after a hit on each |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (int size in sizes)
        {
            string[] keys = Lineup.Keys(size);
            foreach (Func<int, Contender> create in Contender.All())
            {
                long before = LiveBytes();
                using Contender cache = create(size);
                foreach (string key in keys)
                {
                    cache.Store(key);
                }

                long filled = LiveBytes();
                foreach (string key in keys)
                {
                    cache.Access(key);
                }

                long used = LiveBytes();
                Console.WriteLine($"| {cache.Name} | {size:N0} | {(filled - before) / (double)size:F1} | {(used - before) / (double)size:F1} |");
                GC.KeepAlive(cache);
            }

            GC.KeepAlive(keys);
        }

        return 0;
    }

    private static long LiveBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
