using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.Logging.Testing;
using Cache.Async.Recording;

namespace Cache.Unit.Recording;

/// <summary>
/// The recorder's stop when the stream stalls. These tests give <see cref="TraceRecorder.Stop"/> the
/// moment to give up as a signal of their own, so no test waits for the real 2 s bound (one test in
/// RecordReplayTests does, through InMemoryCache.Dispose).
/// </summary>
public sealed class TraceRecorderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30); // a bound on a hang, not a timing

    [Fact]
    public void A_stream_whose_flush_stalls_has_everything_written_and_nothing_abandoned_when_the_stop_gives_up()
    {
        var logger = new FakeLogger();
        using var stream = new FlushStallingStream();
        var recorder = new TraceRecorder(stream, CacheOptions.Default, logger);
        for (int i = 0; i < 5; i++)
        {
            recorder.Record(TraceOperation.Lookup, $"k{i}", TimeSpan.FromSeconds(i));
        }

        recorder.Stop(giveUp: stream.FlushEntered); // returns once the writer is stuck in the flush, not before

        Assert.Equal(TraceFormat.HeaderSize + (5 * TraceFormat.RecordSize), stream.Length); // every record reached the stream
        Assert.Equal(0, recorder.Abandoned);
        var abandoned = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 12);
        Assert.Equal("0", abandoned.GetStructuredStateValue("Count"));
        Assert.True(stream.FlushToken.IsCancellationRequested); // a stream that honours cancellation is told to give up
    }

    [Fact]
    public async Task After_the_stop_gave_up_a_stalled_write_that_completes_writes_nothing_more()
    {
        var logger = new FakeLogger();
        using var stream = new GatedStream();
        var recorder = new TraceRecorder(stream, CacheOptions.Default, logger);
        await stream.FirstWriteEntered; // the header's write, held at the gate
        for (int i = 0; i < 3; i++)
        {
            recorder.Record(TraceOperation.Set, $"k{i}", TimeSpan.Zero);
        }

        recorder.Stop(giveUp: Task.CompletedTask);
        Assert.Equal(3, recorder.Abandoned);
        Assert.Equal("3", Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 12).GetStructuredStateValue("Count"));

        stream.Open(); // the stalled write goes through late: the stream may be the caller's to close by now
        await recorder.Writing.WaitAsync(TimeSpan.FromSeconds(30)); // a bound on a hang, not a timing: it ends at once

        Assert.Equal(TraceFormat.HeaderSize, stream.Length); // the write in flight landed; nothing after it did
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 9); // giving up is not a stream failure
    }

    [Fact]
    public void A_stream_that_keeps_up_is_written_whole_and_nothing_is_abandoned()
    {
        var logger = new FakeLogger();
        using var stream = new MemoryStream();
        var recorder = new TraceRecorder(stream, CacheOptions.Default, logger);
        recorder.Record(TraceOperation.Clear, null, TimeSpan.Zero);

        recorder.Stop(giveUp: new TaskCompletionSource().Task); // never gives up: only the writer's end returns

        Assert.Equal(TraceFormat.HeaderSize + TraceFormat.RecordSize, stream.Length);
        Assert.Equal(0, recorder.Abandoned);
        Assert.Empty(logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task Records_a_stalled_stream_cannot_take_are_lost_counted_and_written_as_one_lost_record()
    {
        var logger = new FakeLogger();
        using var stream = new GatedStream();
        var recorder = new TraceRecorder(stream, CacheOptions.Default, logger);
        await stream.FirstWriteEntered; // the writer is stuck on the header: it takes nothing from the ring
        int records = TraceRecorder.RingCapacity + 1_000;
        for (int i = 0; i < records; i++)
        {
            recorder.Record(TraceOperation.Lookup, $"k{i}", TimeSpan.FromTicks(i));
        }

        Assert.Equal(1_000, recorder.Lost); // exactly what did not fit: the caller never waited

        stream.Open();
        recorder.Stop(giveUp: new TaskCompletionSource().Task); // returns when the writer has written everything

        stream.Position = 0;
        Assert.True(TraceFormat.TryReadHeader(stream, out _));
        TraceRecord[] written = [.. TraceFormat.ReadRecords(stream)];
        Assert.Equal(TraceRecorder.RingCapacity, written.Count(r => r.Operation == TraceOperation.Lookup));
        TraceRecord lost = Assert.Single(written, r => r.Operation == TraceOperation.Lost);
        Assert.Equal(1_000UL, lost.KeyHash);
        Assert.Equal(TimeSpan.FromTicks(TraceRecorder.RingCapacity - 1), lost.Time); // stamped with the last record written before it
        Assert.Equal(lost, written[^1]);
        Assert.Equal("1000", Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 8).GetStructuredStateValue("Count"));
    }

    [Fact]
    public async Task After_the_stop_gave_up_mid_drain_the_writer_writes_no_further_batch()
    {
        using var stream = new StagedStream(stagedWrites: 2);
        var recorder = new TraceRecorder(stream, CacheOptions.Default, new FakeLogger(), lookInterval: Timeout.InfiniteTimeSpan);
        await stream.Entered(0); // the header's write is held: the ring fills while the writer waits
        for (int i = 0; i < 2 * TraceRecorder.WakeEvery; i++)
        {
            recorder.Record(TraceOperation.Lookup, $"k{i}", TimeSpan.Zero);
        }

        stream.Open(0);
        await stream.Entered(1); // the first batch's write is held
        recorder.Stop(giveUp: Task.CompletedTask);
        stream.Open(1);
        await recorder.Writing.WaitAsync(Bound);

        Assert.Equal(2 * TraceRecorder.WakeEvery, recorder.Abandoned);
        Assert.Equal(TraceFormat.HeaderSize + (TraceRecorder.WakeEvery * TraceFormat.RecordSize), stream.Length); // the batch in flight landed, the next was not written
    }

    [Fact]
    public void A_null_stream_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new TraceRecorder(null!, CacheOptions.Default, new FakeLogger()));
        Assert.Equal("output", error.ParamName);
    }

    [Fact]
    public async Task A_writer_that_never_looks_on_its_own_is_woken_by_every_full_batch()
    {
        // With no periodic look, only the wakes can move records to the stream: each batch of
        // WakeEvery records must wake the writer, the second as surely as the first.
        using var stream = new CountingStream();
        var recorder = new TraceRecorder(stream, CacheOptions.Default, new FakeLogger(), lookInterval: Timeout.InfiniteTimeSpan);
        await stream.Reached(TraceFormat.HeaderSize).WaitAsync(Bound);
        for (int batch = 1; batch <= 2; batch++)
        {
            for (int i = 0; i < TraceRecorder.WakeEvery; i++)
            {
                recorder.Record(TraceOperation.Lookup, "k", TimeSpan.FromTicks(i));
            }

            await stream.Reached(TraceFormat.HeaderSize + (batch * TraceRecorder.WakeEvery * TraceFormat.RecordSize)).WaitAsync(Bound);
        }

        recorder.Dispose();
        Assert.Equal(0, recorder.Abandoned);
    }

    [Fact]
    public async Task Dispose_wakes_a_writer_that_never_looks_on_its_own_and_writes_a_part_batch()
    {
        var logger = new FakeLogger();
        using var stream = new CountingStream();
        var recorder = new TraceRecorder(stream, CacheOptions.Default, logger, lookInterval: Timeout.InfiniteTimeSpan);
        await stream.Reached(TraceFormat.HeaderSize).WaitAsync(Bound);
        recorder.Record(TraceOperation.Set, "k", TimeSpan.Zero);

        recorder.Dispose(); // without its wake, the writer would sleep through Dispose's bound and the record be abandoned

        Assert.Equal(TraceFormat.HeaderSize + TraceFormat.RecordSize, stream.Written);
        Assert.Equal(0, recorder.Abandoned);
        Assert.Empty(logger.Collector.GetSnapshot());
    }

    /// <summary>A memory stream whose flush never completes and says when it was entered.</summary>
    private sealed class FlushStallingStream : MemoryStream
    {
        private readonly TaskCompletionSource _flushEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FlushEntered => _flushEntered.Task;

        public CancellationToken FlushToken { get; private set; }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            FlushToken = cancellationToken;
            _flushEntered.SetResult();
            return new TaskCompletionSource().Task; // ignores the token: a hung mount
        }
    }

    /// <summary>A memory stream whose writes wait at a gate (ignoring cancellation) until it is opened.</summary>
    private sealed class GatedStream : MemoryStream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstWriteEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstWriteEntered => _firstWriteEntered.Task;

        public void Open() => _open.SetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _firstWriteEntered.TrySetResult();
            await _open.Task;
            await base.WriteAsync(buffer, CancellationToken.None);
        }
    }

    /// <summary>A memory stream that counts what was written and says when a count is reached.</summary>
    private sealed class CountingStream : MemoryStream
    {
        private readonly List<(long Bytes, TaskCompletionSource Reached)> _waiting = [];
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public Task Reached(long bytes)
        {
            lock (_waiting)
            {
                if (_written >= bytes)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((bytes, reached));
                return reached.Task;
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await base.WriteAsync(buffer, cancellationToken);
            lock (_waiting)
            {
                _written += buffer.Length;
                foreach (var (bytes, reached) in _waiting.Where(w => w.Bytes <= _written))
                {
                    reached.TrySetResult();
                }

                _waiting.RemoveAll(w => w.Bytes <= _written);
            }
        }
    }

    /// <summary>A memory stream whose first writes each wait at a gate of their own (ignoring cancellation) until it is opened.</summary>
    private sealed class StagedStream(int stagedWrites) : MemoryStream
    {
        private readonly TaskCompletionSource[] _entered = [.. Enumerable.Range(0, stagedWrites).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly TaskCompletionSource[] _open = [.. Enumerable.Range(0, stagedWrites).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private int _writes;

        public Task Entered(int write) => _entered[write].Task;

        public void Open(int write) => _open[write].SetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int write = Interlocked.Increment(ref _writes) - 1;
            if (write < _open.Length)
            {
                _entered[write].SetResult();
                await _open[write].Task;
            }

            await base.WriteAsync(buffer, CancellationToken.None);
        }
    }
}
