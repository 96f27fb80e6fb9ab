using Cache.Core;

namespace Cache.Unit.Core;

/// <summary>
/// A state's transition gives the same result whatever its line does meanwhile on another thread.
/// One thread runs a line forward, promoting, demoting and admitting entries (under W-TinyLFU it
/// retags them in place); another takes each state the first publishes and evicts, removes and
/// expires in it. Every result is then replayed alone, on the same state, and must be equal. A
/// hostile review found the first version of W-TinyLFU's moves reading an entry's tag twice in one
/// removal: a move between the reads gave the wrong decision, wrong segment sizes or a crash.
/// </summary>
public sealed class ConcurrentLineTests
{
    private const int Capacity = 100;
    private const int Reads = 5_000;
    private static readonly TimeSpan Start = TimeSpan.Zero;
    private static readonly TimeSpan Later = TimeSpan.FromSeconds(5);

    [Theory]
    [Trait("Category", "Storm")] // threads: outside the Core mutation gate, whose kills must not depend on a schedule (docs/mutation.md)
    [InlineData(EvictionPolicy.Lru)]
    [InlineData(EvictionPolicy.TinyLfu)]
    public void Removals_in_a_published_state_equal_the_same_removals_made_alone(EvictionPolicy policy)
    {
        var options = new CacheOptions { MaxSize = Capacity, DefaultTtl = Timeout.InfiniteTimeSpan, Policy = policy };
        var state = CacheState<int, int>.Empty(options);
        for (int key = 0; key < Capacity; key++)
        {
            // Even keys expire at 1 s: the reader's Expire and Get at 5 s remove them; the writer stays at 0.
            state = key % 2 == 0 ? state.Set(key, key, TimeSpan.FromSeconds(1), Start).State : state.Set(key, key, Start).State;
        }

        CacheState<int, int> published = state;
        bool stop = false;
        var writer = new Thread(() =>
        {
            CacheState<int, int> line = published;

            // Bounded by count as well as by the reader's stop.
            for (int i = 0; i < 5_000_000 && !Volatile.Read(ref stop); i++)
            {
                line = i % 10 == 0 ? line.Set(Capacity + (i % 50), i, TimeSpan.FromSeconds(1), Start).State : line.Get(i % Capacity, Start).State;
                Volatile.Write(ref published, line);
            }
        });

        var seen = new List<(CacheState<int, int> State, int Operation, string Result)>(Reads);
        var failures = new List<string>();
        var reader = new Thread(() =>
        {
            try
            {
                for (int n = 0; n < Reads; n++)
                {
                    CacheState<int, int> current = Volatile.Read(ref published);
                    (string result, CacheState<int, int> next) = Apply(current, n);
                    next.CheckIntegrity();
                    seen.Add((current, n, result));
                }
            }
            catch (Exception exception)
            {
                failures.Add(exception.ToString());
            }
            finally
            {
                Volatile.Write(ref stop, true);
            }
        });

        writer.Start();
        reader.Start();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "the reader did not finish");
        Assert.True(writer.Join(TimeSpan.FromSeconds(10)), "the writer did not stop");
        Assert.Empty(failures);
        Assert.Equal(Reads, seen.Count);

        // Alone, each state answers as it did while its line moved on.
        foreach ((CacheState<int, int> current, int operation, string result) in seen)
        {
            Assert.Equal(result, Apply(current, operation).Result);
        }
    }

    /// <summary>An eviction, a removal, an expiry or a Get of an expired entry, by the operation's number.</summary>
    private static (string Result, CacheState<int, int> State) Apply(CacheState<int, int> state, int operation)
    {
        int key = operation % (Capacity + 50);
        (CacheState<int, int> next, IEnumerable<CacheRemoval<int, int>> removals) = (operation % 4) switch
        {
            0 => state.Evict(Start) is var evicted ? (evicted.State, evicted.Removals) : default,
            1 => state.Remove(key, Start) is var removed ? (removed.State, removed.Removals) : default,
            2 => state.Expire(Later) is var expired ? (expired.State, expired.Removals) : default,
            _ => state.Get(key - (key % 2), Later) is var read ? (read.State, read.Removals) : default,
        };
        string described = string.Join(",", removals.Select(r => $"{r.Key}:{r.Reason}/{r.Eviction}"));
        return ($"{described} | {string.Join(",", next.Keys)}", next);
    }
}
