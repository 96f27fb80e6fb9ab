namespace Cache.Shared.SingleFlight;

/// <summary>
/// One shared run of a GetOrSet factory. The cache registers it under its key while it runs; a
/// write of the key, a Clear, or the last waiter giving up unregisters it, and a run that is no
/// longer registered when it finishes hands its value to its waiters but does not store it.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "See the field: the source holds nothing to release.")]
internal sealed class Flight
{
    // Never disposed on purpose: it has no timer and no linked registrations, so there is nothing
    // to release, and a late Abandon can never race a Dispose.
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Completes with the factory's value or exception.</summary>
    public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The token handed to the factory.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Callers waiting on the run, the starter included. Guarded by the cache's lock.</summary>
    public int Waiters { get; set; }

    /// <summary>Cancels the factory's token: nobody is left to want its value.</summary>
    public void Abandon() => _cancellation.Cancel();
}
