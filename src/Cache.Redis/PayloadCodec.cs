using Cache.Async;
using Cache.Shared.Remote;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// Values to payloads and back (<see cref="ValueCodec"/>); an entry that cannot be read is a miss
/// and is deleted, only while it still holds what was read.
/// </summary>
/// <param name="serializer">The serializer.</param>
/// <param name="logger">Where refusals go.</param>
internal sealed class PayloadCodec(ICacheSerializer serializer, ILogger logger)
{
    // Deletes a key only while it still holds the unreadable payload that was read, so a newer
    // write that lands in between is never lost.
    private const string DeleteIfUnchanged = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('UNLINK', KEYS[1]) end return 0";

    private readonly ValueCodec _values = new(serializer, logger);

    /// <inheritdoc cref="ValueCodec.EncodeSet{T}(string, T)"/>
    public byte[]? EncodeSet<T>(string key, T value) => _values.EncodeSet(key, value);

    /// <inheritdoc cref="ValueCodec.EncodeMade{T}(string, T)"/>
    public byte[]? EncodeMade<T>(string key, T value) => _values.EncodeMade(key, value);

    /// <summary>A payload as a <typeparamref name="T"/>; an unreadable one is deleted (only if unchanged) and is a miss.</summary>
    public CacheLookup<T> Decode<T>(IDatabase database, string key, RedisKey redisKey, RedisValue payload)
    {
        if (payload.IsNull)
        {
            return default;
        }

        if (_values.TryDecode(key, ((ReadOnlyMemory<byte>)payload).Span, out CacheLookup<T> lookup))
        {
            return lookup;
        }

        _ = database.ScriptEvaluateAsync(DeleteIfUnchanged, [redisKey], [payload], CommandFlags.FireAndForget);
        return default;
    }
}
