using Cache.Async;
using Microsoft.Extensions.Logging;

namespace Cache.Shared.Remote;

/// <summary>
/// Values to payloads and back, through the options' serializer. What the serializer refuses is an
/// operational failure, logged: a value it cannot write is not stored, and a payload it cannot read
/// is a miss (the backend then deletes the entry, only while it still holds what was read).
/// </summary>
/// <param name="serializer">The serializer.</param>
/// <param name="logger">Where refusals go.</param>
internal sealed class ValueCodec(ICacheSerializer serializer, ILogger logger)
{
    /// <summary>The payload of a value set by the caller; null, logged (event 13), when the serializer cannot write it.</summary>
    public byte[]? EncodeSet<T>(string key, T value)
    {
        try
        {
            return serializer.Serialize(value);
        }
#pragma warning disable CA1031 // Whatever the serializer throws, the value cannot be stored: an operational failure, logged.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RemoteLog.NotWritable(logger, key, value?.GetType().FullName ?? typeof(T).FullName ?? typeof(T).Name, exception);
            return null;
        }
    }

    /// <summary>The payload of a value a factory made; null, logged (event 11), when the serializer cannot write it: the callers still get the value.</summary>
    public byte[]? EncodeMade<T>(string key, T value)
    {
        try
        {
            return serializer.Serialize(value);
        }
#pragma warning disable CA1031 // The caller has its value; only the cache goes without.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RemoteLog.NotSerializable(logger, key, exception);
            return null;
        }
    }

    /// <summary>A payload read as a <typeparamref name="T"/>; false, logged (event 5), when the serializer cannot read it: the caller deletes the entry.</summary>
    public bool TryDecode<T>(string key, ReadOnlySpan<byte> payload, out CacheLookup<T> lookup)
    {
        try
        {
            lookup = new CacheLookup<T>(true, serializer.Deserialize<T>(payload));
            return true;
        }
#pragma warning disable CA1031 // Whatever the serializer throws, the entry cannot be read back: a miss, and the entry goes.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RemoteLog.Unreadable(logger, key, typeof(T).FullName!, exception);
            lookup = default;
            return false;
        }
    }
}
