using Cache.Core;
using FsCheck;
using FsCheck.Fluent;

namespace Cache.Properties;

/// <summary>
/// Reads recorded with <see cref="CacheState{TKey, TValue}.Find"/> and applied later with
/// <see cref="CacheState{TKey, TValue}.Touch"/>, across many lines of states grown from one: a handle
/// read in any state counts in any other state that stores the same write, exactly as a Get there
/// would, and in no other; and no state ever changes its answers. Every write stores a value of its
/// own, so "the same write" is "the same key and value" and the oracle needs no look inside.
/// </summary>
public sealed class TouchProperties
{
    private static readonly TimeSpan Now = TimeSpan.FromSeconds(1);

    [Fact]
    public void A_use_read_in_any_state_counts_wherever_that_write_is_stored_and_nowhere_else() =>
        PropertyRun.Check(Programs, program => Run(program));

    private static Arbitrary<TouchProgram> Programs { get; } = Arb.From(
        from maxSize in Gen.Frequency((3, Gen.Choose(1, 12)), (1, Gen.Choose(200, 400)))
        from seed in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(1, 80)
        from policy in Gen.Elements(EvictionPolicy.Lru, EvictionPolicy.TinyLfu)
        select new TouchProgram(maxSize, seed, length, policy),
        program => Enumerable.Range(1, program.Length - 1).Reverse().Select(length => program with { Length = length }));

    private static void Run(TouchProgram program)
    {
        var random = new Random(program.Seed);
        int keyCount = program.MaxSize + 4;
        var states = new List<CacheState<string, int>> { CacheState<string, int>.Empty(new CacheOptions { MaxSize = program.MaxSize, DefaultTtl = TimeSpan.FromMinutes(1), Policy = program.Policy }) };
        var answers = new List<string[]> { Array.Empty<string>() };
        int writes = 0;
        for (int step = 0; step < program.Length; step++)
        {
            CacheState<string, int> from = states[random.Next(states.Count)];
            string key = $"k{random.Next(keyCount)}";
            CacheState<string, int> next = random.Next(10) switch
            {
                < 4 => from.Set(key, ++writes, Now).State,
                4 => from.Remove(key, Now).State,
                5 => from.Get(key, Now).State,
                6 => from.AsSnapshot(),
                7 => from.TrimExcess(),
                _ => CheckTouch(states, from, random, keyCount),
            };
            next.CheckIntegrity();
            states.Add(next);
            answers.Add([.. next.Keys]);

            // Every state answers as when it was made, whatever its relatives did since.
            for (int i = 0; i < states.Count; i++)
            {
                Assert.Equal(answers[i], states[i].Keys);
            }
        }
    }

    /// <summary>Touches handles read in random states into <paramref name="target"/> and checks the result against Gets.</summary>
    private static CacheState<string, int> CheckTouch(List<CacheState<string, int>> states, CacheState<string, int> target, Random random, int keyCount)
    {
        // Past the shell's 256-entry batches and, now and then, past a log chunk of 1,024 records.
        int count = random.Next(10) == 0 ? random.Next(1000, 1300) : random.Next(1, 300);
        var handles = new CacheEntryHandle<string, int>[count];
        for (int i = 0; i < count; i++)
        {
            handles[i] = random.Next(20) == 0 ? default : states[random.Next(states.Count)].Find($"k{random.Next(keyCount)}");
        }

        CacheState<string, int> expected = target;
        foreach (CacheEntryHandle<string, int> handle in handles)
        {
            if (handle.Exists && target.TryPeek(handle.Key, Now, out int stored) && stored == handle.Value)
            {
                expected = expected.Get(handle.Key, Now).State;
            }
        }

        CacheState<string, int> touched = target.Touch(handles);
        Assert.Equal(expected.Keys, touched.Keys);
        Assert.Equal(expected.Count, touched.Count);
        return touched;
    }
}

internal sealed record TouchProgram(int MaxSize, int Seed, int Length, EvictionPolicy Policy = EvictionPolicy.Lru);
