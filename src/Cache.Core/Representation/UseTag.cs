namespace Cache.Core.Representation;

/// <summary>
/// An entry's last use, in one word: the stamp of its latest record and the segment whose log holds
/// that record. One store moves an entry to another segment, so a W-TinyLFU move copies nothing.
/// </summary>
/// <remarks>
/// The window's log (under LRU the only one) and the main space's log, which holds probation and
/// protected, each number their records: a stamp is read against the horizon of the log its segment
/// is in (<see cref="RecencyOrder{TKey, TValue}"/>).
/// </remarks>
internal static class UseTag
{
    private const int SegmentBits = 2;
    private const long SegmentMask = (1 << SegmentBits) - 1;

    /// <summary>The tag of a record at <paramref name="stamp"/> in <paramref name="segment"/>.</summary>
    public static long Of(long stamp, Segment segment) => (stamp << SegmentBits) | (long)segment;

    // Stryker disable once Bitwise : stamps, so tags, are never negative: >> and >>> agree.
    public static long StampOf(long tag) => tag >> SegmentBits;

    public static Segment SegmentOf(long tag) => (Segment)(tag & SegmentMask);

    /// <summary>Whether <paramref name="segment"/>'s records are in the main space's log rather than the window's.</summary>
    public static bool IsMain(Segment segment) => segment != Segment.Window;
}
