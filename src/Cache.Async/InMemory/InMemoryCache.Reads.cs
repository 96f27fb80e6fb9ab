using System.Collections.Immutable;
using Cache.Core;
using Cache.Shared.Telemetry;
using Cache.Async.Recording;

namespace Cache.Async;

/// <summary>
/// The read path: lookups read the published state without the lock, record each hit in the
/// ordered ring for the next writer to apply, and take the lock only to remove an expired entry.
/// </summary>
public sealed partial class InMemoryCache
{
    private CacheLookup<T> Read<T>(string key, CancellationToken cancellationToken)
    {
        ThrowIfUnusable(key, cancellationToken);
        LookupOutcome lookup = ReadWithoutLock<T>(key);
        if (lookup.Kind == LookupKind.Expired)
        {
            lock (_gate)
            {
                lookup = ReadLocked<T>(key);
            }
        }

        Account<T>(key, lookup);
        return lookup.Kind == LookupKind.Hit ? new CacheLookup<T>(true, (T?)lookup.Entry.Value) : default;
    }

    /// <summary>
    /// Looks the key up in the published state. A hit is recorded as a use, to be applied by the
    /// next writer; an expired entry has to be removed, which only <see cref="ReadLocked{T}"/> may do.
    /// </summary>
    private LookupOutcome ReadWithoutLock<T>(string key) => Inspect<T>(key, now: null);

    /// <summary>The same lookup under the lock, where an expired entry is removed by the core's Get.</summary>
    private LookupOutcome ReadLocked<T>(string key)
    {
        // Stryker disable once Statement : a lookup does not choose by recency; hits applied after it stamp only entries still stored, so the order is the same.
        ApplyUsesLocked();
        TimeSpan now = Now();
        LookupOutcome lookup = Inspect<T>(key, now);
        if (lookup.Kind != LookupKind.Expired)
        {
            return lookup;
        }

        GetResult<string, object?> removed = _state.Get(key, now);
        PublishLocked(removed.State, removed.Removals.AsSpan());
        return lookup with { Removals = removed.Removals };
    }

    /// <summary>
    /// Looks the key up at <paramref name="now"/>, or, when null, reads the clock only if the answer
    /// depends on it: for an entry that can expire, or for the recorder's stamp.
    /// </summary>
    private LookupOutcome Inspect<T>(string key, TimeSpan? now)
    {
        CacheEntryHandle<string, object?> entry = _state.Find(key);
        TimeSpan at = now ?? ((entry.Exists && entry.CanExpire) || _recorder is not null ? Now() : TimeSpan.Zero);
        LookupKind kind = Classify<T>(entry, entry.Exists && entry.IsExpiredAt(at));
        if (kind == LookupKind.Hit)
        {
            RecordUse(entry);
        }

        return new LookupOutcome(kind, entry, [], at);
    }

    /// <summary>A live value of another type is a miss and not a use.</summary>
    private static LookupKind Classify<T>(CacheEntryHandle<string, object?> entry, bool expired) =>
        !entry.Exists ? LookupKind.Absent
        : expired ? LookupKind.Expired
        : IsOf<T>(entry.Value) ? LookupKind.Hit
        : LookupKind.WrongType;

    /// <summary>Records a hit for the next writer to apply; a full buffer is applied first, never dropped.</summary>
    private void RecordUse(CacheEntryHandle<string, object?> entry)
    {
        while (!_uses.TryAdd(entry, out _))
        {
            lock (_gate)
            {
                ApplyUsesLocked();
            }
        }
    }

    /// <summary>Applies every recorded hit, in order, before the lock holder's own transition.</summary>
    private void ApplyUsesLocked()
    {
        int count = _uses.Take(_draining);
        if (count > 0)
        {
            _state = _state.Touch(_draining.AsSpan(0, count));
            _view = null;
            Array.Clear(_draining, 0, count);
        }
    }

    /// <summary>Counts (a hit is counted by its recorded use), logs and meters a lookup, outside the lock.</summary>
    private void Account<T>(string key, LookupOutcome lookup)
    {
        _recorder?.Record(lookup.Kind == LookupKind.WrongType ? TraceOperation.WrongTypeLookup : TraceOperation.Lookup, key, lookup.Now);
        Report(lookup.Removals.AsSpan());
        switch (lookup.Kind)
        {
            case LookupKind.Hit:
                _metrics.Hit();
                RequestLog.Hit(_logger, key);
                return;
            case LookupKind.WrongType:
                _counters.CountMiss();
                _metrics.Miss();
                RequestLog.TypeMismatch(_logger, key, RequestLog.TypeNameOf(lookup.Entry.Value), typeof(T).FullName!);
                return;
            default:
                _counters.CountMiss();
                _metrics.Miss();
                RequestLog.Miss(_logger, key);
                return;
        }
    }

    private enum LookupKind
    {
        Absent,
        Expired,
        WrongType,
        Hit,
    }

    /// <summary>What a lookup found, and what it removed (an expired entry, under the lock).</summary>
    private readonly record struct LookupOutcome(LookupKind Kind, CacheEntryHandle<string, object?> Entry, ImmutableArray<CacheRemoval<string, object?>> Removals, TimeSpan Now);
}
