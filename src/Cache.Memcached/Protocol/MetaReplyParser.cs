using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Cache.Memcached.Protocol;

/// <summary>Reads meta-protocol replies off the bytes a server sent: a line, and for <c>VA</c> the value after it.</summary>
internal static class MetaReplyParser
{
    /// <summary>A reply line is a status and a few flags; a longer one means the stream is not the meta protocol.</summary>
    public const int MaxLineBytes = 4096;

    /// <summary>
    /// Reads one reply from the start of <paramref name="buffer"/> and moves the buffer past it; false,
    /// with the buffer unchanged, when the reply has not arrived whole yet.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a meta-protocol reply.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out MetaReply reply)
    {
        reply = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> lineBytes, (byte)'\n'))
        {
            if (buffer.Length > MaxLineBytes)
            {
                throw new InvalidDataException($"A reply line longer than {MaxLineBytes} bytes: not the meta protocol.");
            }

            return false;
        }

        if (lineBytes.Length > MaxLineBytes)
        {
            throw new InvalidDataException($"A reply line longer than {MaxLineBytes} bytes: not the meta protocol.");
        }

        Span<byte> line = stackalloc byte[(int)lineBytes.Length];
        lineBytes.CopyTo(line);
        if (line.Length == 0 || line[^1] != (byte)'\r')
        {
            throw new InvalidDataException("A reply line that does not end in CR LF.");
        }

        line = line[..^1];
        int space = line.IndexOf((byte)' ');
        ReadOnlySpan<byte> head = space < 0 ? line : line[..space];
        ReadOnlySpan<byte> rest = space < 0 ? [] : line[(space + 1)..];
        MetaStatus status;
        switch (head)
        {
            case var _ when head.SequenceEqual("VA"u8): status = MetaStatus.Value; break;
            case var _ when head.SequenceEqual("HD"u8): status = MetaStatus.Done; break;
            case var _ when head.SequenceEqual("EN"u8): status = MetaStatus.Miss; break;
            case var _ when head.SequenceEqual("NF"u8): status = MetaStatus.NotFound; break;
            case var _ when head.SequenceEqual("NS"u8): status = MetaStatus.NotStored; break;
            case var _ when head.SequenceEqual("EX"u8): status = MetaStatus.Exists; break;
            case var _ when head.SequenceEqual("MN"u8): status = MetaStatus.End; break;
            case var _ when head.SequenceEqual("SERVER_ERROR"u8):
                reply = new MetaReply(MetaStatus.ServerError, -1, 0, 0, default, Encoding.ASCII.GetString(rest));
                buffer = buffer.Slice(reader.Position);
                return true;
            case var _ when head.SequenceEqual("CLIENT_ERROR"u8) || head.SequenceEqual("ERROR"u8):
                reply = new MetaReply(MetaStatus.ClientError, -1, 0, 0, default, Encoding.ASCII.GetString(line));
                buffer = buffer.Slice(reader.Position);
                return true;
            default:
                throw new InvalidDataException($"An unknown reply: {Encoding.ASCII.GetString(head)}");
        }

        byte[] value = [];
        if (status == MetaStatus.Value)
        {
            int end = rest.IndexOf((byte)' ');
            if (!Utf8Parser.TryParse(end < 0 ? rest : rest[..end], out int size, out int consumed) || consumed != (end < 0 ? rest.Length : end) || size < 0)
            {
                throw new InvalidDataException("A VA reply without a size.");
            }

            rest = end < 0 ? [] : rest[(end + 1)..];
            if (reader.Remaining < size + 2L)
            {
                return false;
            }

            value = new byte[size];
            reader.TryCopyTo(value);
            reader.Advance(size);
            if (!reader.IsNext("\r\n"u8, advancePast: true))
            {
                throw new InvalidDataException("A value that does not end in CR LF.");
            }
        }

        int opaque = -1;
        uint clientFlags = 0;
        ulong cas = 0;
        foreach (Range token in rest.Split((byte)' '))
        {
            ReadOnlySpan<byte> flag = rest[token];
            if (flag.Length < 2)
            {
                continue;
            }

            switch (flag[0])
            {
                case (byte)'O':
                    _ = Utf8Parser.TryParse(flag[1..], out opaque, out _);
                    break;
                case (byte)'f':
                    _ = Utf8Parser.TryParse(flag[1..], out clientFlags, out _);
                    break;
                case (byte)'c':
                    _ = Utf8Parser.TryParse(flag[1..], out cas, out _);
                    break;
            }
        }

        reply = new MetaReply(status, opaque, clientFlags, cas, value, null);
        buffer = buffer.Slice(reader.Position);
        return true;
    }
}
