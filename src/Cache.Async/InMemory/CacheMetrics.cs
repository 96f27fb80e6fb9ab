using System.Diagnostics.Metrics;

namespace Cache.Async;

/// <summary>
/// The cache's instruments on a <see cref="Meter"/> named <see cref="MeterName"/>. Recording costs
/// one check when nothing listens.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    /// <summary>The meter's name, for a MeterListener or an OpenTelemetry AddMeter.</summary>
    public const string MeterName = "Cache";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <param name="meterFactory">Where the meter comes from; null for a meter of the cache's own.</param>
    /// <param name="entries">Reads the entries stored, for the gauge; null where the backend cannot count them cheaply.</param>
    public CacheMetrics(IMeterFactory? meterFactory, Func<int>? entries)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _ownsMeter = meterFactory is null;
        Hits = _meter.CreateCounter<long>("cache.hits", "{lookup}", "Lookups that found a live entry.");
        Misses = _meter.CreateCounter<long>("cache.misses", "{lookup}", "Lookups that found no live entry.");
        Evictions = _meter.CreateCounter<long>("cache.evictions", "{entry}", "Live entries removed to make room.");
        Expirations = _meter.CreateCounter<long>("cache.expirations", "{entry}", "Expired entries removed.");
        if (entries is not null)
        {
            _meter.CreateObservableGauge("cache.entries", entries, "{entry}", "Entries stored, expired-but-not-removed ones included.");
        }
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter => _meter;

    public Counter<long> Hits { get; }

    public Counter<long> Misses { get; }

    public Counter<long> Evictions { get; }

    public Counter<long> Expirations { get; }

    public void Dispose()
    {
        // A meter from an IMeterFactory belongs to the factory, which disposes it with the container.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
