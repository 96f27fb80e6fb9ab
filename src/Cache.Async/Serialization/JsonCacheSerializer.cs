using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cache.Async;

/// <summary>
/// The default serializer: UTF-8 JSON by System.Text.Json. Payloads carry the value's data and
/// nothing else (no type names), so other services and languages can read them, and reading one
/// can only ever create the type the caller asked for.
/// </summary>
public sealed class JsonCacheSerializer : ICacheSerializer
{
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates a serializer.</summary>
    /// <param name="options">
    /// System.Text.Json's options; null for <see cref="JsonSerializerDefaults.Web"/> (camelCase,
    /// case-insensitive reads) that also write and read NaN and the infinities as the strings
    /// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>, so every double and float round-trips.
    /// Options given here are used as they are.
    /// </param>
    public JsonCacheSerializer(JsonSerializerOptions? options = null)
    {
        _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
    }

    /// <inheritdoc/>
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _options);

    /// <inheritdoc/>
    public T? Deserialize<T>(ReadOnlySpan<byte> payload) => JsonSerializer.Deserialize<T>(payload, _options);
}
