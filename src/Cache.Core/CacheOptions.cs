namespace Cache.Core;

/// <summary>
/// The fixed settings of a <see cref="CacheState{TKey, TValue}"/>: how many entries it stores at most,
/// the time to live of an entry set without one, and which entry a full state gives up.
/// </summary>
/// <remarks>
/// Every instance is valid: the properties check their values when they are set, so a
/// <c>with</c> expression or <see cref="WithMaxSize"/> cannot produce a bad one.
/// </remarks>
public sealed record CacheOptions
{
    private readonly int _maxSize = 1000;
    private readonly TimeSpan _defaultTtl = TimeSpan.FromHours(1);
    private readonly EvictionPolicy _policy = EvictionPolicy.Lru;

    /// <summary>The options every property of which has its default value.</summary>
    public static CacheOptions Default { get; } = new();

    /// <summary>
    /// The most entries stored at once, expired-but-not-yet-removed ones included. Default 1000.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxSize
    {
        get => _maxSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxSize));
            _maxSize = value;
        }
    }

    /// <summary>
    /// The time to live of an entry set without one. Default one hour.
    /// <see cref="Timeout.InfiniteTimeSpan"/> means such entries never expire.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The value is zero or negative and is not <see cref="Timeout.InfiniteTimeSpan"/>.
    /// </exception>
    public TimeSpan DefaultTtl
    {
        get => _defaultTtl;
        init
        {
            CacheTtl.ThrowIfInvalid(value, nameof(DefaultTtl));
            _defaultTtl = value;
        }
    }

    /// <summary>
    /// Which entry a full state gives up for a new key. Default <see cref="EvictionPolicy.Lru"/>
    /// (exact LRU, the contract's); <see cref="EvictionPolicy.TinyLfu"/> admits a new key to the
    /// main space only if it is used more often than the entry it would evict. Expired entries go
    /// first under either.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of <see cref="EvictionPolicy"/>'s.</exception>
    public EvictionPolicy Policy
    {
        get => _policy;
        init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(Policy), value, "Not an eviction policy.");
            }

            _policy = value;
        }
    }

    /// <summary>A copy of these options with another <see cref="Policy"/>.</summary>
    /// <param name="policy">The eviction policy.</param>
    /// <returns>The new options.</returns>
    public CacheOptions WithPolicy(EvictionPolicy policy) => this with { Policy = policy };

    /// <summary>A copy of these options with another <see cref="MaxSize"/>.</summary>
    /// <param name="maxSize">The most entries stored at once; at least 1.</param>
    /// <returns>The new options.</returns>
    public CacheOptions WithMaxSize(int maxSize) => this with { MaxSize = maxSize };

    /// <summary>A copy of these options with another <see cref="DefaultTtl"/>.</summary>
    /// <param name="defaultTtl">A positive TTL, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns>The new options.</returns>
    public CacheOptions WithDefaultTtl(TimeSpan defaultTtl) => this with { DefaultTtl = defaultTtl };
}
