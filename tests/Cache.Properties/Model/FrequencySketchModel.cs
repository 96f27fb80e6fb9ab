namespace Cache.Properties.Model;

/// <summary>
/// TinyLFU's count-min sketch written plainly: four rows of 4-bit counters (0 to 15) in an int array
/// each, a power-of-two width of at least twice the capacity, and aging by halving every counter once the
/// additions reach ten times the capacity (Einziger, Friedman and Manes, 2017; Caffeine's sample
/// size). A key's frequency is the least of its four counters. Apart from the core on purpose: the
/// core packs the same counters into longs.
/// </summary>
internal sealed class FrequencySketchModel
{
    private const int Rows = 4;
    private const int MaxCount = 15;
    private int[][] _rows;
    private readonly int _sampleSize;

    public FrequencySketchModel(int capacity)
    {
        // Twice the capacity a row, rounded up to a power of two: 16 counters (8 bytes) for each entry
        // of capacity at most, half of Caffeine's and BitFaster's sketch, with the same hit rates on
        // the policy report's traces (docs/benchmarks.md); a row of only the capacity lost 1 to 2 points.
        int width = 16;
        while (width < 2 * capacity)
        {
            width *= 2;
        }

        _rows = [.. Enumerable.Range(0, Rows).Select(_ => new int[width])];
        _sampleSize = 10 * Math.Max(capacity, 1);
    }

    /// <summary>Additions since the last halving.</summary>
    public int Additions { get; private set; }

    public FrequencySketchModel Clone()
    {
        var clone = (FrequencySketchModel)MemberwiseClone();
        clone._rows = [.. _rows.Select(row => (int[])row.Clone())];
        return clone;
    }

    /// <summary>Counts one access of the key with hash <paramref name="hash"/>.</summary>
    public void Increment(int hash)
    {
        bool added = false;
        for (int row = 0; row < Rows; row++)
        {
            int column = Column(hash, row);
            if (_rows[row][column] < MaxCount)
            {
                _rows[row][column]++;
                added = true;
            }
        }

        if (added && ++Additions >= _sampleSize)
        {
            foreach (int[] counters in _rows)
            {
                for (int column = 0; column < counters.Length; column++)
                {
                    counters[column] /= 2;
                }
            }

            Additions /= 2;
        }
    }

    /// <summary>The estimated accesses of the key with hash <paramref name="hash"/> (at most 15).</summary>
    public int Frequency(int hash) => Enumerable.Range(0, Rows).Min(row => _rows[row][Column(hash, row)]);

    /// <summary>Double hashing: two mixes of the key's hash, row i at h1 + i * h2.</summary>
    private int Column(int hash, int row)
    {
        uint first = Mix((uint)hash);
        uint second = Mix((uint)hash ^ 0x5BD1E995u) | 1;
        return (int)((first + ((uint)row * second)) & (uint)(_rows[0].Length - 1));
    }

    private static uint Mix(uint value)
    {
        value = (value ^ (value >> 16)) * 0x45D9F3Bu;
        value = (value ^ (value >> 16)) * 0x45D9F3Bu;
        return value ^ (value >> 16);
    }
}
