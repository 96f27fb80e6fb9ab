using Cache.Shared.Telemetry;
using Microsoft.Extensions.Logging;

namespace Cache.Shared.SingleFlight;

/// <summary>
/// The GetOrSet runs in flight, one per key, shared by every backend. The table is guarded by its
/// owner's lock (<see cref="Gate"/>), so a backend can register a run atomically with its own
/// lookup, and detach it atomically with a write of the key; members named <c>...Locked</c> expect
/// the caller to hold that lock. How a finished run stores its value is the backend's.
/// </summary>
internal sealed class FlightTable(Lock gate)
{
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);

    /// <summary>The owner's lock.</summary>
    public Lock Gate { get; } = gate;

    /// <summary>Joins the key's run, or registers a new one (<paramref name="starts"/>: the caller must start it).</summary>
    public Flight JoinLocked(string key, out bool starts)
    {
        starts = !_flights.TryGetValue(key, out Flight? flight);
        if (flight is null)
        {
            flight = new Flight();
            _flights.Add(key, flight);
        }

        flight.Waiters++;
        return flight;
    }

    /// <summary>A write of the key wins over a factory running for it: the run will not store.</summary>
    public void DetachLocked(string key)
    {
        // The count first: a write with no run in flight (the common case) hashes no key here.
        // Stryker disable once Equality : removing from an empty table removes nothing either way.
        if (_flights.Count > 0)
        {
            _flights.Remove(key);
        }
    }

    /// <summary>A Clear wins over every run.</summary>
    public void ClearLocked() => _flights.Clear();

    /// <summary>Whether <paramref name="flight"/> is still the key's registered run (no write has detached it).</summary>
    public bool IsRegisteredLocked(string key, Flight flight) =>
        _flights.TryGetValue(key, out Flight? current) && ReferenceEquals(current, flight);

    /// <summary>Unregisters a run; true when it was still registered, so its value may be stored.</summary>
    public bool DetachOwnLocked(string key, Flight flight)
    {
        if (IsRegisteredLocked(key, flight))
        {
            _flights.Remove(key);
            return true;
        }

        return false;
    }

    /// <summary>
    /// The factory half of a run, the same on every backend: runs the factory with the run's token,
    /// hands its value to <paramref name="store"/> (the backend stores it if the run is still
    /// registered, and unregisters it), then to every waiter. The factory's exception, whatever it is,
    /// is logged and goes to every waiter; the run is unregistered and nothing is stored.
    /// </summary>
    public async Task RunAsync<T>(string key, Flight flight, Func<CancellationToken, ValueTask<T>> factory, Func<T, ValueTask> store, ILogger logger)
    {
        T value;
        try
        {
            value = await factory(flight.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The factory's exception, whatever it is, goes to every waiting caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            lock (Gate)
            {
                DetachOwnLocked(key, flight);
            }

            flight.Completion.SetException(exception);

            // Observed here, so a run whose waiters all gave up raises no UnobservedTaskException.
            _ = flight.Completion.Task.Exception;
            RequestLog.FactoryFailed(logger, key, exception);
            return;
        }

        try
        {
            // Stryker disable once Boolean : Cache.Async's store completes synchronously, so nothing resumes; Redis's asynchronous store is Cache.Redis's copy of this file.
            await store(value).ConfigureAwait(false);
        }
        finally
        {
            // The waiters get the value whatever becomes of storing it.
            flight.Completion.SetResult(value);
        }
    }

    /// <summary>
    /// Abandons every run, for Dispose: unregistered under the owner's lock, their factories' tokens
    /// cancelled outside it. The caller has already refused new runs (it is marked disposed).
    /// </summary>
    public void AbandonAll()
    {
        Flight[] flights;
        lock (Gate)
        {
            flights = [.. _flights.Values];

            // Stryker disable once Statement : a disposed cache joins no run again, so the entries left would only be memory.
            _flights.Clear();
        }

        foreach (Flight flight in flights)
        {
            flight.Abandon();
        }
    }

    /// <summary>
    /// Waits for a run's value. A caller that cancels leaves the run (the last one to leave cancels
    /// the factory's token); a run started by a caller asking for another type makes this caller's
    /// own value, unshared and unstored.
    /// </summary>
    public async ValueTask<T> AwaitAsync<T>(
        string key,
        Flight flight,
        Func<CancellationToken, ValueTask<T>> factory,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        object? value;
        try
        {
            value = await flight.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(key, flight);
            throw;
        }

        if (value is T || (value is null && default(T) is null))
        {
            return (T)value!;
        }

        RequestLog.TypeMismatch(logger, key, RequestLog.TypeNameOf(value), typeof(T).FullName!);
        return await factory(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A caller stopped waiting; when none is left, the run is unregistered and its token cancelled.</summary>
    private void Leave(string key, Flight flight)
    {
        bool abandoned;
        lock (Gate)
        {
            flight.Waiters--;
            abandoned = flight.Waiters == 0 && !flight.Completion.Task.IsCompleted;
            if (abandoned)
            {
                DetachOwnLocked(key, flight);
            }
        }

        if (abandoned)
        {
            flight.Abandon();
        }
    }
}
