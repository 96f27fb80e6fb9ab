using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Cache.Core;

namespace Cache.Async;

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
    public static bool TryReadHeader(Stream input, out CacheOptions options)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        options = CacheOptions.Default;
        if (input.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !header[..8].SequenceEqual(Magic))
        {
            return false;
        }

        options = new CacheOptions
        {
            MaxSize = BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
            DefaultTtl = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(header[12..])),
        };
        return true;
    }

    /// <summary>The records after the header, to the end of the stream.</summary>
    /// <exception cref="InvalidDataException">The stream ends inside a record or holds an unknown operation.</exception>
    public static IEnumerable<TraceRecord> ReadRecords(Stream input)
    {
        var buffer = new byte[RecordSize];
        while (true)
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
            yield return new TraceRecord(
                operation,
                BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(1)),
                TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(9))),
                ttl == DefaultTtlMarker ? null : TimeSpan.FromTicks(ttl));
        }
    }
}
