using Cache.Core;
using Microsoft.Extensions.Logging;

namespace Cache.Async;

/// <summary>
/// Writes a cache's accesses to a stream without doing I/O, taking a lock or allocating on the
/// caller's thread: recording hashes the key and adds a record to a bounded ring; one background
/// task writes the ring out in order. If the stream falls so far behind that the ring is full, the
/// record is lost rather than the caller kept waiting: the trace then carries a
/// <see cref="TraceOperation.Lost"/> record and a warning is logged. A stream that fails stops the
/// recording (logged), never the cache. Dispose writes what is queued and flushes; the stream stays
/// the caller's.
/// </summary>
internal sealed class TraceRecorder : IDisposable
{
    private const int RingCapacity = 1 << 15; // ~1.3 MB of records may wait for the stream
    private const int WakeEvery = 1 << 11; // the writer is woken every 2,048 records...
    private static readonly TimeSpan LookInterval = TimeSpan.FromMilliseconds(100); // ...and looks this often anyway

    private readonly OrderedRing<TraceRecord> _ring = new(RingCapacity);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Stream _output;
    private readonly ILogger _logger;
    private readonly Task _writing;
    private long _lost;
    private int _wakeRequested;
    private volatile bool _stopping;

    public TraceRecorder(Stream output, CacheOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The trace stream must be writable.", nameof(output));
        }

        _output = output;
        _logger = logger;
        Span<byte> header = stackalloc byte[TraceFormat.HeaderSize];
        TraceFormat.WriteHeader(header, options);
        _output.Write(header);
        _writing = Task.Run(WriteAsync);
    }

    /// <summary>How many records were lost because the ring was full.</summary>
    public long Lost => Volatile.Read(ref _lost);

    public void Record(TraceOperation operation, string? key, TimeSpan now, TimeSpan? ttl = null)
    {
        var record = new TraceRecord(operation, key is null ? 0 : TraceFormat.HashOf(key), now, ttl);
        if (!_ring.TryAdd(record, out long position))
        {
            Interlocked.Increment(ref _lost);
            Wake();
        }
        else if ((position & (WakeEvery - 1)) == WakeEvery - 1)
        {
            Wake();
        }
    }

    /// <summary>Writes every record added before the call, flushes, and stops.</summary>
    public void Dispose()
    {
        _stopping = true;
        Wake();
        _writing.GetAwaiter().GetResult();

        // The semaphore is not disposed: a hit racing with the cache's Dispose may still wake it.
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            _wake.Release();
        }
    }

    private async Task WriteAsync()
    {
        var records = new TraceRecord[WakeEvery];
        var bytes = new byte[WakeEvery * TraceFormat.RecordSize];
        long lostWritten = 0;
        TimeSpan lastTime = TimeSpan.Zero;
        bool failed = false;
        while (true)
        {
            bool stopping = _stopping; // read before draining, so everything added before Dispose is written
            int taken;
            while ((taken = _ring.Take(records)) > 0)
            {
                int length = 0;
                foreach (TraceRecord record in records.AsSpan(0, taken))
                {
                    TraceFormat.WriteRecord(bytes.AsSpan(length), record);
                    length += TraceFormat.RecordSize;
                }

                lastTime = records[taken - 1].Time;
                failed = failed || !await TryWriteAsync(bytes.AsMemory(0, length)).ConfigureAwait(false);
            }

            long lost = Volatile.Read(ref _lost);
            if (lost > lostWritten)
            {
                CacheLog.TraceRecordsLost(_logger, lost - lostWritten);
                TraceFormat.WriteRecord(bytes, new TraceRecord(TraceOperation.Lost, (ulong)(lost - lostWritten), lastTime, null));
                failed = failed || !await TryWriteAsync(bytes.AsMemory(0, TraceFormat.RecordSize)).ConfigureAwait(false);
                lostWritten = lost;
            }

            if (stopping)
            {
                break;
            }

            await _wake.WaitAsync(LookInterval).ConfigureAwait(false);
            Interlocked.Exchange(ref _wakeRequested, 0); // a full fence: a Wake after this is not missed
        }

        if (!failed)
        {
            await TryWriteAsync(ReadOnlyMemory<byte>.Empty, flush: true).ConfigureAwait(false);
        }
    }

    /// <summary>Writes (and flushes) the caller's stream; false, logged, when it throws.</summary>
    private async ValueTask<bool> TryWriteAsync(ReadOnlyMemory<byte> data, bool flush = false)
    {
        try
        {
            await _output.WriteAsync(data).ConfigureAwait(false);
            if (flush)
            {
                await _output.FlushAsync().ConfigureAwait(false);
            }

            return true;
        }
#pragma warning disable CA1031 // Whatever the caller's stream throws stops the recording, never the cache.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            CacheLog.TraceWriteFailed(_logger, exception);
            return false;
        }
    }
}
