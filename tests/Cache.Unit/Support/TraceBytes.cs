using Cache.Async;
using Cache.Core;
using Cache.Async.Recording;

namespace Cache.Unit.Support;

/// <summary>Binary traces written by hand, for tests that read traces the recorder would not write.</summary>
internal static class TraceBytes
{
    /// <summary>A header with <paramref name="options"/>, then <paramref name="records"/>.</summary>
    public static byte[] Of(CacheOptions options, params TraceRecord[] records)
    {
        var bytes = new byte[TraceFormat.HeaderSize + (records.Length * TraceFormat.RecordSize)];
        TraceFormat.WriteHeader(bytes, options);
        for (int i = 0; i < records.Length; i++)
        {
            TraceFormat.WriteRecord(bytes.AsSpan(TraceFormat.HeaderSize + (i * TraceFormat.RecordSize)), records[i]);
        }

        return bytes;
    }
}
