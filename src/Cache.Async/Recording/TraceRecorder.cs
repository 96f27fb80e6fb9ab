using System.Threading.Channels;
using Cache.Core;

namespace Cache.Async;

/// <summary>
/// Writes a cache's accesses to a stream without doing I/O on the caller's thread: recording an
/// access hashes the key and enqueues a 25-byte record (no lock, no allocation once the queue's
/// segments are warm); one background task writes them in order. Dispose writes what is queued
/// and flushes; the stream stays the caller's.
/// </summary>
internal sealed class TraceRecorder : IDisposable
{
    private const int RecordsPerWrite = 4096;
    private readonly Channel<TraceRecord> _records = Channel.CreateUnbounded<TraceRecord>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });

    private readonly Stream _output;
    private readonly Task _writing;

    public TraceRecorder(Stream output, CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The trace stream must be writable.", nameof(output));
        }

        _output = output;
        Span<byte> header = stackalloc byte[TraceFormat.HeaderSize];
        TraceFormat.WriteHeader(header, options);
        _output.Write(header);
        _writing = Task.Run(WriteAsync);
    }

    public void Record(TraceOperation operation, string? key, TimeSpan now, TimeSpan? ttl = null) =>
        _records.Writer.TryWrite(new TraceRecord(operation, key is null ? 0 : TraceFormat.HashOf(key), now, ttl));

    public void Dispose()
    {
        _records.Writer.TryComplete();
        _writing.GetAwaiter().GetResult();
    }

    private async Task WriteAsync()
    {
        var buffer = new byte[RecordsPerWrite * TraceFormat.RecordSize];
        ChannelReader<TraceRecord> reader = _records.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            int filled = 0;
            while (filled < RecordsPerWrite && reader.TryRead(out TraceRecord record))
            {
                TraceFormat.WriteRecord(buffer.AsSpan(filled * TraceFormat.RecordSize), record);
                filled++;
            }

            await _output.WriteAsync(buffer.AsMemory(0, filled * TraceFormat.RecordSize)).ConfigureAwait(false);
        }

        await _output.FlushAsync().ConfigureAwait(false);
    }
}
