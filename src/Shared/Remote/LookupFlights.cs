using Cache.Async;
using Cache.Shared.SingleFlight;
using Microsoft.Extensions.Logging;

namespace Cache.Shared.Remote;

/// <summary>
/// GetOrSet on a server backend: one run a key in this process (single flight), which looks the key
/// up on the server and, on a miss, runs the factory and stores its value. A caller joins the key's
/// run before anything is looked up, so no caller acts on a miss that a run finishing meanwhile has
/// already made stale. Each caller counts one lookup: those that joined while the run's lookup was
/// out are counted by the run when it answers (a hit or a miss, even one that left meanwhile), a
/// later one as a miss (the run's factory answers it).
/// </summary>
/// <param name="flights">The backend's runs, under its lock.</param>
/// <param name="counter">Where lookups are counted.</param>
/// <param name="logger">Where a failing factory is logged.</param>
internal sealed class LookupFlights(FlightTable flights, RequestCounter counter, ILogger logger)
{
    // Runs whose lookup has not answered yet, with the callers that joined each meanwhile (under the lock).
    private readonly Dictionary<Flight, int> _lookingUp = [];

    /// <summary>
    /// Joins or starts the key's run and waits for its value. <paramref name="lookup"/> reads the key
    /// (with what the store needs to know of the read, such as when it started); <paramref name="store"/>
    /// stores a factory's value if the backend still may (the run is given to check that it is still
    /// registered); the run is then unregistered.
    /// </summary>
    /// <exception cref="ObjectDisposedException"><paramref name="isDisposed"/> says so, under the lock.</exception>
    public async ValueTask<T> GetOrSetAsync<T, TRead>(
        string key,
        Func<CancellationToken, ValueTask<T>> factory,
        Func<Task<(CacheLookup<T> Lookup, TRead Read)>> lookup,
        Func<T, TRead, Flight, Task> store,
        Func<bool> isDisposed,
        object owner,
        CancellationToken cancellationToken)
    {
        Flight flight;
        bool starts;
        bool pastLookup;
        lock (flights.Gate)
        {
            ObjectDisposedException.ThrowIf(isDisposed(), owner);
            flight = flights.JoinLocked(key, out starts);
            if (starts)
            {
                _lookingUp[flight] = 0;
            }

            pastLookup = !_lookingUp.TryGetValue(flight, out int joined);
            if (!pastLookup)
            {
                _lookingUp[flight] = joined + 1;
            }
        }

        if (pastLookup)
        {
            counter.Lookup(key, hit: false); // the run's lookup missed and its factory will answer this caller
        }

        if (starts)
        {
            _ = RunAsync(key, flight, factory, lookup, store);
        }

        return await flights.AwaitAsync(key, flight, factory, logger, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync<T, TRead>(
        string key,
        Flight flight,
        Func<CancellationToken, ValueTask<T>> factory,
        Func<Task<(CacheLookup<T> Lookup, TRead Read)>> lookup,
        Func<T, TRead, Flight, Task> store)
    {
        (CacheLookup<T> found, TRead read) = await lookup().ConfigureAwait(false);
        int answered;
        lock (flights.Gate)
        {
            _lookingUp.Remove(flight, out answered);
            if (found.Found)
            {
                flights.DetachOwnLocked(key, flight); // done: a later caller looks up afresh
            }
        }

        for (int i = 0; i < answered; i++)
        {
            counter.Lookup(key, found.Found);
        }

        if (found.Found)
        {
            flight.Completion.SetResult(found.Value);
            return;
        }

        if (flight.Token.IsCancellationRequested)
        {
            // Every caller left, or the cache was disposed, while the lookup ran: nobody wants a value.
            Detach(key, flight);
            flight.Completion.SetCanceled(flight.Token);
            return;
        }

        await flights.RunAsync(
            key,
            flight,
            factory,
            async value =>
            {
                await store(value, read, flight).ConfigureAwait(false);
                Detach(key, flight);
            },
            logger).ConfigureAwait(false);
    }

    /// <summary>Unregisters a finished run if it is still the registered one for its key.</summary>
    private void Detach(string key, Flight flight)
    {
        lock (flights.Gate)
        {
            flights.DetachOwnLocked(key, flight);
        }
    }
}
