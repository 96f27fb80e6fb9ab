using Cache.Core.Representation;

namespace Cache.Unit.Support;

/// <summary>What an operation cost on this thread, in log records read and forks made: work, not wall time.</summary>
internal readonly record struct Cost<T>(T Result, long RecordsRead, long Forks);

internal static class Cost
{
    public static Cost<T> Of<T>(Func<T> operation)
    {
        long read = ScanMeter.RecordsRead;
        long forks = ScanMeter.Forks;
        T result = operation();
        return new Cost<T>(result, ScanMeter.RecordsRead - read, ScanMeter.Forks - forks);
    }

    public static Cost<bool> Of(Action operation) => Of(() =>
    {
        operation();
        return true;
    });
}
