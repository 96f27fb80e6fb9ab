using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Cache.Unit.Support;

/// <summary>Reads the <c>cache.requests</c> counter by its <c>cache.request.type</c> tag.</summary>
internal static class RequestCounts
{
    public static long Of(this MetricCollector<long> requests, string type) =>
        requests.GetMeasurementSnapshot().Where(m => Equals(m.Tags["cache.request.type"], type)).Sum(m => m.Value);
}
