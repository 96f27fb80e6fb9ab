using Cache.Properties.Model;

namespace Cache.Properties;

/// <summary>
/// The W-TinyLFU reference model's own examples (issue 17): it is the oracle the core will be held
/// to, so what it does is shown here once by hand, decision by decision.
/// </summary>
public sealed class TinyLfuModelTests
{
    // A hash that is the same in every process (string.GetHashCode is not): the sketch's collisions,
    // and so these examples' decisions, must not depend on the process's hash seed.
    private static int Fnv(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)hash;
    }

    [Fact]
    public void Sizes_follow_Caffeine_a_window_of_one_percent_and_a_protected_segment_of_four_fifths_of_the_rest()
    {
        var model = new TinyLfuModel(1_000, Fnv);
        Assert.Equal((10, 990, 792), (model.WindowMax, model.MainMax, model.ProtectedMax));
        var small = new TinyLfuModel(5, Fnv);
        Assert.Equal((1, 4, 3), (small.WindowMax, small.MainMax, small.ProtectedMax));
    }

    [Fact]
    public void A_new_key_enters_the_window_and_the_window_overflows_into_probation_while_there_is_room()
    {
        var model = new TinyLfuModel(5, Fnv);
        Assert.Null(model.Add("a"));
        Assert.Null(model.Add("b"));
        Assert.Equal(TinyLfuModel.Segment.Probation, model.SegmentOf("a"));
        Assert.Equal(TinyLfuModel.Segment.Window, model.SegmentOf("b"));
    }

    [Fact]
    public void A_hit_in_probation_promotes_and_the_protected_overflow_goes_back_to_probation()
    {
        var model = new TinyLfuModel(5, Fnv); // window 1, protected at most 3
        foreach (string key in (string[])["a", "b", "c", "d", "e"])
        {
            model.Add(key);
        }

        foreach (string key in (string[])["a", "b", "c", "d"])
        {
            model.Touch(key);
        }

        // a, b, c, d were promoted in turn; the fourth pushed the least recent protected (a) back.
        Assert.Equal(TinyLfuModel.Segment.Probation, model.SegmentOf("a"));
        Assert.All((string[])["b", "c", "d"], key => Assert.Equal(TinyLfuModel.Segment.Protected, model.SegmentOf(key)));
        Assert.Equal(["a", "b", "c", "d", "e"], model.EvictionOrder);
    }

    [Fact]
    public void A_candidate_counted_no_more_often_than_the_victim_is_refused_and_one_counted_more_often_evicts_it()
    {
        var model = new TinyLfuModel(3, Fnv); // window 1, main 2
        model.Add("hot");
        model.Add("warm");
        model.Add("new"); // full: hot and warm in probation, new in the window
        model.Touch("hot");
        model.Touch("hot");

        // "other" enters the window and pushes "new" (counted once) out as the candidate; the
        // victim, probation's least recent, is "warm" (counted once): a tie is refused.
        Assert.Equal(("new", TinyLfuModel.Decision.Refused), model.Add("other"));

        model.Touch("other");
        model.Touch("other");
        Assert.Equal(("warm", TinyLfuModel.Decision.Probation), model.Add("last")); // "other" (3) beats "warm" (1)
        Assert.True(model.Contains("hot") && model.Contains("other") && model.Contains("last"));
    }

    [Fact]
    public void A_scan_of_keys_seen_once_leaves_the_keys_used_often_in_place()
    {
        var model = new TinyLfuModel(100, Fnv);
        string[] hot = [.. Enumerable.Range(0, 50).Select(i => $"hot:{i}")];
        for (int round = 0; round < 5; round++)
        {
            foreach (string key in hot)
            {
                if (model.Contains(key))
                {
                    model.Touch(key);
                }
                else
                {
                    model.Add(key);
                }
            }
        }

        string[] promoted = [.. hot.Where(key => model.SegmentOf(key) == TinyLfuModel.Segment.Protected)];
        Assert.Equal(49, promoted.Length); // the last key stayed in the window: hits there do not promote

        for (int i = 0; i < 1_000; i++)
        {
            model.Add($"scan:{i}");
        }

        // Ten times the capacity of keys seen once: the protected keys all stay (victims come from
        // probation), where an LRU would keep none of them.
        Assert.All(promoted, key => Assert.True(model.Contains(key), key));
        Assert.Equal(100, model.Count);
    }

    [Fact]
    public void The_sketch_counts_up_to_15_and_halves_every_counter_after_ten_times_the_capacity_of_additions()
    {
        var sketch = new FrequencySketchModel(16);
        for (int i = 0; i < 20; i++)
        {
            sketch.Increment(42);
        }

        Assert.Equal(15, sketch.Frequency(42));
        Assert.Equal(15, sketch.Additions); // increments of a full key's counters add nothing
        for (int key = 1_000; sketch.Additions < 159; key++)
        {
            sketch.Increment(key);
        }

        Assert.Equal(15, sketch.Frequency(42));
        sketch.Increment(7); // the 160th addition: every counter halves, and so does the count of additions
        Assert.Equal(7, sketch.Frequency(42));
        Assert.Equal(80, sketch.Additions);
    }
}
