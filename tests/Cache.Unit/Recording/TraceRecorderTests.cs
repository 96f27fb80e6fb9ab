using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.Logging.Testing;

namespace Cache.Unit.Recording;

/// <summary>
/// The recorder's stop when the stream stalls. These tests give <see cref="TraceRecorder.Stop"/> the
/// moment to give up as a signal of their own, so no test waits for the real 2 s bound (one test in
/// RecordReplayTests does, through InMemoryCache.Dispose).
/// </summary>
public sealed class TraceRecorderTests
{
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
}
