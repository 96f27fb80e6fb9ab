namespace Cache.Async;

/// <summary>
/// Turns cached values into bytes and back. A serializer must not write type names into the
/// payload, nor create types named by it: a cache shared between services is input, not code.
/// </summary>
public interface ICacheSerializer
{
    /// <summary>Writes a value as bytes.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value; null is a value.</param>
    /// <returns>The payload stored under the key.</returns>
    /// <exception cref="Exception">Any exception: the value cannot be written. The cache logs it at Warning, stores nothing and removes the key's older value; the caller sees no exception.</exception>
    byte[] Serialize<T>(T value);

    /// <summary>Reads a payload back as a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type asked for.</typeparam>
    /// <param name="payload">The bytes stored under the key.</param>
    /// <returns>The value.</returns>
    /// <exception cref="Exception">Any exception: the payload cannot be read as a <typeparamref name="T"/>. The cache deletes such an entry and answers a miss.</exception>
    T? Deserialize<T>(ReadOnlySpan<byte> payload);
}
