namespace Cache.Properties.Model;

/// <summary>
/// A TTL as the tests choose it: the default, a number of half-seconds, or infinite. Half-second
/// steps make time advances land exactly on deadlines as well as between them.
/// </summary>
internal readonly record struct TtlChoice(int HalfSeconds)
{
    public static readonly TtlChoice Default = new(0);
    public static readonly TtlChoice Infinite = new(-1);

    public TimeSpan? AsTimeSpan => HalfSeconds switch
    {
        0 => null,
        -1 => Timeout.InfiniteTimeSpan,
        _ => TimeSpan.FromMilliseconds(500 * HalfSeconds),
    };

    public override string ToString() => HalfSeconds switch { 0 => "default", -1 => "infinite", _ => $"{HalfSeconds * 0.5}s" };
}

/// <summary>One step of a generated scenario.</summary>
internal abstract record Operation;

internal sealed record SetOp(string Key, int Value, TtlChoice Ttl) : Operation;

internal sealed record GetOp(string Key) : Operation;

internal sealed record TryGetOp(string Key) : Operation;

internal sealed record ExistsOp(string Key) : Operation;

internal sealed record RemoveOp(string Key) : Operation;

internal sealed record GetOrSetOp(string Key, int Value, TtlChoice Ttl) : Operation;

internal sealed record ClearOp : Operation;

internal sealed record StatsOp : Operation;

internal sealed record AdvanceOp(TimeSpan By) : Operation;

/// <summary>A cache size and the operations to run against it.</summary>
internal sealed record Scenario(int MaxSize, IReadOnlyList<Operation> Operations, Cache.Core.EvictionPolicy Policy = Cache.Core.EvictionPolicy.Lru)
{
    public override string ToString() =>
        $"MaxSize {MaxSize}, {Policy}, {Operations.Count} operations:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", Operations);
}
