using Microsoft.Extensions.Logging;

namespace Cache.Async.InMemory;

/// <summary>Source-generated log messages: a disabled level costs one check on the hot path.</summary>
internal static partial class CacheLog
{
    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Evicted {Key}: the least recently used entry, to make room")]
    public static partial void Evicted(ILogger logger, string key);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Removed expired entry {Key}")]
    public static partial void Expired(ILogger logger, string key);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "An EntryRemoved handler failed for {Key} ({Reason}); the cache carries on")]
    public static partial void EntryRemovedHandlerFailed(ILogger logger, string key, Cache.Core.RemovalReason reason, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "The access trace lost {Count} records: its stream did not keep up; a replay of this trace is approximate")]
    public static partial void TraceRecordsLost(ILogger logger, long count);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Writing the access trace failed; recording stopped, the cache carries on")]
    public static partial void TraceWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "The access trace's stream did not finish when the cache was disposed; gave up waiting: {Count} records were abandoned unwritten, and what was written may not be flushed")]
    public static partial void TraceAbandoned(ILogger logger, long count);
}
