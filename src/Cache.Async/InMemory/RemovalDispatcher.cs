using Cache.Core;

namespace Cache.Async.InMemory;

/// <summary>
/// Hands the removals that transitions report to a handler, each once and in the order the
/// transitions were published, on the threads that made them: no thread-pool hop per event.
/// Removals are enqueued under the cache's lock, right after their state is published; after
/// the lock is released the calling thread delivers, unless another thread is delivering
/// already, which then delivers these too. So handlers never run concurrently or out of order,
/// and a handler that writes to the cache has its own events queued behind the current one
/// rather than raised inside it.
/// </summary>
internal sealed class RemovalDispatcher(Action<CacheRemoval<string, object?>> deliver)
{
    private readonly Lock _gate = new();
    private readonly Queue<CacheRemoval<string, object?>> _pending = new();
    private bool _delivering;
    private volatile bool _hasPending;

    /// <summary>Queues removals in transition order. Called under the cache's lock.</summary>
    public void Enqueue(ReadOnlySpan<CacheRemoval<string, object?>> removals)
    {
        lock (_gate)
        {
            foreach (CacheRemoval<string, object?> removal in removals)
            {
                _pending.Enqueue(removal);
            }

            _hasPending = true;
        }
    }

    /// <summary>Delivers what is queued, unless another thread (or an outer call on this one) is delivering.</summary>
    public void Deliver()
    {
        // Stryker disable once Statement,Block : a fast path: the loop below finds the queue empty and returns the same way.
        if (!_hasPending)
        {
            return;
        }

        lock (_gate)
        {
            if (_delivering)
            {
                return;
            }

            _delivering = true;
        }

        while (true)
        {
            CacheRemoval<string, object?> next;
            lock (_gate)
            {
                if (!_pending.TryDequeue(out next))
                {
                    // Stryker disable once Boolean : a fast-path flag: left set, the next Deliver takes the lock and finds the queue empty.
                    _hasPending = false;
                    _delivering = false;
                    return;
                }
            }

            deliver(next);
        }
    }
}
