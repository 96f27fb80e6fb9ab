using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Cache.Memcached.Protocol;

namespace Cache.Memcached.Cluster;

/// <summary>
/// One pipelined connection to a server. Callers never hold it: each request is queued, one writer
/// sends the queue in order (coalescing what is waiting into one write), and one reader matches the
/// replies to the requests in the same order. At most <c>maxInFlight</c> requests are queued or
/// unanswered at once; more wait, within their caller's deadline. A connection that fails (the
/// server went away, a reply that is not the protocol, a caller's deadline passed while it was
/// waiting) fails everything on it at once, and is replaced by its server's next request.
/// </summary>
internal sealed class ServerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<PendingRequest> _outgoing = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<PendingRequest> _sent = new();
    private readonly SemaphoreSlim _inFlight;
    private readonly Task _writing;
    private readonly Task _reading;
    private readonly TimeProvider _time;
    private long _lastReply;
    private Exception? _failure;

    private ServerConnection(Socket socket, int maxInFlight, TimeProvider time)
    {
        _socket = socket;
        _time = time;
        _lastReply = time.GetTimestamp();
        var stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        _writing = Task.Run(WriteLoopAsync);
        _reading = Task.Run(ReadLoopAsync);
    }

    /// <summary>Whether the connection has failed: requests on it fail, and its server opens another.</summary>
    public bool IsBroken => Volatile.Read(ref _failure) is not null;

    /// <summary>
    /// Whether a reply has arrived since <paramref name="timestamp"/> (of the time provider): a
    /// connection that answers is busy, not stalled, and a late request on it is only late.
    /// </summary>
    public bool AnsweredSince(long timestamp) => Volatile.Read(ref _lastReply) >= timestamp;

    /// <summary>Connects to <paramref name="endPoint"/>.</summary>
    public static async Task<ServerConnection> OpenAsync(EndPoint endPoint, int maxInFlight, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new ServerConnection(socket, maxInFlight, time);
    }

    /// <summary>
    /// Queues a request once one of the in-flight places is free (waiting as long as
    /// <paramref name="cancellationToken"/> allows) and returns the task of its replies; null when
    /// <paramref name="admission"/> turned it away. The queue's order is the order on the wire, so a
    /// request queued under the admission's lock goes after every request queued before it there.
    /// </summary>
    public async Task<Task<MetaReply[]>?> SendAsync(MetaRequest request, Admission? admission, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingRequest(request, _inFlight);
        bool queued;
        if (admission is { } admit)
        {
            lock (admit.Gate)
            {
                if (!admit.Admit())
                {
                    _inFlight.Release();
                    return null;
                }

                queued = _outgoing.Writer.TryWrite(pending);
            }
        }
        else
        {
            queued = _outgoing.Writer.TryWrite(pending);
        }

        if (!queued)
        {
            pending.Fail(Volatile.Read(ref _failure) ?? new ObjectDisposedException(nameof(ServerConnection)));
        }

        return pending.Replies;
    }

    /// <summary>Closes the connection and fails every request on it with <paramref name="reason"/>. Only the first reason counts.</summary>
    public void Fail(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _failure, reason, null) is not null)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone: closing is all that is left.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        FailAll(reason);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Fail(new ObjectDisposedException(nameof(ServerConnection)));
        await Task.WhenAll(_writing, _reading).ConfigureAwait(false);
        _inFlight.Dispose();
    }

    private void FailAll(Exception reason)
    {
        while (_sent.TryDequeue(out PendingRequest? sent))
        {
            sent.Fail(reason);
        }

        while (_outgoing.Reader.TryRead(out PendingRequest? queued))
        {
            queued.Fail(reason);
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_outgoing.Reader.TryRead(out PendingRequest? pending))
                {
                    // Queued as sent before its bytes go: the reader may see the reply at once.
                    _sent.Enqueue(pending);
                    _writer.Write(pending.Request.Bytes.Span);
                }

                FlushResult flushed = await _writer.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    Fail(new IOException("The connection closed."));
                    break;
                }
            }
        }
#pragma warning disable CA1031 // Whatever ends the writer ends the connection; the callers see the reason.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Fail(new IOException("Sending to the server failed.", exception));
        }
        finally
        {
            // A request queued as sent after Fail emptied the queues is failed here, never left waiting.
            FailAll(Volatile.Read(ref _failure) ?? new ObjectDisposedException(nameof(ServerConnection)));
            await _writer.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync().ConfigureAwait(false);
                System.Buffers.ReadOnlySequence<byte> buffer = result.Buffer;
                Exception? broken = null;
                while (broken is null && MetaReplyParser.TryRead(ref buffer, out MetaReply reply))
                {
                    Volatile.Write(ref _lastReply, _time.GetTimestamp());
                    if (!_sent.TryPeek(out PendingRequest? pending))
                    {
                        throw new InvalidDataException("The server sent a reply to no request.");
                    }

                    if (pending.Add(reply))
                    {
                        // A failure that emptied the queue meanwhile failed this request; what else was taken is failed too.
                        if (_sent.TryDequeue(out PendingRequest? taken) && !ReferenceEquals(taken, pending))
                        {
                            taken.Fail(Volatile.Read(ref _failure) ?? new IOException("The connection failed."));
                        }

                        pending.Complete();
                    }

                    if (reply.Status == MetaStatus.ClientError)
                    {
                        // The server misread something it was sent: what follows may be out of step.
                        broken = new InvalidDataException($"The server answered {reply.Message}.");
                    }
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (broken is not null)
                {
                    throw broken;
                }

                if (result.IsCompleted)
                {
                    throw new IOException("The server closed the connection.");
                }
            }
        }
#pragma warning disable CA1031 // Whatever ends the reader ends the connection; the callers see the reason.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Fail(exception is IOException or InvalidDataException ? exception : new IOException("Reading from the server failed.", exception));
        }
        finally
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A request on its way: its replies so far, and its place among the in-flight ones, given back once.</summary>
    private sealed class PendingRequest(MetaRequest request, SemaphoreSlim inFlight)
    {
        private readonly TaskCompletionSource<MetaReply[]> _replies = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<MetaReply> _received = new(request.Replies + 1);
        private int _done;

        public MetaRequest Request => request;

        public Task<MetaReply[]> Replies => _replies.Task;

        /// <summary>Takes a reply; true when it was the request's last.</summary>
        public bool Add(MetaReply reply)
        {
            if (request.EndsWithNoop)
            {
                if (reply.Status == MetaStatus.End)
                {
                    return true;
                }

                _received.Add(reply);
                return reply.Status == MetaStatus.ClientError;
            }

            _received.Add(reply);
            return _received.Count == request.Replies || reply.Status == MetaStatus.ClientError;
        }

        public void Complete()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                inFlight.Release();
                _replies.SetResult([.. _received]);
            }
        }

        public void Fail(Exception reason)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                try
                {
                    inFlight.Release();
                }
                catch (ObjectDisposedException)
                {
                    // The connection is disposed: nobody waits for a place any more.
                }

                _replies.SetException(reason);
                _ = _replies.Task.Exception; // observed: a caller past its deadline no longer waits for it
            }
        }
    }
}
