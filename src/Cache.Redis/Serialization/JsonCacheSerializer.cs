using System.Text.Json;

namespace Cache.Redis;

/// <summary>
/// The default serializer: UTF-8 JSON by System.Text.Json. Payloads carry the value's data and
/// nothing else (no type names), so other services and languages can read them, and reading one
/// can only ever create the type the caller asked for.
/// </summary>
public sealed class JsonCacheSerializer : ICacheSerializer
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates a serializer.</summary>
    /// <param name="options">System.Text.Json's options; null for <see cref="JsonSerializerDefaults.Web"/> (camelCase, case-insensitive reads).</param>
    public JsonCacheSerializer(JsonSerializerOptions? options = null)
    {
        _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
    }

    /// <inheritdoc/>
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _options);

    /// <inheritdoc/>
    public T? Deserialize<T>(ReadOnlySpan<byte> payload) => JsonSerializer.Deserialize<T>(payload, _options);
}
