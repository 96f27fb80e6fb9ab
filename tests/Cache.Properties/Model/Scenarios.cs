using FsCheck;
using FsCheck.Fluent;

namespace Cache.Properties.Model;

/// <summary>
/// Generated scenarios: MaxSize 1..8, a few more keys than fit, 1..100 operations. A failing
/// scenario shrinks by dropping runs of operations, halves first, so it ends short.
/// </summary>
internal static class Scenarios
{
    /// <summary>The default TTL every scenario runs with: six half-seconds.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(3);

    private static readonly Gen<TtlChoice> Ttls = Gen.Frequency(
        (3, Gen.Constant(TtlChoice.Default)),
        (3, Gen.Elements(1, 2, 4, 10).Select(halves => new TtlChoice(halves))),
        (1, Gen.Constant(TtlChoice.Infinite)));

    private static readonly Gen<Operation> Advances =
        Gen.Elements(1, 2, 2, 4, 6).Select(halves => (Operation)new AdvanceOp(TimeSpan.FromMilliseconds(500 * halves)));

    public static Arbitrary<Scenario> Arbitrary { get; } = Arb.From(
        from maxSize in Gen.Choose(1, 8)
        from length in Gen.Choose(1, 100)
        from operations in Gen.ArrayOf(Operations(maxSize), length)
        select new Scenario(maxSize, operations),
        Shrink);

    /// <summary>
    /// Scenarios under W-TinyLFU: the same small ones, and some past 100 entries, where the window
    /// holds more than one entry, with enough operations (Sets first) to fill them and push keys
    /// through every segment.
    /// </summary>
    public static Arbitrary<Scenario> TinyLfu { get; } = Arb.From(
        Gen.Frequency(
            (3, from maxSize in Gen.Choose(1, 8)
                from length in Gen.Choose(1, 100)
                from operations in Gen.ArrayOf(Operations(maxSize), length)
                select new Scenario(maxSize, operations, Cache.Core.EvictionPolicy.TinyLfu)),
            (1, from maxSize in Gen.Choose(100, 130)
                from fill in Gen.Choose(maxSize / 2, maxSize + 20)
                from length in Gen.Choose(1, 300)
                from operations in Gen.ArrayOf(Operations(maxSize + 20), length)
                select new Scenario(maxSize, [.. Enumerable.Range(0, fill).Select(i => (Operation)new SetOp($"k{i}", i % 100, TtlChoice.Default)), .. operations], Cache.Core.EvictionPolicy.TinyLfu))),
        Shrink);

    /// <summary>
    /// The small scenarios under either policy, half each: for the rules that hold whatever the
    /// policy (the large W-TinyLFU ones run against the model, where a step costs less).
    /// </summary>
    public static Arbitrary<Scenario> EitherPolicy { get; } = Arb.From(
        from scenario in Arbitrary.Generator
        from policy in Gen.Elements(Cache.Core.EvictionPolicy.Lru, Cache.Core.EvictionPolicy.TinyLfu)
        select scenario with { Policy = policy },
        Shrink);

    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var operations = scenario.Operations;
        for (int chunk = operations.Count / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= operations.Count; start += chunk)
            {
                yield return scenario with { Operations = [.. operations.Take(start), .. operations.Skip(start + chunk)] };
            }
        }

        if (scenario.MaxSize > 1)
        {
            yield return scenario with { MaxSize = scenario.MaxSize - 1 };
        }
    }

    private static Gen<Operation> Operations(int maxSize)
    {
        var keys = Gen.Choose(0, maxSize + 2).Select(i => $"k{i}");
        var values = Gen.Choose(0, 99);
        return Gen.Frequency(
            (5, from key in keys from value in values from ttl in Ttls select (Operation)new SetOp(key, value, ttl)),
            (4, keys.Select(key => (Operation)new GetOp(key))),
            (2, keys.Select(key => (Operation)new TryGetOp(key))),
            (2, keys.Select(key => (Operation)new ExistsOp(key))),
            (2, keys.Select(key => (Operation)new RemoveOp(key))),
            (3, from key in keys from value in values from ttl in Ttls select (Operation)new GetOrSetOp(key, value, ttl)),
            (1, Gen.Constant((Operation)new ClearOp())),
            (1, Gen.Constant((Operation)new StatsOp())),
            (4, Advances));
    }
}
