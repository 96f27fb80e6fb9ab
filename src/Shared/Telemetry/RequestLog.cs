using Microsoft.Extensions.Logging;

namespace Cache.Shared.Telemetry;

/// <summary>
/// The log messages of a request, the same on every backend (same event ids, same text), so one
/// filter or alert serves them all. Source-generated: a disabled level costs one check on the hot path.
/// A backend's own events (evictions, its server's failures) are in its own log class.
/// </summary>
internal static partial class RequestLog
{
    /// <summary>The type of a cached value for a log line: "null" for a cached null, which has none.</summary>
    public static string TypeNameOf(object? value) => value?.GetType().FullName ?? "null";

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Cache hit for {Key}")]
    public static partial void Hit(ILogger logger, string key);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Cache miss for {Key}")]
    public static partial void Miss(ILogger logger, string key);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cache entry {Key} holds a {ActualType}, not the {RequestedType} asked for; answered a miss")]
    public static partial void TypeMismatch(ILogger logger, string key, string actualType, string requestedType);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The value factory for {Key} failed; nothing was stored")]
    public static partial void FactoryFailed(ILogger logger, string key, Exception exception);
}
