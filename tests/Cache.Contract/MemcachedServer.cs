using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Cache.Contract;

/// <summary>A real memcached on a free loopback port (TCP only), with a raw text connection for tests to look at what is stored.</summary>
public sealed class MemcachedServer : ServerProcess
{
    private static readonly string Path = Find("memcached", "memcached");
    private readonly string[] _extraArguments;

    /// <summary>Starts a server.</summary>
    /// <param name="extraArguments">More memcached arguments, such as <c>-I 64k</c> (the item size limit).</param>
    public MemcachedServer(params string[] extraArguments)
    {
        _extraArguments = extraArguments;
        Start();
    }

    /// <summary>The server as <c>MemcachedCacheOptions.Servers</c> names it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <inheritdoc/>
    protected override string Name => "memcached";

    /// <inheritdoc/>
    protected override string Executable => Path;

    /// <summary>Sends raw protocol text on a connection of its own and returns what the server answered up to (and with) the line <paramref name="until"/> ends.</summary>
    /// <param name="command">The command text, CR LF included.</param>
    /// <param name="until">The end of the answer, such as <c>"END\r\n"</c> or <c>"MN\r\n"</c>.</param>
    /// <returns>The answer.</returns>
    public string Send(string command, string until)
    {
        using RawConnection connection = Connect();
        return connection.Send(command, until);
    }

    /// <summary>One counter of the server's <c>stats</c>, read on a connection of its own.</summary>
    /// <param name="name">Its name, such as <c>curr_items</c>.</param>
    /// <returns>Its value.</returns>
    public long Stat(string name)
    {
        using RawConnection connection = Connect();
        return connection.Stat(name);
    }

    /// <summary>A raw text connection that stays open, so that counting connections counts it once and no closing one.</summary>
    /// <returns>The connection.</returns>
    public RawConnection Connect() => new(Port);

    /// <summary>A raw text connection to the server.</summary>
    public sealed class RawConnection : IDisposable
    {
        private readonly TcpClient _client;

        internal RawConnection(int port) => _client = new TcpClient("127.0.0.1", port) { ReceiveTimeout = 10_000 };

        /// <summary>Sends raw protocol text and returns the answer up to (and with) <paramref name="until"/>.</summary>
        /// <param name="command">The command text, CR LF included.</param>
        /// <param name="until">The end of the answer.</param>
        /// <returns>The answer.</returns>
        public string Send(string command, string until)
        {
            NetworkStream stream = _client.GetStream();
            stream.Write(Encoding.ASCII.GetBytes(command));
            var answer = new StringBuilder();
            byte[] buffer = new byte[65536];
            while (!answer.ToString().EndsWith(until, StringComparison.Ordinal))
            {
                int read = stream.Read(buffer);
                if (read == 0)
                {
                    break;
                }

                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return answer.ToString();
        }

        /// <summary>One counter of the server's <c>stats</c>.</summary>
        /// <param name="name">Its name.</param>
        /// <returns>Its value.</returns>
        public long Stat(string name)
        {
            string line = Send("stats\r\n", "END\r\n").Split("\r\n").Single(l => l.StartsWith($"STAT {name} ", StringComparison.Ordinal));
            return long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }

        /// <inheritdoc/>
        public void Dispose() => _client.Dispose();
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> Arguments() =>
        [.. Environment.UserName == "root" ? ["-u", "root"] : (string[])[], "-p", Port.ToString(CultureInfo.InvariantCulture), "-l", "127.0.0.1", "-U", "0", "-m", "64", .. _extraArguments];
}
