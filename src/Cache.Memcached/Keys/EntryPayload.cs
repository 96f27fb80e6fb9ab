using System.Buffers.Binary;

namespace Cache.Memcached.Keys;

/// <summary>
/// What an entry holds on the server: the serialized value, and for a key sent as its hash (client
/// flags <see cref="HashedKey"/>) the key itself before it, <c>[key length, 4 bytes][key][value]</c>,
/// so a read can tell its own key from another with the same hash.
/// </summary>
internal static class EntryPayload
{
    /// <summary>Client flags of an entry whose key is sent as itself: the payload is the value.</summary>
    public const uint PlainKey = 0;

    /// <summary>Client flags of an entry whose key is sent as its hash: the payload starts with the key.</summary>
    public const uint HashedKey = 1;

    /// <summary>The payload and client flags of a value under <paramref name="key"/>.</summary>
    public static (byte[] Payload, uint Flags) Of(CacheKey key, bool hashed, byte[] value)
    {
        if (!hashed)
        {
            return (value, PlainKey);
        }

        byte[] payload = new byte[4 + key.Bytes.Length + value.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, key.Bytes.Length);
        key.Bytes.CopyTo(payload, 4);
        value.CopyTo(payload, 4 + key.Bytes.Length);
        return (payload, HashedKey);
    }

    /// <summary>
    /// The value's bytes in an entry read under <paramref name="key"/>; false when the entry is another
    /// key's (a hash collision) or is not in this layout (flags this library never writes).
    /// </summary>
    public static bool TryRead(CacheKey key, uint flags, ReadOnlyMemory<byte> payload, out ReadOnlyMemory<byte> value)
    {
        value = default;
        if (flags == PlainKey)
        {
            value = payload;
            return true;
        }

        ReadOnlySpan<byte> span = payload.Span;
        if (flags != HashedKey || span.Length < 4)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (length < 0 || length > span.Length - 4 || !span.Slice(4, length).SequenceEqual(key.Bytes))
        {
            return false;
        }

        value = payload[(4 + length)..];
        return true;
    }
}
