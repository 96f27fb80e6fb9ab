using System.Collections.Concurrent;
using System.Collections.Immutable;
using Cache.Core.Representation;
using FsCheck;
using FsCheck.Fluent;

namespace Cache.Properties.Representation;

/// <summary>
/// The partially persistent table behind the state, against a dictionary per version: every
/// version answers as its own dictionary after every step of any line, the shape stays whole, and
/// rebuilds, forks and hidden removals change no answer. Keys choose their own hash, so the runs
/// force what string keys rarely reach: equal hashes (long chains), hashes equal in their low bits
/// (every key in one bucket of every table) and spread hashes. Steps go back to older versions and
/// write there, which must fork (a put) or hide (a removal), and never change the line the version
/// came from.
/// </summary>
public sealed class EntryTableProperties
{
    private const int KeySpace = 64;

    private static readonly Arbitrary<TableRun> Runs = Gen.Zip(
            Gen.Elements(HashFamily.Colliding, HashFamily.SharedLowBits, HashFamily.Spread),
            Gen.ListOf(Gen.Zip(Gen.Elements(TableStep.Put, TableStep.Put, TableStep.Put, TableStep.Remove, TableStep.Remove, TableStep.Back), Gen.Choose(0, KeySpace - 1))))
        .Select(pair => new TableRun(pair.Item1, [.. pair.Item2]))
        .ToArbitrary();

    public enum HashFamily
    {
        /// <summary>Eight distinct hashes for 64 keys: most keys share their whole hash.</summary>
        Colliding,

        /// <summary>Hashes equal in their low 25 bits: every key lands in the same bucket.</summary>
        SharedLowBits,

        /// <summary>Hashes spread over all bits.</summary>
        Spread,
    }

    public enum TableStep
    {
        /// <summary>Store a new entry under the key.</summary>
        Put,

        /// <summary>Remove the key's entry, if it has one.</summary>
        Remove,

        /// <summary>Go on from an older version (the argument picks which): its writes fork or hide.</summary>
        Back,
    }

    [Fact]
    public void Every_version_answers_as_its_own_dictionary_whatever_its_line_and_the_others_do() =>
        PropertyRun.Check(Runs, run =>
        {
            var line = new TableLine(run.Family);
            Version current = TableLine.Empty();
            var versions = new List<Version> { current };
            int stamp = 0;
            foreach ((TableStep step, int id) in run.Steps)
            {
                current = step switch
                {
                    TableStep.Put => line.Put(current, id, ++stamp),
                    TableStep.Remove => line.Remove(current, id),
                    _ => versions[id % versions.Count],
                };

                line.AssertAnswers(current);
                versions.Add(current);
            }

            foreach (Version version in versions)
            {
                line.AssertAnswers(version);
            }
        });

    [Fact]
    public void A_long_line_past_many_chunks_and_rebuilds_keeps_every_version_it_sampled()
    {
        // 5,000 keys, 40,000 writes: tables of up to ten chunks of slots, a rebuild every few
        // thousand writes, and one version in a thousand re-read at the end.
        var line = new TableLine(HashFamily.Spread);
        var random = new Random(12345);
        Version current = TableLine.Empty();
        var sampled = new List<Version>();
        for (int step = 0; step < 40_000; step++)
        {
            int id = random.Next(5_000);
            current = random.Next(4) == 0 ? line.Remove(current, id) : line.Put(current, id, step);
            if (step % 1_000 == 0)
            {
                sampled.Add(current);
            }
        }

        Assert.True(line.Rebuilds > 5, $"{line.Rebuilds} rebuilds");
        Assert.True(current.Index.Table.Capacity > 4 * 1024, $"{current.Index.Table.Capacity} slots");
        foreach (Version version in sampled)
        {
            line.AssertAnswers(version, keySpace: 5_000);
        }
    }

    [Fact]
    public void A_table_full_at_exactly_a_chunk_boundary_rebuilds_whole()
    {
        // 511 entries and room for one: 1,024 slots, one whole chunk. Filling it to the last slot
        // and writing once more rebuilds from a tail that ends exactly where the chunks end.
        var line = new TableLine(HashFamily.Spread);
        Entry<Probe, int>[] entries = [.. Enumerable.Range(0, 511).Select(id => Entry(id, id))];
        var index = EntryIndex<Probe, int>.Of(entries, room: 1, version: 0);
        Assert.Equal(1_024, index.Table.Capacity);
        Version current = new(index, 0, entries.ToImmutableDictionary(e => e.Key));
        for (int step = 0; index.Table == current.Index.Table; step++)
        {
            current = line.Put(current, step % 600, 1_000 + step);
        }

        Assert.Equal(1, line.Rebuilds);
        line.AssertAnswers(current, keySpace: 600);
    }

    [Fact]
    [Trait("Category", "Storm")] // a concurrency check: outside the Core mutation gate, as the other storms (docs/mutation.md)
    public async Task Readers_on_other_threads_see_their_own_version_while_the_newest_writes()
    {
        // One writer appends, rebuilding now and then; two readers re-read published versions in a
        // loop. Bounded by count: 20,000 writes, and the readers stop when the writer does.
        var line = new TableLine(HashFamily.Spread);
        Version current = TableLine.Empty();
        var published = new Version[64];
        Array.Fill(published, current);
        int done = 0;
        long checks = 0;
        var failures = new ConcurrentQueue<string>();
        Task[] readers = [.. Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (Volatile.Read(ref done) == 0)
            {
                Version version = Volatile.Read(ref published[random.Next(published.Length)]);
                int id = random.Next(1_000);
                var key = new Probe(id, HashOf(HashFamily.Spread, id));
                Entry<Probe, int>? found = version.Index.Find(key, key.Hash);
                Entry<Probe, int>? expected = version.Stored.GetValueOrDefault(key);
                if (!ReferenceEquals(found, expected))
                {
                    failures.Enqueue($"key {id}: read {found?.Value}, expected {expected?.Value}");
                }

                Interlocked.Increment(ref checks);
            }
        }))];

        var writer = new Random(7);
        for (int step = 0; step < 20_000; step++)
        {
            int id = writer.Next(1_000);
            current = writer.Next(3) == 0 ? line.Remove(current, id) : line.Put(current, id, step);
            Volatile.Write(ref published[step % published.Length], current);
            if (step % 1_000 == 0)
            {
                // Let the readers in: a few hundred reads between each thousand writes (bounded wait).
                long seen = Interlocked.Read(ref checks);
                SpinWait.SpinUntil(() => Interlocked.Read(ref checks) > seen + 200, TimeSpan.FromSeconds(5));
            }
        }

        Volatile.Write(ref done, 1);
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref checks) > 20 * 200, $"{checks} reads");
        Assert.True(line.Rebuilds > 3, $"{line.Rebuilds} rebuilds");
    }

    private static Entry<Probe, int> Entry(int id, int value)
    {
        var key = new Probe(id, HashOf(HashFamily.Spread, id));
        return new Entry<Probe, int>(key, key.Hash, value, deadline: 0, writeStamp: 0, outOfOrder: false, lastUse: 0);
    }

    private static int HashOf(HashFamily family, int id) => family switch
    {
        HashFamily.Colliding => id % 8,
        HashFamily.SharedLowBits => (id << 25) | 0x15A5A5,
        _ => id * -1640531535,
    };

    /// <summary>One version: the index, its number in its table's line, and the entries it must store.</summary>
    private sealed record Version(EntryIndex<Probe, int> Index, long Number, ImmutableDictionary<Probe, Entry<Probe, int>> Stored);

    /// <summary>Drives the index as the state does: claim to write, else fork (a put) or hide (a removal).</summary>
    private sealed class TableLine(HashFamily family)
    {
        public int Rebuilds { get; private set; }

        public static Version Empty() => new(EntryIndex<Probe, int>.Empty(0), 0, ImmutableDictionary<Probe, Entry<Probe, int>>.Empty);

        public Version Put(Version origin, int id, int value)
        {
            var key = new Probe(id, HashOf(family, id));
            Version owner = Owned(origin);
            var entry = new Entry<Probe, int>(key, key.Hash, value, deadline: 0, writeStamp: 0, outOfOrder: false, lastUse: 0);
            EntryTable<Probe, int> table = owner.Index.Table;
            Entry<Probe, int>? replaced = owner.Index.Find(key, key.Hash);
            Assert.Same(owner.Stored.GetValueOrDefault(key), replaced);
            EntryIndex<Probe, int> put = owner.Index.Put(entry, replaced, owner.Stored.Count, owner.Number);
            Rebuilds += put.Table != table ? 1 : 0;
            return new Version(put, owner.Number, owner.Stored.SetItem(key, entry));
        }

        public Version Remove(Version origin, int id)
        {
            var key = new Probe(id, HashOf(family, id));
            if (!origin.Stored.TryGetValue(key, out Entry<Probe, int>? entry))
            {
                return origin;
            }

            bool owned = origin.Index.Hidden is null && origin.Index.Table.TryClaim(origin.Number);
            long number = owned ? origin.Number + 1 : origin.Number;
            EntryTable<Probe, int> table = origin.Index.Table;
            EntryIndex<Probe, int> removed = origin.Index.Removed(entry, origin.Stored.Count, owned, number);
            Rebuilds += removed.Table != table ? 1 : 0;
            Assert.Equal(owned, removed.Hidden is null);
            return new Version(removed, number, origin.Stored.Remove(key));
        }

        public void AssertAnswers(Version version, int keySpace = KeySpace)
        {
            EntryIndex<Probe, int> index = version.Index;
            Assert.Null(index.Table.FindShapeFault(index.Tail));
            Assert.Equal(
                version.Stored.Values.OrderBy(e => e.Key.Id).Select(e => (e.Key.Id, e.Value)),
                index.Live().OrderBy(e => e.Key.Id).Select(e => (e.Key.Id, e.Value)));
            for (int id = 0; id < keySpace; id++)
            {
                var key = new Probe(id, HashOf(family, id));
                Assert.Same(version.Stored.GetValueOrDefault(key), index.Find(key, key.Hash));
            }

            foreach (Entry<Probe, int> entry in version.Stored.Values)
            {
                Assert.True(index.Holds(entry), $"the version does not hold {entry.Key.Id}");
                Assert.False(index.Holds(entry.Detach()), $"the version holds a copy of {entry.Key.Id}");
            }
        }

        /// <summary>The version to write from, numbered past its claim: itself when it is the newest of its table, a fork otherwise.</summary>
        private static Version Owned(Version origin)
        {
            if (origin.Index.Hidden is null && origin.Index.Table.TryClaim(origin.Number))
            {
                return origin with { Number = origin.Number + 1 };
            }

            // A fork, as the state makes one: the stored entries copied into a table of their own.
            Entry<Probe, int>[] copies = [.. origin.Stored.Values.Select(e => e.Detach())];
            return new Version(EntryIndex<Probe, int>.Of(copies, room: 1, version: 1), 1, copies.ToImmutableDictionary(e => e.Key));
        }
    }

    public sealed record TableRun(HashFamily Family, (TableStep Step, int Id)[] Steps)
    {
        public override string ToString() =>
            $"{Family}: {string.Join(", ", Steps.Select(s => $"{s.Step} {s.Id}"))}";
    }

    /// <summary>A key that carries its own hash.</summary>
    public readonly record struct Probe(int Id, int Hash)
    {
        public bool Equals(Probe other) => Id == other.Id;

        public override int GetHashCode() => Hash;
    }
}
