using Microsoft.Extensions.Logging;

namespace Cache.Async;

/// <summary>Source-generated log messages: a disabled level costs one check on the hot path.</summary>
internal static partial class CacheLog
{
    /// <summary>The type of a cached value for a log line: "null" for a cached null, which has none.</summary>
    public static string TypeNameOf(object? value) => value?.GetType().FullName ?? "null";

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Cache hit for {Key}")]
    public static partial void Hit(ILogger logger, string key);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Cache miss for {Key}")]
    public static partial void Miss(ILogger logger, string key);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Evicted {Key}: the least recently used entry, to make room")]
    public static partial void Evicted(ILogger logger, string key);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Removed expired entry {Key}")]
    public static partial void Expired(ILogger logger, string key);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cache entry {Key} holds a {ActualType}, not the {RequestedType} asked for; answered a miss")]
    public static partial void TypeMismatch(ILogger logger, string key, string actualType, string requestedType);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The value factory for {Key} failed; nothing was stored")]
    public static partial void FactoryFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "An EntryRemoved handler failed for {Key} ({Reason}); the cache carries on")]
    public static partial void EntryRemovedHandlerFailed(ILogger logger, string key, Cache.Core.RemovalReason reason, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "The access trace lost {Count} records: its stream did not keep up; a replay of this trace is approximate")]
    public static partial void TraceRecordsLost(ILogger logger, long count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Writing the access trace failed; recording stopped, the cache carries on")]
    public static partial void TraceWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The access trace's stream did not finish when the cache was disposed; gave up waiting: {Count} records were abandoned unwritten, and what was written may not be flushed")]
    public static partial void TraceAbandoned(ILogger logger, long count);
}
