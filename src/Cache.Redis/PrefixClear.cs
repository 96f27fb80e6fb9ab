using System.Diagnostics;
using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>
/// Clear for one prefix: SCAN for its keys and UNLINK them page by page, on every primary; never
/// FLUSHDB, so keys outside the prefix are untouched. Each round trip has an operation timeout of its own.
/// </summary>
internal static class PrefixClear
{
    private const int PageSize = 1000;

    /// <summary>Removes every key of <paramref name="keys"/>' prefix; a failure is logged and ends the Clear early.</summary>
    public static ValueTask<bool> RunAsync(RedisOperations operations, KeyNamespace keys, CancellationToken cancellationToken) =>
        operations.RunAsync(
            "SCAN/UNLINK",
            keys.Pattern,
            async (database, _) =>
            {
                foreach (IServer server in database.Multiplexer.GetServers())
                {
                    if (!server.IsReplica)
                    {
                        await ClearOnAsync(operations, keys, server, database, cancellationToken).ConfigureAwait(false);
                    }
                }

                return true;
            },
            fallback: false,
            cancellationToken);

    private static async Task ClearOnAsync(RedisOperations operations, KeyNamespace keys, IServer server, IDatabase database, CancellationToken cancellationToken)
    {
        IAsyncEnumerator<RedisKey> scan = server.KeysAsync(database.Database, keys.PatternBytes, PageSize).GetAsyncEnumerator(cancellationToken);
        await using (scan.ConfigureAwait(false))
        {
            var page = new List<RedisKey>(PageSize);
            while (true)
            {
                bool more = await operations.Within(scan.MoveNextAsync().AsTask(), Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
                if (more)
                {
                    page.Add(scan.Current);
                }

                if (page.Count == PageSize || (!more && page.Count > 0))
                {
                    await operations.Within(database.KeyDeleteAsync([.. page]), Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
                    page.Clear();
                }

                if (!more)
                {
                    return;
                }
            }
        }
    }
}
