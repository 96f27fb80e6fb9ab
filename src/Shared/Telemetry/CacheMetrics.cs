using System.Diagnostics.Metrics;

namespace Cache.Shared.Telemetry;

/// <summary>
/// A cache's instruments, named as .NET's MemoryCache and the OpenTelemetry semantic conventions
/// name them: <c>cache.requests</c> (tagged <c>cache.request.type</c> = <c>hit</c> or <c>miss</c>),
/// <c>cache.evictions</c>, <c>cache.entries</c>, and <c>cache.expirations</c> of this cache's own.
/// Every measurement carries <c>cache.name</c> and <c>cache.backend</c>, so one dashboard tells a
/// service's caches apart. Recording costs one check when nothing listens.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _expirations;

    // Built once: a measurement passes them as a span and allocates nothing.
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly KeyValuePair<string, object?>[] _hitTags;
    private readonly KeyValuePair<string, object?>[] _missTags;

    // Read by the entries gauge until Dispose: a factory's meter outlives the cache, and must
    // neither report a disposed cache nor keep it reachable through the gauge's callback.
    private Func<int>? _entries;

    /// <param name="meterFactory">Where the meter comes from; null for a meter of the cache's own.</param>
    /// <param name="meterName">The backend's meter name.</param>
    /// <param name="cacheName">The cache's name, the <c>cache.name</c> tag.</param>
    /// <param name="backend">The <c>cache.backend</c> tag.</param>
    /// <param name="entries">Reads the entries stored, for the gauge; null where the backend cannot count them cheaply.</param>
    public CacheMetrics(IMeterFactory? meterFactory, string meterName, string cacheName, string backend, Func<int>? entries)
    {
        _tags = [new("cache.name", cacheName), new("cache.backend", backend)];
        _hitTags = [.. _tags, new("cache.request.type", "hit")];
        _missTags = [.. _tags, new("cache.request.type", "miss")];

        // The tags on the meter too: a factory then gives each named cache a meter of its own.
        var options = new MeterOptions(meterName) { Tags = _tags };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _ownsMeter = meterFactory is null;
        _requests = _meter.CreateCounter<long>("cache.requests", "{request}", "Lookups, by cache.request.type: hit (a live entry was found) or miss.");
        _evictions = _meter.CreateCounter<long>("cache.evictions", "{entry}", "Live entries removed to make room.");
        _expirations = _meter.CreateCounter<long>("cache.expirations", "{entry}", "Expired entries removed.");
        if (entries is not null)
        {
            _entries = entries;
            _meter.CreateObservableGauge("cache.entries", ObserveEntries, "{entry}", "Entries stored, expired-but-not-removed ones included.");
        }
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter => _meter;

    public void Hit() => _requests.Add(1, new ReadOnlySpan<KeyValuePair<string, object?>>(_hitTags));

    public void Miss() => _requests.Add(1, new ReadOnlySpan<KeyValuePair<string, object?>>(_missTags));

    public void Evicted() => _evictions.Add(1, new ReadOnlySpan<KeyValuePair<string, object?>>(_tags));

    public void Expired() => _expirations.Add(1, new ReadOnlySpan<KeyValuePair<string, object?>>(_tags));

    private IEnumerable<Measurement<int>> ObserveEntries() =>
        Volatile.Read(ref _entries) is { } entries ? [new Measurement<int>(entries(), _tags)] : [];

    public void Dispose()
    {
        Volatile.Write(ref _entries, null);

        // A meter from an IMeterFactory belongs to the factory, which disposes it with the container.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
