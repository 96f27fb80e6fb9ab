using Cache.Core.Representation;
using FsCheck;
using FsCheck.Fluent;

namespace Cache.Properties.Representation;

/// <summary>
/// The hash trie behind the state, against a Dictionary: every answer equal after every step, the
/// shape canonical, and every earlier version unchanged. Keys choose their own hash, so the
/// generated runs force what string keys rarely reach: equal 32-bit hashes (collision nodes),
/// hashes that share their low bits (deep paths) and spread hashes.
/// </summary>
public sealed class HashTrieProperties
{
    private const int KeySpace = 64;

    private static readonly Arbitrary<TrieRun> Runs = Gen.Zip(
            Gen.Elements(HashFamily.Colliding, HashFamily.SharedLowBits, HashFamily.Spread),
            Gen.ListOf(Gen.Zip(Gen.Elements(true, true, false), Gen.Choose(0, KeySpace - 1))))
        .Select(pair => new TrieRun(pair.Item1, [.. pair.Item2]))
        .ToArbitrary();

    public enum HashFamily
    {
        /// <summary>Eight distinct hashes for 64 keys: most keys share their whole hash.</summary>
        Colliding,

        /// <summary>Hashes equal in their low 25 bits: every key goes five levels deep.</summary>
        SharedLowBits,

        /// <summary>Hashes spread over all bits.</summary>
        Spread,
    }

    [Fact]
    public void The_trie_answers_as_a_dictionary_does_and_keeps_every_version() =>
        PropertyRun.Check(Runs, run =>
        {
            var trie = TrieNode<Probe, int>.Empty;
            var model = new Dictionary<Probe, int>();
            var versions = new List<(TrieNode<Probe, int> Trie, Dictionary<Probe, int> Model)>();
            int step = 0;
            foreach ((bool put, int id) in run.Steps)
            {
                var key = new Probe(id, HashOf(run.Family, id));
                if (put)
                {
                    trie = trie.Put(Entry(key, step), out var replaced);
                    Assert.Equal(model.TryGetValue(key, out int was), replaced is not null);
                    Assert.Equal(was, replaced?.Value ?? 0);
                    model[key] = step;
                }
                else
                {
                    var before = trie;
                    trie = trie.Remove(key, key.GetHashCode(), out var removed);
                    Assert.Equal(model.Remove(key, out int was), removed is not null);
                    Assert.Equal(was, removed?.Value ?? 0);
                    Assert.True(removed is not null || ReferenceEquals(before, trie), "removing an absent key copied the trie");
                }

                Assert.Null(trie.FindShapeFault());
                AssertSame(model, trie, run.Family);
                versions.Add((trie, new Dictionary<Probe, int>(model)));
                step++;
            }

            foreach (var (version, snapshot) in versions)
            {
                AssertSame(snapshot, version, run.Family);
            }
        });

    private static Entry<Probe, int> Entry(Probe key, int value) =>
        new(key, TrieNode<Probe, int>.HashOf(key), value, deadline: 0, writeStamp: 0, outOfOrder: false, lastUse: 0);

    private static int HashOf(HashFamily family, int id) => family switch
    {
        HashFamily.Colliding => id % 8,
        HashFamily.SharedLowBits => (id << 25) | 0x15A5A5,
        _ => id * -1640531535,
    };

    private static void AssertSame(Dictionary<Probe, int> model, TrieNode<Probe, int> trie, HashFamily family)
    {
        Assert.Equal(model.Count, trie.Entries().Count());
        for (int id = 0; id < KeySpace; id++)
        {
            var key = new Probe(id, HashOf(family, id));
            var found = trie.Find(key, key.GetHashCode());
            Assert.Equal(model.TryGetValue(key, out int value), found is not null);
            Assert.Equal(value, found?.Value ?? 0);
        }
    }

    public sealed record TrieRun(HashFamily Family, (bool Put, int Id)[] Steps)
    {
        public override string ToString() =>
            $"{Family}: {string.Join(", ", Steps.Select(s => (s.Put ? "put " : "remove ") + s.Id))}";
    }

    /// <summary>A key that carries its own hash.</summary>
    public readonly record struct Probe(int Id, int Hash)
    {
        public bool Equals(Probe other) => Id == other.Id;

        public override int GetHashCode() => Hash;
    }
}
