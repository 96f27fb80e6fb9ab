namespace Cache.Benchmarks;

/// <summary>
/// Scenario 7: the hit rate of each cache on one Zipf trace (a lookup, and a store on a miss),
/// beside an exact LRU simulated on a linked list. Ours must equal the simulation exactly: the
/// report fails (exit code 1) when it does not.
/// </summary>
internal static class HitRateReport
{
    public static int Run(int length, int distinctKeys, int[] capacities)
    {
        string[] trace = ZipfTrace.Create(length, distinctKeys, exponent: 0.9, seed: 2026);
        Console.WriteLine($"Zipf trace: {length:N0} accesses, {distinctKeys:N0} distinct keys, s = 0.9");
        Console.WriteLine("| Capacity | Exact LRU (simulated) | " + string.Join(" | ", Contender.All().Select(c => { using var x = c(16); return x.Name; })) + " |");
        Console.WriteLine("|---:|---:|" + string.Concat(Contender.All().Select(_ => "---:|")));
        bool exact = true;
        foreach (int capacity in capacities)
        {
            long expected = SimulateExactLru(trace, capacity);
            var rates = new List<string>();
            bool first = true;
            foreach (Func<int, Contender> create in Contender.All())
            {
                using Contender cache = create(capacity);
                long hits = trace.Count(cache.Access);
                rates.Add(Percent(hits, length));
                if (first && hits != expected)
                {
                    exact = false;
                    Console.Error.WriteLine($"Ours hit {hits} times at capacity {capacity}; exact LRU hits {expected} times.");
                }

                first = false;
            }

            Console.WriteLine($"| {capacity:N0} | {Percent(expected, length)} | {string.Join(" | ", rates)} |");
        }

        return exact ? 0 : 1;
    }

    private static string Percent(long hits, int length) => $"{hits * 100.0 / length:F2} %";

    private static long SimulateExactLru(string[] trace, int capacity)
    {
        var nodes = new Dictionary<string, LinkedListNode<string>>();
        var order = new LinkedList<string>();
        long hits = 0;
        foreach (string key in trace)
        {
            if (nodes.TryGetValue(key, out var node))
            {
                hits++;
                order.Remove(node);
                order.AddLast(node);
                continue;
            }

            if (nodes.Count == capacity)
            {
                nodes.Remove(order.First!.Value);
                order.RemoveFirst();
            }

            nodes[key] = order.AddLast(key);
        }

        return hits;
    }
}
