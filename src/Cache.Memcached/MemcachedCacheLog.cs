using Microsoft.Extensions.Logging;

namespace Cache.Memcached;

/// <summary>Source-generated log messages; the event ids shared with the other backends mean the same thing (the values' events are in RemoteLog).</summary>
internal static partial class MemcachedCacheLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "memcached {Operation} of {Key} failed; answered as a miss")]
    public static partial void OperationFailed(ILogger logger, string operation, string key, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "memcached refused to store {Key} ({Reason}); the key's older value is removed")]
    public static partial void NotStored(ILogger logger, string key, string reason);
}
