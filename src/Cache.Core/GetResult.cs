using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Cache.Core;

/// <summary>
/// The result of a Get: the new state, whether the key held a live entry, its value when it did,
/// and the expired entry the Get removed, if any.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public readonly record struct GetResult<TKey, TValue>
    where TKey : notnull
{
    private readonly TValue _value;

    internal GetResult(
        CacheState<TKey, TValue> state,
        bool found,
        TValue value,
        ImmutableArray<CacheRemoval<TKey, TValue>> removals)
    {
        State = state;
        Found = found;
        _value = value;
        Removals = removals;
    }

    /// <summary>The state after the Get: on a hit the key is the most recently used.</summary>
    public CacheState<TKey, TValue> State { get; }

    /// <summary>True on a hit: the key held a live entry.</summary>
    public bool Found { get; }

    /// <summary>The value found.</summary>
    /// <exception cref="InvalidOperationException">The Get missed (<see cref="Found"/> is false).</exception>
    public TValue Value => Found
        ? _value
        : throw new InvalidOperationException("The Get missed, so it has no value; check Found or call TryGetValue.");

    /// <summary>The entry the Get removed because it had expired, or none.</summary>
    public ImmutableArray<CacheRemoval<TKey, TValue>> Removals { get; }

    /// <summary>The value found, if the Get was a hit.</summary>
    /// <param name="value">The value on a hit; the default value on a miss.</param>
    /// <returns><see cref="Found"/>.</returns>
    public bool TryGetValue([MaybeNullWhen(false)] out TValue value)
    {
        value = _value;
        return Found;
    }

    /// <summary>Deconstructs into the new state and whether the Get was a hit.</summary>
    /// <param name="state">The state after the Get.</param>
    /// <param name="found">Whether the Get was a hit.</param>
    public void Deconstruct(out CacheState<TKey, TValue> state, out bool found)
    {
        state = State;
        found = Found;
    }
}
