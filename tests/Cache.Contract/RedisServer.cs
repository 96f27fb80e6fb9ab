using System.Globalization;

namespace Cache.Contract;

/// <summary>A real redis-server on a free loopback port, with no persistence (<c>--save "" --appendonly no</c>).</summary>
public sealed class RedisServer : ServerProcess
{
    private static readonly string Path = Find("redis-server", "redis-server");
    private readonly string[] _extraArguments;

    /// <summary>Starts a server.</summary>
    /// <param name="extraArguments">More redis-server arguments, such as <c>--maxmemory 2mb</c>.</param>
    public RedisServer(params string[] extraArguments)
    {
        _extraArguments = extraArguments;
        Start();
    }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <inheritdoc/>
    protected override string Name => "redis-server";

    /// <inheritdoc/>
    protected override string Executable => Path;

    /// <inheritdoc/>
    protected override IEnumerable<string> Arguments() =>
        ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", .. _extraArguments];
}
