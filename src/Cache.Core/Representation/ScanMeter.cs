namespace Cache.Core.Representation;

/// <summary>
/// Counts, per thread, the log records the indexes read and the forks they make: the tests'
/// measure of what an operation costs, in work rather than wall time (the cost properties hold
/// every operation on any state, old or new, to O(n) a fork and amortized O(1) records otherwise).
/// </summary>
/// <remarks>Each index adds its count once a scan, never once a record, so the hot paths pay a thread-static add at most.</remarks>
// Stryker disable all : the meter is the tests' instrument, not behaviour.
internal static class ScanMeter
{
    [ThreadStatic]
    private static long t_recordsRead;

    [ThreadStatic]
    private static long t_forks;

    /// <summary>Records read on this thread so far.</summary>
    public static long RecordsRead => t_recordsRead;

    /// <summary>Forks made on this thread so far.</summary>
    public static long Forks => t_forks;

    public static void Read(int records) => t_recordsRead += records;

    public static void Forked() => t_forks++;
}
