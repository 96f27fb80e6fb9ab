using System.Numerics;

namespace Cache.Core.Representation;

/// <summary>
/// TinyLFU's count-min sketch: four rows of 4-bit counters packed sixteen to a <c>long</c>, each row
/// twice the capacity rounded up to a power of two (at least 16), and aging by halving every counter
/// once the additions reach ten times the capacity (Einziger, Friedman and Manes, 2017; Caffeine's
/// sample size). A key's frequency is the least of its four counters, at most 15. Mutable: only the
/// newest state of a line increments it (<see cref="SketchHistory"/> gives every other state its own).
/// </summary>
internal sealed class FrequencySketch
{
    private const int Rows = 4;
    private const int CountersPerLong = 16;
    private const uint MaxCount = 15;
    private const ulong HalfMask = 0x7777_7777_7777_7777UL;

    private readonly ulong[] _table;
    private readonly int _rowLongs;
    private readonly uint _columnMask;
    private readonly int _sampleSize;

    public FrequencySketch(int capacity)
    {
        int width = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * capacity));

        // Stryker disable once Arithmetic : a longer row only leaves longs unused; every counter is where it was.
        _rowLongs = width / CountersPerLong;
        _columnMask = (uint)width - 1;
        _table = new ulong[Rows * _rowLongs];
        _sampleSize = 10 * Math.Max(capacity, 1);
    }

    private FrequencySketch(FrequencySketch from)
    {
        _table = (ulong[])from._table.Clone();
        _rowLongs = from._rowLongs;
        _columnMask = from._columnMask;
        _sampleSize = from._sampleSize;
        Additions = from.Additions;
    }

    /// <summary>Additions since the last halving: increments that raised at least one counter.</summary>
    public int Additions { get; private set; }

    /// <summary>A copy that shares nothing with this sketch.</summary>
    public FrequencySketch Clone() => new(this);

    /// <summary>Counts one access of the key with hash <paramref name="hash"/>.</summary>
    public void Increment(int hash)
    {
        (uint first, uint second) = Columns(hash);
        bool added = false;
        for (int row = 0; row < Rows; row++)
        {
            added |= TryIncrement(row, (first + ((uint)row * second)) & _columnMask);
        }

        if (added && ++Additions >= _sampleSize)
        {
            Halve();
        }
    }

    /// <summary>The estimated accesses of the key with hash <paramref name="hash"/>, 0 to 15.</summary>
    public int Frequency(int hash)
    {
        (uint first, uint second) = Columns(hash);
        int frequency = (int)MaxCount;
        for (int row = 0; row < Rows; row++)
        {
            frequency = Math.Min(frequency, Counter(row, (first + ((uint)row * second)) & _columnMask));
        }

        return frequency;
    }

    /// <summary>Double hashing: two mixes of the key's hash, row i at first + i * second.</summary>
    private static (uint First, uint Second) Columns(int hash) => (Mix((uint)hash), Mix((uint)hash ^ 0x5BD1_E995u) | 1);

    // The finalizer of MurmurHash3's 32-bit hash (xor-shift-multiply); a rotation in place of the
    // shifts folds the two halves together and lost 1.6 points of hit rate on the Zipf trace.
    private static uint Mix(uint value)
    {
        value = (value ^ (value >> 16)) * 0x045D_9F3Bu;
        value = (value ^ (value >> 16)) * 0x045D_9F3Bu;
        return value ^ (value >> 16);
    }

    private int Counter(int row, uint column)
    {
        ulong word = _table[(row * _rowLongs) + (int)(column / CountersPerLong)];
        return (int)(BitOperations.RotateRight(word, (int)(column % CountersPerLong) * 4) & MaxCount);
    }

    private bool TryIncrement(int row, uint column)
    {
        ref ulong word = ref _table[(row * _rowLongs) + (int)(column / CountersPerLong)];
        int shift = (int)(column % CountersPerLong) * 4;
        if ((BitOperations.RotateRight(word, shift) & MaxCount) == MaxCount)
        {
            return false;
        }

        word += BitOperations.RotateLeft(1UL, shift);
        return true;
    }

    /// <summary>Ages the history: every counter halves (rounded down), and so does the count of additions.</summary>
    private void Halve()
    {
        for (int i = 0; i < _table.Length; i++)
        {
            // Each counter's lowest bit rotates into the next counter's highest, which the mask clears.
            _table[i] = BitOperations.RotateRight(_table[i], 1) & HalfMask;
        }

        Additions /= 2;
    }
}
