namespace Cache.Core.Representation;

/// <summary>
/// A stored entry. <see cref="WriteStamp"/> fixes its place in the deadline index for its whole
/// life; <see cref="UseStamp"/> is its place in the recency order and moves on every hit.
/// </summary>
internal readonly record struct Entry<TValue>(TValue Value, long Deadline, long WriteStamp, long UseStamp);
