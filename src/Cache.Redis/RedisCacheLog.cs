using Microsoft.Extensions.Logging;

namespace Cache.Redis;

/// <summary>Source-generated log messages; the event ids shared with InMemoryCache mean the same thing.</summary>
internal static partial class RedisCacheLog
{
    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cache entry {Key} could not be read as {RequestedType}; it was deleted and answered as a miss")]
    public static partial void Unreadable(ILogger logger, string key, string requestedType, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Redis {Operation} of {Key} failed; answered as a miss")]
    public static partial void OperationFailed(ILogger logger, string operation, string key, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The value made for {Key} could not be serialized; it was returned but not stored")]
    public static partial void NotSerializable(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The {ValueType} set for {Key} could not be serialized; nothing was stored and the key's older value is removed")]
    public static partial void NotWritable(ILogger logger, string key, string valueType, Exception exception);
}
