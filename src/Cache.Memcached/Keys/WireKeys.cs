using System.Buffers.Binary;
using System.Security.Cryptography;
using Cache.Memcached.Cluster;
using Cache.Shared.Remote;

namespace Cache.Memcached.Keys;

/// <summary>
/// A cache's keys on the servers. Every key is sent base64-encoded (the meta protocol's <c>b</c>
/// flag), so any string is a key: spaces, newlines, control characters, the empty string and lone
/// surrogates (as WTF-8, <see cref="Wtf8"/>) included. Before encoding, a key is
/// <c>[prefix length][prefix][generation, 8 bytes][kind][key]</c>:
/// <list type="bullet">
/// <item>the length byte makes the layout unambiguous, so no two prefixes share a key;</item>
/// <item>the generation is the server's namespace generation of the prefix (Clear moves it on);</item>
/// <item>kind <c>k</c> is followed by the key's bytes, when they fit memcached's 250-character key
/// limit; kind <c>h</c> by their SHA-256, and the entry then carries the key itself, which a read
/// checks (<see cref="EntryPayload"/>), so even a hash collision is a miss, never another key's value.</item>
/// </list>
/// The generation key, <c>[prefix length][prefix]</c>, is shorter than every entry key, so it is none of them.
/// </summary>
internal sealed class WireKeys
{
    /// <summary>The longest prefix, in bytes of UTF-8: with a hashed key's 42 bytes it leaves the 186 that base64 fits in 250 characters.</summary>
    public const int MaxPrefixBytes = 128;

    // memcached refuses a key token longer than 250 characters; 186 bytes are 248 in base64.
    private const int MaxRawKeyBytes = 186;
    private const int GenerationBytes = 8;

    private readonly byte[] _head; // [prefix length][prefix]

    public WireKeys(string prefix)
    {
        ThrowIfInvalidPrefix(prefix, nameof(MemcachedCacheOptions.KeyPrefix));
        byte[] prefixBytes = Wtf8.GetBytes(prefix);
        _head = [(byte)prefixBytes.Length, .. prefixBytes];
        GenerationKey = Base64(_head);
    }

    /// <summary>The key of the prefix's namespace generation, base64.</summary>
    public byte[] GenerationKey { get; }

    /// <summary>Checks a prefix: not empty, at most <see cref="MaxPrefixBytes"/> bytes.</summary>
    public static void ThrowIfInvalidPrefix(string prefix, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix, paramName);
        if (Wtf8.GetBytes(prefix).Length > MaxPrefixBytes)
        {
            throw new ArgumentException($"The key prefix may be at most {MaxPrefixBytes} bytes of UTF-8.", paramName);
        }
    }

    /// <summary>A caller's key, encoded once for an operation: its bytes and its place on the ring.</summary>
    public static CacheKey Of(string key)
    {
        byte[] bytes = Wtf8.GetBytes(key);
        return new CacheKey(key, bytes, HashRing<object>.HashOf(bytes));
    }

    /// <summary>Whether the key is sent as its hash (too long to be sent as itself).</summary>
    public bool IsHashed(CacheKey key) => _head.Length + GenerationBytes + 1 + key.Bytes.Length > MaxRawKeyBytes;

    /// <summary>The key on the wire under <paramref name="generation"/>, base64.</summary>
    public byte[] Of(CacheKey key, ulong generation)
    {
        bool hashed = IsHashed(key);
        int length = _head.Length + GenerationBytes + 1 + (hashed ? SHA256.HashSizeInBytes : key.Bytes.Length);
        Span<byte> raw = stackalloc byte[MaxRawKeyBytes];
        _head.CopyTo(raw);
        BinaryPrimitives.WriteUInt64BigEndian(raw[_head.Length..], generation);
        int at = _head.Length + GenerationBytes;
        raw[at++] = hashed ? (byte)'h' : (byte)'k';
        if (hashed)
        {
            SHA256.HashData(key.Bytes, raw[at..]);
        }
        else
        {
            key.Bytes.CopyTo(raw[at..]);
        }

        return Base64(raw[..length]);
    }

    private static byte[] Base64(ReadOnlySpan<byte> raw)
    {
        byte[] encoded = new byte[System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(raw.Length)];
        _ = System.Buffers.Text.Base64.EncodeToUtf8(raw, encoded, out _, out int written);
        return encoded[..written];
    }
}

/// <summary>A caller's key as the cache works with it: the string, its WTF-8 bytes, its hash on the ring.</summary>
internal readonly record struct CacheKey(string Key, byte[] Bytes, uint RingHash);
