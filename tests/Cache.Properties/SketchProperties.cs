using Cache.Core.Representation;
using Cache.Properties.Model;
using FsCheck;
using FsCheck.Fluent;

namespace Cache.Properties;

/// <summary>
/// The core's packed frequency sketch (issue 17) against the plain one of the reference model, and
/// its history against the model copied at every step: any state of a line, however old, and any
/// line forked from one, counts exactly what the model counted there, through halvings and
/// checkpoints. Small capacities make a halving every 160 additions and a checkpoint every 64
/// increments, so the programs cross many of both.
/// </summary>
public sealed class SketchProperties
{
    [Fact]
    public void The_packed_sketch_counts_as_the_model_does_through_saturation_and_halvings() =>
        PropertyRun.Check(Programs, program =>
        {
            var random = new Random(program.Seed);
            var sketch = new FrequencySketch(program.Capacity);
            var model = new FrequencySketchModel(program.Capacity);
            int[] keys = Keys(random, program.Keys);
            for (int step = 0; step < program.Length; step++)
            {
                int hash = keys[random.Next(keys.Length)];
                sketch.Increment(hash);
                model.Increment(hash);
            }

            AssertSame(model, sketch, keys);
        });

    [Fact]
    public void Every_state_of_a_line_and_every_line_forked_from_one_has_exactly_its_own_counts() =>
        PropertyRun.Check(Programs, program =>
        {
            var random = new Random(program.Seed);
            int[] keys = Keys(random, program.Keys);

            // Lines of states: each step takes any state so far and counts one access from it; a
            // state that is not its line's newest forks first, as the core does.
            var states = new List<(SketchHistory History, int Position, FrequencySketchModel Model)>
            {
                (SketchHistory.Start(new FrequencySketch(program.Capacity), program.Capacity), 0, new FrequencySketchModel(program.Capacity)),
            };
            for (int step = 0; step < program.Length; step++)
            {
                (SketchHistory history, int position, FrequencySketchModel model) = random.Next(8) == 0
                    ? states[random.Next(states.Count)]
                    : states[^1];
                if (!history.IsNewestAt(position))
                {
                    history = SketchHistory.Start(history.CountersAt(position), program.Capacity);
                    position = 0;
                }

                int hash = keys[random.Next(keys.Length)];
                FrequencySketchModel next = model.Clone();
                next.Increment(hash);
                (SketchHistory after, int at) = history.Increment(position, hash);
                states.Add((after, at, next));
            }

            for (int i = 0; i < states.Count; i++)
            {
                (SketchHistory history, int position, FrequencySketchModel model) = states[i];
                try
                {
                    AssertSame(model, history.CountersAt(position), keys);
                    if (history.IsNewestAt(position))
                    {
                        AssertSame(model, history.Live, keys);
                    }
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"{program} state {i} of {states.Count} at {position} newest {history.IsNewestAt(position)}", e);
                }
            }
        });

    [Fact]
    public void Only_the_newest_state_of_a_line_counts_in_place_and_a_line_starts_a_checkpoint_every_interval()
    {
        SketchHistory history = SketchHistory.Start(new FrequencySketch(8), 8);
        Assert.Equal(64, history.Interval); // at least 64
        (SketchHistory after, int position) = history.Increment(0, 42);
        Assert.Same(history, after);
        Assert.Equal(1, position);
        Assert.True(history.IsNewestAt(1));
        Assert.False(history.IsNewestAt(0));
        for (int i = 1; i < 63; i++)
        {
            (after, position) = after.Increment(position, i);
        }

        Assert.Same(history, after);
        Assert.Equal(63, position);
        (after, position) = after.Increment(position, 63); // the 64th: a checkpoint of its own
        Assert.NotSame(history, after);
        Assert.Equal(0, position);
        Assert.Same(history.Live, after.Live);
        Assert.Equal(200, SketchHistory.Start(new FrequencySketch(200), 200).Interval);

        // A history longer than one chunk of its log (1,024 hashes) replays all of it.
        SketchHistory large = SketchHistory.Start(new FrequencySketch(2_000), 2_000);
        var model = new FrequencySketchModel(2_000);
        int at = 0;
        for (int i = 0; i < 1_500; i++)
        {
            (large, at) = large.Increment(at, i % 700);
            model.Increment(i % 700);
        }

        Assert.Equal(1_500, at);
        AssertSame(model, large.CountersAt(at), [.. Enumerable.Range(0, 700)]);
        Assert.Throws<InvalidOperationException>(() => history.Increment(0, 7));
        Assert.Equal(0, history.CountersAt(0).Frequency(42)); // the older state still counts nothing
        Assert.Equal(1, history.CountersAt(1).Frequency(42));
    }

    private static Arbitrary<SketchProgram> Programs { get; } = Arb.From(
        from capacity in Gen.Frequency((3, Gen.Choose(1, 16)), (1, Gen.Choose(60, 100)))
        from keys in Gen.Frequency((1, Gen.Choose(1, 40)), (1, Gen.Choose(100, 400)))
        from length in Gen.Choose(0, 400)
        from seed in Gen.Choose(0, int.MaxValue)
        select new SketchProgram(capacity, keys, length, seed),
        program => Enumerable.Range(0, program.Length).Reverse().Where(length => length % 50 == 0 || length < 10).Select(length => program with { Length = length }));

    private static int[] Keys(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(int.MinValue, int.MaxValue))];

    private static void AssertSame(FrequencySketchModel model, FrequencySketch sketch, int[] keys)
    {
        Assert.Equal(model.Additions, sketch.Additions);
        foreach (int key in keys)
        {
            Assert.Equal(model.Frequency(key), sketch.Frequency(key));
        }
    }

    private sealed record SketchProgram(int Capacity, int Keys, int Length, int Seed);
}
