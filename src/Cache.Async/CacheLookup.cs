namespace Cache.Async;

/// <summary>The answer of a lookup: whether the key held a live entry, and its value.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="Found">True on a hit. A cached null is a hit with a null <paramref name="Value"/>.</param>
/// <param name="Value">The value on a hit; the default of <typeparamref name="T"/> on a miss.</param>
public readonly record struct CacheLookup<T>(bool Found, T? Value);
