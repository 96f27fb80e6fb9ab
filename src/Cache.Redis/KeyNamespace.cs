using System.Text;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// A cache's keys on the server: its prefix, then the caller's key, byte for byte. Keys are sent as
/// binary-safe arguments, so spaces, newlines or glob characters in a key stay one key.
/// </summary>
internal sealed class KeyNamespace
{
    private readonly byte[] _prefix;

    public KeyNamespace(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix, nameof(RedisCacheOptions.KeyPrefix));
        _prefix = Encoding.UTF8.GetBytes(prefix);
        Pattern = EscapeGlob(prefix) + "*";
    }

    /// <summary>The SCAN MATCH pattern of every key in the namespace: the prefix with its glob characters escaped.</summary>
    public string Pattern { get; }

    public RedisKey Of(string key) => new RedisKey(key).Prepend(_prefix);

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
