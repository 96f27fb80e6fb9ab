using Microsoft.Extensions.Logging;

namespace Cache.Shared.Remote;

/// <summary>Source-generated log messages of the server backends' values; the event ids mean what they mean on every backend.</summary>
internal static partial class RemoteLog
{
    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Cache entry {Key} could not be read as {RequestedType}; it was deleted and answered as a miss")]
    public static partial void Unreadable(ILogger logger, string key, string requestedType, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "The value made for {Key} could not be serialized; it was returned but not stored")]
    public static partial void NotSerializable(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "The {ValueType} set for {Key} could not be serialized; nothing was stored and the key's older value is removed")]
    public static partial void NotWritable(ILogger logger, string key, string valueType, Exception exception);
}
