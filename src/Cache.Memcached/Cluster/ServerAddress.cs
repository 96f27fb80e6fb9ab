using System.Globalization;
using System.Net;

namespace Cache.Memcached.Cluster;

/// <summary>A server as configured: <c>host:port</c>, its text also the server's name on the hash ring and in logs.</summary>
internal sealed record ServerAddress(string Host, int Port)
{
    /// <summary>Parses <c>host:port</c>, or <c>[v6-address]:port</c>.</summary>
    /// <exception cref="ArgumentNullException">The text is null.</exception>
    /// <exception cref="ArgumentException">The text is not a host and a port from 1 to 65535.</exception>
    public static ServerAddress Parse(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        int colon = text.LastIndexOf(':');
        string host = colon > 0 ? text[..colon].Trim() : "";
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0
            || host.Contains(' ', StringComparison.Ordinal)
            || (host.Contains(':', StringComparison.Ordinal) && !IPAddress.TryParse(host, out _))
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw new ArgumentException($"'{text}' is not a server: give it as host:port, such as 127.0.0.1:11211.", paramName);
        }

        return new ServerAddress(host, port);
    }

    /// <summary>The endpoint to connect to: an address as is, a name through DNS when connecting.</summary>
    public EndPoint EndPoint => IPAddress.TryParse(Host, out IPAddress? address) ? new IPEndPoint(address, Port) : new DnsEndPoint(Host, Port);

    /// <inheritdoc/>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
