using Cache.Core;
using Microsoft.Extensions.Logging;
using Cache.Async.Concurrency;
using Cache.Async.InMemory;

namespace Cache.Async.Recording;

/// <summary>
/// Writes a cache's accesses to a stream without doing I/O, taking a lock or allocating on the
/// caller's thread: recording hashes the key and adds a record to a bounded ring; one background
/// task writes the header and then the ring out, in order. If the stream falls so far behind that
/// the ring is full, the record is lost rather than the caller kept waiting: the trace then carries
/// a <see cref="TraceOperation.Lost"/> record and a warning is logged. A stream that fails (from
/// its first byte on) stops the recording (logged), never the cache. Dispose writes what is queued
/// and flushes, but waits at most <see cref="DisposeTimeout"/> for a stream that stalls; what is
/// still unwritten then is abandoned, counted and logged. The stream stays the caller's.
/// </summary>
internal sealed class TraceRecorder : IDisposable
{
    /// <summary>
    /// How long Dispose waits for the stream to take what is queued and flush. Wall time, on purpose
    /// not the cache's TimeProvider: a fake clock that nobody advances would never let Dispose return.
    /// </summary>
    public static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(2);

    internal const int RingCapacity = 1 << 15; // ~1.3 MB of records may wait for the stream
    internal const int WakeEvery = 1 << 11; // the writer is woken every 2,048 records...
    private static readonly TimeSpan DefaultLookInterval = TimeSpan.FromMilliseconds(100); // ...and looks this often anyway

    private readonly OrderedRing<TraceRecord> _ring = new(RingCapacity);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _abandon = new();
    private readonly byte[] _header = new byte[TraceFormat.HeaderSize];
    private readonly Stream _output;
    private readonly ILogger _logger;
    private readonly Task _writing;
    private readonly TimeSpan _lookInterval;
    private long _lost;
    private long _written;
    private long _abandoned;
    private int _wakeRequested;
    private volatile bool _stopping;
    private volatile bool _gaveUp;

    /// <exception cref="ArgumentException">The stream cannot be written.</exception>
    public TraceRecorder(Stream output, CacheOptions options, ILogger logger)
        : this(output, options, logger, DefaultLookInterval)
    {
    }

    /// <summary>A recorder whose writer, between wakes, looks at the ring every <paramref name="lookInterval"/> (infinite: only when woken).</summary>
    internal TraceRecorder(Stream output, CacheOptions options, ILogger logger, TimeSpan lookInterval)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The trace stream must be writable.", nameof(output));
        }

        _output = output;
        _logger = logger;
        _lookInterval = lookInterval;
        TraceFormat.WriteHeader(_header, options); // written by the writer: a stalled stream must not hold up the cache's constructor
        _writing = Task.Run(WriteAsync);
    }

    /// <summary>How many records were lost because the ring was full.</summary>
    public long Lost => Volatile.Read(ref _lost);

    /// <summary>How many records Dispose abandoned unwritten because the stream did not take them in time.</summary>
    public long Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>The background writer; it ends once stopped, or once a write in flight when Dispose gave up returns.</summary>
    internal Task Writing => _writing;

    public void Record(TraceOperation operation, string? key, TimeSpan now, TimeSpan? ttl = null)
    {
        var record = new TraceRecord(operation, key is null ? 0 : TraceFormat.HashOf(key), now, ttl);
        if (!_ring.TryAdd(record, out long position))
        {
            Interlocked.Increment(ref _lost);
            // Stryker disable once Statement : a full ring means a multiple of WakeEvery records came since the writer's last drain, so one of them woke it.
            Wake();
        }
        else if ((position & (WakeEvery - 1)) == WakeEvery - 1)
        {
            Wake();
        }
    }

    /// <summary>
    /// Writes every record added before the call and flushes, waiting at most
    /// <see cref="DisposeTimeout"/> of wall time; then abandons what is unwritten (logged, counted).
    /// </summary>
    public void Dispose()
    {
        using var deadline = new CancellationTokenSource();
        Stop(Task.Delay(DisposeTimeout, deadline.Token));
        // Stryker disable once Statement : releases the timer early; the writer has already finished either way.
        deadline.Cancel(); // the writer finished first: release the timer now
    }

    /// <summary>
    /// Dispose's work, with the moment to give up as a task: <see cref="Dispose"/> passes
    /// <see cref="DisposeTimeout"/> of wall time, a test a signal of its own.
    /// </summary>
    internal void Stop(Task giveUp)
    {
        _stopping = true;
        Wake();
        if (Task.WaitAny(_writing, giveUp) == 0)
        {
            return; // the writer catches what the stream throws: it ends without a fault
        }

        // The stream did not take what was queued in time. The write in flight cannot be taken
        // back, but nothing more is written (the stream may be closed as soon as Dispose returns),
        // and a stream that honours cancellation gives the write up too.
        _gaveUp = true;
        long abandoned = _ring.Added - Volatile.Read(ref _written);
        Volatile.Write(ref _abandoned, abandoned);
        CacheLog.TraceAbandoned(_logger, abandoned);
        _abandon.Cancel();

        // The semaphore and the token source are not disposed: a hit racing with the cache's
        // Dispose may still wake the writer, and a write in flight may still hold the token.
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
        // Stryker disable once Boolean : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on.
        bool failed = !await TryWriteAsync(_header).ConfigureAwait(false);
        while (!_gaveUp)
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
                // Stryker disable once Boolean : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on.
                failed = failed || !await TryWriteAsync(bytes.AsMemory(0, length)).ConfigureAwait(false);
                if (!failed)
                {
                    Volatile.Write(ref _written, _written + taken); // this task is the only writer
                }
            }

            long lost = Volatile.Read(ref _lost);
            if (lost > lostWritten)
            {
                CacheLog.TraceRecordsLost(_logger, lost - lostWritten);
                TraceFormat.WriteRecord(bytes, new TraceRecord(TraceOperation.Lost, (ulong)(lost - lostWritten), lastTime, null));
                // Stryker disable once Boolean : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on.
                failed = failed || !await TryWriteAsync(bytes.AsMemory(0, TraceFormat.RecordSize)).ConfigureAwait(false);
                lostWritten = lost;
            }

            if (stopping)
            {
                break;
            }

            // Stryker disable once Boolean,Statement : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on; and a writer that never waits spins a core but writes the same bytes.
            await _wake.WaitAsync(_lookInterval).ConfigureAwait(false);
            Interlocked.Exchange(ref _wakeRequested, 0); // a full fence: a Wake after this is not missed
        }

        if (!failed)
        {
            // Stryker disable once Boolean : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on.
            await TryWriteAsync(ReadOnlyMemory<byte>.Empty, flush: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes (and flushes) the caller's stream; false when it throws (logged) or when Dispose has
    /// given up on it (then nothing is written).
    /// </summary>
    private async ValueTask<bool> TryWriteAsync(ReadOnlyMemory<byte> data, bool flush = false)
    {
        if (_gaveUp)
        {
            // Stryker disable once Boolean : after Dispose gave up the loop ends and nothing reads the answer but the count of written records, which is no longer read.
            return false;
        }

        try
        {
            // Stryker disable once Boolean : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on.
            await _output.WriteAsync(data, _abandon.Token).ConfigureAwait(false);
            if (flush)
            {
                // Stryker disable once Boolean : the writer runs on the thread pool (Task.Run), where there is no SynchronizationContext to resume on.
                await _output.FlushAsync(_abandon.Token).ConfigureAwait(false);
            }

            return true;
        }
#pragma warning disable CA1031 // Whatever the caller's stream throws stops the recording, never the cache.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            if (!_gaveUp) // once Dispose gave up, the write's fate was logged already
            {
                CacheLog.TraceWriteFailed(_logger, exception);
            }

            return false;
        }
    }
}
