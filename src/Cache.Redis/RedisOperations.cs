using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// Runs Redis commands within the operation timeout, and turns Redis trouble into what the contract
/// asks: logged at Warning and answered with a fallback (a miss, false, nothing). The caller's own
/// cancellation is not trouble: it is thrown, as on every backend.
/// </summary>
/// <param name="connection">The connection, which may still be opening (or never open).</param>
/// <param name="timeout">The operation timeout: one budget for all of an operation's round trips.</param>
/// <param name="logger">Where failures go.</param>
internal sealed class RedisOperations(Task<IConnectionMultiplexer> connection, TimeSpan timeout, ILogger logger)
{
    /// <summary>The operation timeout.</summary>
    public TimeSpan Timeout => timeout;

    /// <summary>
    /// Runs <paramref name="operation"/> on the database, its round trips bounded by one operation
    /// timeout from now; Redis trouble is logged as <paramref name="command"/> of <paramref name="key"/>
    /// and answered with <paramref name="fallback"/>.
    /// </summary>
    public ValueTask<TResult> RunAsync<TResult>(string command, string key, Func<IDatabase, long, ValueTask<TResult>> operation, TResult fallback, CancellationToken cancellationToken) =>
        RunAsync(command, key, Stopwatch.GetTimestamp(), operation, fallback, cancellationToken);

    /// <summary>
    /// <see cref="RunAsync{TResult}(string, string, Func{IDatabase, long, ValueTask{TResult}}, TResult, CancellationToken)"/>
    /// within what is left of a budget that started at <paramref name="started"/>.
    /// </summary>
    public async ValueTask<TResult> RunAsync<TResult>(string command, string key, long started, Func<IDatabase, long, ValueTask<TResult>> operation, TResult fallback, CancellationToken cancellationToken)
    {
        try
        {
            IDatabase database = await DatabaseAsync(started, cancellationToken).ConfigureAwait(false);
            return await operation(database, started).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsOperational(exception, cancellationToken))
        {
            RedisCacheLog.OperationFailed(logger, command, key, exception);
            return fallback;
        }
    }

    /// <summary>Waits for a command for what is left of the operation timeout; a late command's failure is observed, never thrown.</summary>
    public async Task<TResult> Within<TResult>(Task<TResult> sent, long started, CancellationToken cancellationToken)
    {
        TimeSpan left = timeout - Stopwatch.GetElapsedTime(started);
        try
        {
            return await sent.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
        catch when (!sent.IsCompleted)
        {
            _ = sent.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>Redis trouble, which the contract turns into a logged miss; the caller's own cancellation is not.</summary>
    private static bool IsOperational(Exception exception, CancellationToken cancellationToken) =>
        !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private async ValueTask<IDatabase> DatabaseAsync(long started, CancellationToken cancellationToken)
    {
        IConnectionMultiplexer opened = connection.IsCompletedSuccessfully
            ? connection.Result
            : await Within(connection, started, cancellationToken).ConfigureAwait(false);
        return opened.GetDatabase(); // the configuration's default database
    }
}
