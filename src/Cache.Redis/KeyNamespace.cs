using System.Text;
using Cache.Shared.Remote;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// A cache's keys on the server: its prefix, then the caller's key, as bytes. Keys are sent as
/// binary-safe arguments, so spaces, newlines or glob characters in a key stay one key.
/// </summary>
/// <remarks>
/// The bytes are WTF-8 (<see cref="Wtf8"/>), so every distinct string is a distinct Redis key, and
/// keys stored before this encoding, all well-formed, keep their bytes.
/// </remarks>
internal sealed class KeyNamespace
{
    private readonly byte[] _prefix;

    public KeyNamespace(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix, nameof(RedisCacheOptions.KeyPrefix));
        _prefix = Wtf8.GetBytes(prefix);
        Pattern = EscapeGlob(prefix) + "*";
        PatternBytes = Wtf8.GetBytes(Pattern);
    }

    /// <summary>The SCAN MATCH pattern of every key in the namespace: the prefix with its glob characters escaped.</summary>
    public string Pattern { get; }

    /// <summary>The pattern as sent: the same bytes as the prefix of every key, whatever the prefix holds.</summary>
    public RedisValue PatternBytes { get; }

    public RedisKey Of(string key) => Wtf8.HasSurrogates(key)
        ? ((RedisKey)Wtf8.GetBytes(key)).Prepend(_prefix)
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
}
