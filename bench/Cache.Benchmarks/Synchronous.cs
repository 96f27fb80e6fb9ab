namespace Cache.Benchmarks;

/// <summary>
/// InMemoryCache completes every call synchronously; these read the outcome without blocking, and a
/// call that did not complete is a bug worth a failed run.
/// </summary>
internal static class Synchronous
{
    public static void Complete(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("InMemoryCache returned an incomplete task.");
        }
    }

    public static T Result<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : throw new InvalidOperationException("InMemoryCache returned an incomplete task.");
}
