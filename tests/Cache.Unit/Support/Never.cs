namespace Cache.Unit.Support;

/// <summary>A wait that only cancellation ends: no clock is involved.</summary>
internal static class Never
{
    public static Task Completes(CancellationToken token) => new TaskCompletionSource().Task.WaitAsync(token);
}
