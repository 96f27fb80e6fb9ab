namespace Cache.Memcached.Cluster;

/// <summary>A request for a server in its backoff: it fails at once, as a logged miss.</summary>
internal sealed class ServerDownException(ServerAddress address, TimeSpan retryIn)
    : IOException($"memcached {address} is down; it is tried again in {retryIn.TotalMilliseconds:0} ms.")
{
}
