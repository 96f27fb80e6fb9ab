namespace Cache.Memcached.Protocol;

/// <summary>One reply of the meta protocol: its status, the return flags asked for, and the value of a <c>VA</c>.</summary>
/// <param name="Status">The status.</param>
/// <param name="Opaque">The <c>O</c> flag echoed back; -1 when none.</param>
/// <param name="ClientFlags">The <c>f</c> flag: the client flags stored with the item.</param>
/// <param name="Cas">The <c>c</c> flag: the item's compare-and-swap value.</param>
/// <param name="Value">The value of a <c>VA</c>; empty otherwise.</param>
/// <param name="Message">The text of an error reply.</param>
internal readonly record struct MetaReply(MetaStatus Status, int Opaque, uint ClientFlags, ulong Cas, ReadOnlyMemory<byte> Value, string? Message);
