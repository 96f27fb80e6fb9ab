using Microsoft.Extensions.Logging;

namespace Cache.Redis;

/// <summary>Source-generated log messages; the event ids shared with InMemoryCache mean the same thing (the values' events are in RemoteLog).</summary>
internal static partial class RedisCacheLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Redis {Operation} of {Key} failed; answered as a miss")]
    public static partial void OperationFailed(ILogger logger, string operation, string key, Exception exception);
}
