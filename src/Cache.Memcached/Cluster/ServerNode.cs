using Cache.Memcached.Protocol;

namespace Cache.Memcached.Cluster;

/// <summary>
/// One server: its pool of pipelined connections, whether it is down (and until when), and the
/// namespace generation of the cache's prefix on it as last seen. A server that fails (refuses,
/// drops a connection, lets a deadline pass) is down for a backoff, 100 ms doubling to at most
/// <see cref="MaxBackoff"/>: requests for its keys fail at once, and the first one after the
/// backoff tries it again; its first answer ends the backoff.
/// </summary>
internal sealed class ServerNode : IAsyncDisposable
{
    /// <summary>The longest backoff: a server that comes back serves again within about this long.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly Lock _sync = new();
    private readonly Task<ServerConnection>?[] _connections;
    private readonly TimeProvider _time;
    private readonly TimeSpan _connectTimeout;
    private readonly int _maxInFlight;
    private int _failures;
    private long _downUntil;
    private bool _down;
    private bool _disposed;
    private ulong _generation;
    private bool _knowsGeneration;
    // Clears owed (counted up by each Clear that missed this server) and settled (the count a
    // successful move of the generation covered): one is owed while they differ. A move settles
    // only the Clears owed before it was sent, never one that failed while it was on its way.
    private int _owed;
    private int _settled;
    private Task<ulong>? _learning;
    private bool _learningClears;

    public ServerNode(ServerAddress address, int connections, int maxInFlight, TimeSpan connectTimeout, TimeProvider time)
    {
        Address = address;
        _connections = new Task<ServerConnection>?[connections];
        _maxInFlight = maxInFlight;
        _connectTimeout = connectTimeout;
        _time = time;
    }

    public ServerAddress Address { get; }

    /// <summary>How many pooled connections the server has.</summary>
    public int Connections => _connections.Length;

    /// <summary>The generation last seen on this server, if any; null also while a Clear of it is owed.</summary>
    public ulong? Generation
    {
        get
        {
            lock (_sync)
            {
                return _knowsGeneration && _owed == _settled ? _generation : null;
            }
        }
    }

    /// <summary>How many Clears this server has been owed so far: a move of the generation sent now settles them.</summary>
    public int Owed
    {
        get
        {
            lock (_sync)
            {
                return _owed;
            }
        }
    }

    /// <summary>
    /// Records the generation a reply showed; <paramref name="settles"/>, when the reply was a move of
    /// the generation (a Clear), the <see cref="Owed"/> count read before it was sent.
    /// </summary>
    public void Observe(ulong generation, int? settles = null)
    {
        lock (_sync)
        {
            _generation = generation;
            _knowsGeneration = true;
            if (settles is { } owed && owed > _settled)
            {
                _settled = owed;
            }
        }
    }

    /// <summary>
    /// Learns the generation through <paramref name="fetch"/> (given whether it must move the
    /// generation on, for a Clear owed): one fetch at a time, which every request that needs it
    /// waits for, so an owed Clear is made once and no request goes out under the generation before it.
    /// </summary>
    public Task<ulong> LearnGenerationAsync(Func<bool, Task<ulong>> fetch)
    {
        lock (_sync)
        {
            bool clearing = _owed != _settled;
            if (_learning is { IsCompleted: false } && _learningClears == clearing)
            {
                return _learning;
            }

            _learningClears = clearing;
            return _learning = LearnAsync(fetch, clearing ? _owed : null);
        }
    }

    /// <summary>Remembers that a Clear did not reach this server, so that no entry from before it is read here afterwards.</summary>
    public void OweClear()
    {
        lock (_sync)
        {
            _owed++;
        }
    }

    /// <summary>
    /// Sends a request on pooled connection <paramref name="slot"/> and waits for its replies until
    /// <paramref name="deadline"/> (a timestamp of the time provider). A deadline that passes on a
    /// connection that has answered nothing since the request went fails the connection (a server
    /// that does not answer is treated as gone) and the server is down; on one that answers, or
    /// while the request waits for its place, only the request is late.
    /// </summary>
    /// <returns>The replies; null when <paramref name="admission"/> turned the request away.</returns>
    /// <exception cref="ServerDownException">The server is in its backoff.</exception>
    /// <exception cref="TimeoutException">The deadline passed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="IOException">The connection failed.</exception>
    public async Task<MetaReply[]?> SendAsync(MetaRequest request, int slot, Admission? admission, long deadline, CancellationToken cancellationToken)
    {
        TimeSpan left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
        using var timeout = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ServerConnection? connection = null;
        long queued = 0;
        try
        {
            connection = await ConnectionAsync(slot, linked.Token).ConfigureAwait(false);
            Task<MetaReply[]>? replies = await connection.SendAsync(request, admission, linked.Token).ConfigureAwait(false);
            if (replies is null)
            {
                return null;
            }

            queued = _time.GetTimestamp();
            MetaReply[] answered = await replies.WaitAsync(linked.Token).ConfigureAwait(false);
            Answered();
            return answered;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var late = new TimeoutException($"memcached {Address} did not answer within the operation timeout.");
            if (connection is not null && queued != 0 && !connection.AnsweredSince(queued))
            {
                // Nothing came back on the connection since this request went: the server is stalled
                // or gone. A connection that answered meanwhile is only busy: this request alone is late.
                connection.Fail(late);
                MarkDown();
            }

            throw late;
        }
        catch (IOException)
        {
            MarkDown();
            throw;
        }
        catch (InvalidDataException)
        {
            MarkDown();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task<ServerConnection>?[] connections;
        lock (_sync)
        {
            _disposed = true;
            connections = [.. _connections];
        }

        foreach (Task<ServerConnection>? connection in connections)
        {
            if (connection is { IsCompletedSuccessfully: true })
            {
                await connection.Result.DisposeAsync().ConfigureAwait(false);
            }
            else if (connection is { IsCompleted: false })
            {
                // Still connecting: closed as soon as it opens, never left running.
                _ = connection.ContinueWith(static opened => opened.Result.DisposeAsync().AsTask(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }
    }

    private async Task<ulong> LearnAsync(Func<bool, Task<ulong>> fetch, int? settles)
    {
        ulong generation = await fetch(settles is not null).ConfigureAwait(false);
        Observe(generation, settles);
        return generation;
    }

    private async Task<ServerConnection> ConnectionAsync(int slot, CancellationToken cancellationToken)
    {
        Task<ServerConnection> connection;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Task<ServerConnection>? current = _connections[slot];
            if (current is null || current.IsFaulted || current.IsCanceled || (current.IsCompletedSuccessfully && current.Result.IsBroken))
            {
                long now = _time.GetTimestamp();
                if (_down && now < _downUntil)
                {
                    throw new ServerDownException(Address, _time.GetElapsedTime(now, _downUntil));
                }

                current = _connections[slot] = OpenAsync();
            }

            connection = current;
        }

        return await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<ServerConnection> OpenAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_connectTimeout, _time);
            return await ServerConnection.OpenAsync(Address.EndPoint, _maxInFlight, _time, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or System.Net.Sockets.SocketException)
        {
            MarkDown();
            throw new IOException($"Connecting to memcached {Address} failed.", exception);
        }
    }

    private void Answered()
    {
        lock (_sync)
        {
            _failures = 0;
            _down = false;
        }
    }

    private void MarkDown()
    {
        lock (_sync)
        {
            long now = _time.GetTimestamp();
            if (_down && now < _downUntil)
            {
                return; // one outage, seen by many requests, is one failure
            }

            _failures++;
            TimeSpan backoff = FirstBackoff * Math.Pow(2, Math.Min(_failures - 1, 10));
            backoff = backoff < MaxBackoff ? backoff : MaxBackoff;
            _down = true;
            _downUntil = now + (long)(backoff.TotalSeconds * _time.TimestampFrequency);
        }
    }
}
