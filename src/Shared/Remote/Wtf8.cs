using System.Text;

namespace Cache.Shared.Remote;

/// <summary>
/// Keys as bytes for a server: WTF-8 (generalized UTF-8). A well-formed key is its UTF-8, byte for
/// byte, and a lone surrogate, which UTF-8 cannot express, is written as its own three bytes
/// (<c>ED A0 80</c> to <c>ED BF BF</c>), a sequence that well-formed UTF-8 never contains. So every
/// distinct string is a distinct key on the server (plain UTF-8 would turn every lone surrogate into U+FFFD).
/// </summary>
internal static class Wtf8
{
    /// <summary>
    /// The WTF-8 bytes of a string: a surrogate pair as its code point's four UTF-8 bytes, any other
    /// UTF-16 unit, a lone surrogate included, as its value's one to three generalized UTF-8 bytes.
    /// Injective: decoding reads the units back, and a high surrogate's bytes are never followed by a
    /// low surrogate's (that pair would have been written as one code point).
    /// </summary>
    public static byte[] GetBytes(string text)
    {
        if (!HasSurrogates(text))
        {
            return Encoding.UTF8.GetBytes(text);
        }

        byte[] bytes = new byte[text.Length * 3]; // at most three bytes a unit; a pair takes four for two
        int written = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int unit = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                int codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
                bytes[written++] = (byte)(0xF0 | (codePoint >> 18));
                bytes[written++] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
                bytes[written++] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                bytes[written++] = (byte)(0x80 | (codePoint & 0x3F));
            }
            else if (unit < 0x80)
            {
                bytes[written++] = (byte)unit;
            }
            else if (unit < 0x800)
            {
                bytes[written++] = (byte)(0xC0 | (unit >> 6));
                bytes[written++] = (byte)(0x80 | (unit & 0x3F));
            }
            else
            {
                bytes[written++] = (byte)(0xE0 | (unit >> 12));
                bytes[written++] = (byte)(0x80 | ((unit >> 6) & 0x3F));
                bytes[written++] = (byte)(0x80 | (unit & 0x3F));
            }
        }

        return bytes[..written];
    }

    /// <summary>Whether the text holds any surrogate, paired or not: without one, WTF-8 and UTF-8 agree.</summary>
    public static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;
}
