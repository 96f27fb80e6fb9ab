namespace Cache.Shared;

/// <summary>
/// A batch's arguments, checked and copied before anything happens: a null key anywhere throws and
/// nothing of the batch is applied, and a sequence the caller changes later cannot change the batch.
/// </summary>
internal static class BatchArguments
{
    public static string[] Keys(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        string[] copy = [.. keys];
        if (Array.IndexOf(copy, null) >= 0)
        {
            throw new ArgumentNullException(nameof(keys), "A key of the batch is null; nothing was done.");
        }

        return copy;
    }

    public static KeyValuePair<string, T>[] Items<T>(IEnumerable<KeyValuePair<string, T>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        KeyValuePair<string, T>[] copy = [.. items];
        foreach (KeyValuePair<string, T> item in copy)
        {
            if (item.Key is null)
            {
                throw new ArgumentNullException(nameof(items), "A key of the batch is null; nothing was stored.");
            }
        }

        return copy;
    }
}
