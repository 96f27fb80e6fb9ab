using System.Buffers;
using System.Buffers.Text;

namespace Cache.Memcached.Protocol;

/// <summary>
/// Meta-protocol commands to send in one write, and what their replies will be: <see cref="Replies"/>
/// replies, one a command in order; or, once a quiet command is in it, every reply up to the
/// <c>MN</c> of the closing <c>mn</c>. Keys are base64 (flag <c>b</c>), so no key can break a line.
/// </summary>
internal sealed class MetaRequest
{
    private readonly ArrayBufferWriter<byte> _bytes = new(128);
    private bool _quiet;

    /// <summary>The commands' bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes.WrittenMemory;

    /// <summary>How many replies come back when the request has no quiet command.</summary>
    public int Replies { get; private set; }

    /// <summary>Whether the replies end with <c>MN</c> (a quiet command made their number unknown).</summary>
    public bool EndsWithNoop { get; private set; }

    /// <summary><c>mg</c> with the value, client flags and CAS; quiet leaves a miss unanswered; a peek leaves the item's place in the LRU (flag <c>u</c>).</summary>
    public MetaRequest Get(byte[] key, int opaque, bool quiet = false, bool peek = false)
    {
        Command("mg "u8, key).Append(" b v f c"u8);
        if (peek)
        {
            Append(" u"u8);
        }

        return End(opaque, quiet);
    }

    /// <summary><c>mg</c> without the value and without bumping the item in the LRU (flag <c>u</c>): <c>HD</c> for a live item, <c>EN</c> for none.</summary>
    public MetaRequest Peek(byte[] key, int opaque)
    {
        Command("mg "u8, key).Append(" b u"u8);
        return End(opaque, quiet: false);
    }

    /// <summary><c>ms</c> of a payload with client flags and an expiry; <paramref name="add"/> stores only if the key is absent (mode E).</summary>
    public MetaRequest Set(byte[] key, ReadOnlySpan<byte> payload, uint clientFlags, long expiry, bool add, int opaque)
    {
        Command("ms "u8, key).Append(' ').Number(payload.Length).Append(" b F"u8).Number(clientFlags).Append(" T"u8).Number(expiry);
        if (add)
        {
            Append(" ME"u8);
        }

        End(opaque, quiet: false);
        Append(payload).Append("\r\n"u8);
        return this;
    }

    /// <summary><c>md</c>; with <paramref name="cas"/>, only while the item still has that CAS value.</summary>
    public MetaRequest Delete(byte[] key, int opaque, ulong? cas = null)
    {
        Command("md "u8, key).Append(" b"u8);
        if (cas is { } value)
        {
            Append(" C"u8).Number(value);
        }

        return End(opaque, quiet: false);
    }

    /// <summary>
    /// <c>ma</c> of a counter that is created with <paramref name="initial"/> (never expiring) when
    /// missing, by <paramref name="delta"/> (0 reads it), returning the value.
    /// </summary>
    public MetaRequest Increment(byte[] key, ulong initial, ulong delta, int opaque)
    {
        Command("ma "u8, key).Append(" b N0 J"u8).Number(initial).Append(" D"u8).Number(delta).Append(" v"u8);
        return End(opaque, quiet: false);
    }

    /// <summary>Ends a request that has a quiet command with <c>mn</c>, whose <c>MN</c> closes its replies.</summary>
    public MetaRequest CloseIfQuiet()
    {
        if (_quiet && !EndsWithNoop)
        {
            Append("mn\r\n"u8);
            EndsWithNoop = true;
        }

        return this;
    }

    private MetaRequest Command(ReadOnlySpan<byte> verb, byte[] key)
    {
        if (EndsWithNoop)
        {
            throw new InvalidOperationException("The request is closed.");
        }

        return Append(verb).Append(key);
    }

    private MetaRequest End(int opaque, bool quiet)
    {
        Append(" O"u8).Number(opaque);
        if (quiet)
        {
            Append(" q"u8);
            _quiet = true;
        }
        else
        {
            Replies++;
        }

        return Append("\r\n"u8);
    }

    private MetaRequest Append(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    private MetaRequest Append(char ascii)
    {
        _bytes.Write([(byte)ascii]);
        return this;
    }

    private MetaRequest Number(long value)
    {
        Span<byte> digits = _bytes.GetSpan(20);
        _ = Utf8Formatter.TryFormat(value, digits, out int written);
        _bytes.Advance(written);
        return this;
    }

    private MetaRequest Number(ulong value)
    {
        Span<byte> digits = _bytes.GetSpan(20);
        _ = Utf8Formatter.TryFormat(value, digits, out int written);
        _bytes.Advance(written);
        return this;
    }
}
