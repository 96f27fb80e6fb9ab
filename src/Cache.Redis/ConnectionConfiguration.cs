using StackExchange.Redis;

namespace Cache.Redis;

/// <summary>How an owned connection is configured, whatever the configuration string says about these settings.</summary>
internal static class ConnectionConfiguration
{
    /// <summary>
    /// Parses the configuration string, then: start while Redis is down and keep retrying
    /// (<c>abortConnect=false</c>); fail a command at once while disconnected rather than queue it
    /// (a cache answers a miss, it does not wait for the server); reconnect quickly (every 0.1 s
    /// to 1 s, so a restarted server is used again within a second or two); and time out connects
    /// and commands after the operation timeout.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration string cannot be parsed.</exception>
    public static ConfigurationOptions For(string configuration, TimeSpan operationTimeout)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(configuration);
        int timeout = (int)Math.Min(int.MaxValue, Math.Ceiling(operationTimeout.TotalMilliseconds));
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 100, maxDeltaBackOffMilliseconds: 1000);
        options.ConnectTimeout = timeout;
        options.AsyncTimeout = timeout;
        options.SyncTimeout = timeout;
        return options;
    }
}
