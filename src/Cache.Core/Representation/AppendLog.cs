namespace Cache.Core.Representation;

/// <summary>
/// An array that states share and only ever append to. A state sees the slots before its own end
/// and nothing after; those never change, so every state reads its part safely from any thread.
/// Only the state that ends exactly where the log's claims end may write the next slots (it wins
/// <see cref="TryClaim"/>); any other state that wants to append copies what it sees first. This is
/// how one line of states appends in place, as a mutable list would, without any state changing.
/// </summary>
internal sealed class AppendLog<T>
    where T : class
{
    private int _claimed;

    public AppendLog(T[] slots, int filled, long baseStamp)
    {
        Slots = slots;
        _claimed = filled;
        Base = baseStamp;
    }

    public T[] Slots { get; }

    /// <summary>The stamp of slot 0: slot <c>i</c> was written at stamp <c>Base + i</c>.</summary>
    public long Base { get; }

    public int Capacity => Slots.Length;

    /// <summary>
    /// Claims <paramref name="count"/> slots from <paramref name="end"/>, for the state whose part
    /// of the log ends there. False when another state has claimed past that end: the log is not
    /// this state's to extend. Claiming past the capacity seals the log for good.
    /// </summary>
    public bool TryClaim(int end, int count) => Interlocked.CompareExchange(ref _claimed, end + count, end) == end;
}
