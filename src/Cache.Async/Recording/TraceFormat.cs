using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Cache.Core;

namespace Cache.Async.Recording;

/// <summary>
/// The binary trace: a 20-byte header (the magic <c>CACHETR1</c>, MaxSize as int32, DefaultTtl in
/// ticks as int64), then 25-byte records (operation byte, key hash uint64, time ticks int64, TTL
/// ticks int64 or <see cref="long.MinValue"/> for the default), all little-endian.
/// </summary>
internal static class TraceFormat
{
    public const int HeaderSize = 20;
    public const int RecordSize = 25;
    private const long DefaultTtlMarker = long.MinValue;
    private static readonly long InfiniteTicks = Timeout.InfiniteTimeSpan.Ticks;
    private static readonly byte[] Magic = "CACHETR1"u8.ToArray();

    public static ulong HashOf(string key) => XxHash64.HashToUInt64(MemoryMarshal.AsBytes(key.AsSpan()));

    public static void WriteHeader(Span<byte> header, CacheOptions options)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], options.MaxSize);
        BinaryPrimitives.WriteInt64LittleEndian(header[12..], options.DefaultTtl.Ticks);
    }

    public static void WriteRecord(Span<byte> destination, TraceRecord record)
    {
        destination[0] = (byte)record.Operation;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], record.KeyHash);
        BinaryPrimitives.WriteInt64LittleEndian(destination[9..], record.Time.Ticks);
        BinaryPrimitives.WriteInt64LittleEndian(destination[17..], record.Ttl?.Ticks ?? DefaultTtlMarker);
    }

    /// <summary>Whether a stream starts with a trace header (it reads the header either way).</summary>
    /// <exception cref="InvalidDataException">The header holds options no cache could have had (MaxSize below 1, a bad DefaultTtl).</exception>
    public static bool TryReadHeader(Stream input, out CacheOptions options)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        options = CacheOptions.Default;
        if (input.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            return false;
        }

        int maxSize = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        long defaultTtl = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        if (maxSize < 1)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The trace header's MaxSize is {maxSize}: it must be at least 1."));
        }

        if (!IsValidTtl(defaultTtl))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The trace header's DefaultTtl is {defaultTtl} ticks: it must be positive, or {InfiniteTicks} (infinite)."));
        }

        options = new CacheOptions { MaxSize = maxSize, DefaultTtl = TimeSpan.FromTicks(defaultTtl) };
        return true;
    }

    /// <summary>The records after the header, to the end of the stream.</summary>
    /// <exception cref="InvalidDataException">
    /// The stream ends inside a record, or holds an unknown operation or a Set whose TTL is zero or
    /// negative and not infinite.
    /// </exception>
    public static IEnumerable<TraceRecord> ReadRecords(Stream input)
    {
        var buffer = new byte[RecordSize];
        for (long number = 1; ; number++)
        {
            int read = input.ReadAtLeast(buffer, RecordSize, throwOnEndOfStream: false);
            if (read == 0)
            {
                yield break;
            }

            if (read < RecordSize)
            {
                throw new InvalidDataException($"The trace ends inside a record ({read} of {RecordSize} bytes).");
            }

            var operation = (TraceOperation)buffer[0];
            if (!Enum.IsDefined(operation))
            {
                throw new InvalidDataException($"Unknown trace operation {buffer[0]}.");
            }

            long ttl = BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(17));
            if (operation == TraceOperation.Set && ttl != DefaultTtlMarker && !IsValidTtl(ttl))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Record {number} is a Set with a TTL of {ttl} ticks: a TTL must be positive, or {InfiniteTicks} (infinite)."));
            }

            yield return new TraceRecord(
                operation,
                BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(1)),
                TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(9))),
                ttl == DefaultTtlMarker ? null : TimeSpan.FromTicks(ttl));
        }
    }

    /// <summary>What the core accepts as a TTL (see Expiry): positive, or infinite.</summary>
    private static bool IsValidTtl(long ticks) => ticks > 0 || ticks == InfiniteTicks;
}
