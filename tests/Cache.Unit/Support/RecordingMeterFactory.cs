using System.Diagnostics.Metrics;

namespace Cache.Unit.Support;

/// <summary>An IMeterFactory that remembers the meters it made, as a container's would own them.</summary>
internal sealed class RecordingMeterFactory : IMeterFactory
{
    public List<Meter> Created { get; } = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        Created.Add(meter);
        return meter;
    }

    public void Dispose() => Created.ForEach(m => m.Dispose());
}
