namespace Cache.Benchmarks;

/// <summary>A reproducible trace of keys drawn from a Zipf distribution: key rank r has weight 1 / r^s.</summary>
internal static class ZipfTrace
{
    public static string[] Create(int length, int distinctKeys, double exponent, int seed)
    {
        var cumulative = new double[distinctKeys];
        double total = 0;
        for (int rank = 0; rank < distinctKeys; rank++)
        {
            total += 1 / Math.Pow(rank + 1, exponent);
            cumulative[rank] = total;
        }

        string[] names = Lineup.Keys(distinctKeys, "zipf");
        var random = new Random(seed);
        var trace = new string[length];
        for (int i = 0; i < length; i++)
        {
            int rank = Array.BinarySearch(cumulative, random.NextDouble() * total);
            trace[i] = names[rank < 0 ? ~rank : rank];
        }

        return trace;
    }
}
