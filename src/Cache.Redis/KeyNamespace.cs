using System.Text;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// A cache's keys on the server: its prefix, then the caller's key, as bytes. Keys are sent as
/// binary-safe arguments, so spaces, newlines or glob characters in a key stay one key.
/// </summary>
/// <remarks>
/// The bytes are WTF-8 (generalized UTF-8): a well-formed key is its UTF-8, byte for byte, and a
/// lone surrogate, which UTF-8 cannot express, is written as its own three bytes (<c>ED A0 80</c> to
/// <c>ED BF BF</c>), a sequence that well-formed UTF-8 never contains. So every distinct string is
/// a distinct Redis key (plain UTF-8 would turn every lone surrogate into U+FFFD), and keys stored
/// before this encoding, all well-formed, keep their bytes.
/// </remarks>
internal sealed class KeyNamespace
{
    private readonly byte[] _prefix;

    public KeyNamespace(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix, nameof(RedisCacheOptions.KeyPrefix));
        _prefix = Wtf8(prefix);
        Pattern = EscapeGlob(prefix) + "*";
        PatternBytes = Wtf8(Pattern);
    }

    /// <summary>The SCAN MATCH pattern of every key in the namespace: the prefix with its glob characters escaped.</summary>
    public string Pattern { get; }

    /// <summary>The pattern as sent: the same bytes as the prefix of every key, whatever the prefix holds.</summary>
    public RedisValue PatternBytes { get; }

    public RedisKey Of(string key) => HasSurrogates(key)
        ? ((RedisKey)Wtf8(key)).Prepend(_prefix)
        : new RedisKey(key).Prepend(_prefix); // no surrogate at all: UTF-8 and WTF-8 agree, and the library encodes it

    /// <summary>Escapes the characters Redis's glob gives a meaning (<c>* ? [ ] \</c>), so the prefix matches only itself.</summary>
    internal static string EscapeGlob(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (char c in text)
        {
            if (c is '*' or '?' or '[' or ']' or '\\' or '^' or '-')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>
    /// The WTF-8 bytes of a string: a surrogate pair as its code point's four UTF-8 bytes, any other
    /// UTF-16 unit, a lone surrogate included, as its value's one to three generalized UTF-8 bytes.
    /// Injective: decoding reads the units back, and a high surrogate's bytes are never followed by a
    /// low surrogate's (that pair would have been written as one code point).
    /// </summary>
    internal static byte[] Wtf8(string text)
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

    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;
}
