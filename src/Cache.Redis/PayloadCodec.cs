using Cache.Async;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// Values to payloads and back, through the options' serializer. What the serializer refuses is an
/// operational failure, logged: a value it cannot write is not stored, and an entry it cannot read
/// is a miss and is deleted, only while it still holds what was read.
/// </summary>
/// <param name="serializer">The serializer.</param>
/// <param name="logger">Where refusals go.</param>
internal sealed class PayloadCodec(ICacheSerializer serializer, ILogger logger)
{
    // Deletes a key only while it still holds the unreadable payload that was read, so a newer
    // write that lands in between is never lost.
    private const string DeleteIfUnchanged = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('UNLINK', KEYS[1]) end return 0";

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
            RedisCacheLog.NotWritable(logger, key, value?.GetType().FullName ?? typeof(T).FullName ?? typeof(T).Name, exception);
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
            RedisCacheLog.NotSerializable(logger, key, exception);
            return null;
        }
    }

    /// <summary>A payload as a <typeparamref name="T"/>; an unreadable one is deleted (only if unchanged) and is a miss.</summary>
    public CacheLookup<T> Decode<T>(IDatabase database, string key, RedisKey redisKey, RedisValue payload)
    {
        if (payload.IsNull)
        {
            return default;
        }

        try
        {
            return new CacheLookup<T>(true, serializer.Deserialize<T>(((ReadOnlyMemory<byte>)payload).Span));
        }
#pragma warning disable CA1031 // Whatever the serializer throws, the entry cannot be read back: a miss, and the entry goes.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            RedisCacheLog.Unreadable(logger, key, typeof(T).FullName!, exception);
            _ = database.ScriptEvaluateAsync(DeleteIfUnchanged, [redisKey], [payload], CommandFlags.FireAndForget);
            return default;
        }
    }
}
