using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cache.Contract;

/// <summary>
/// A real redis-server on a free loopback port, with no persistence (<c>--save "" --appendonly no</c>).
/// It can be stopped and started again on the same port, or paused and resumed, to show what a cache does while its server is away or stalled.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly string[] _extraArguments;
    private Process? _process;

    /// <summary>Starts a server.</summary>
    /// <param name="extraArguments">More redis-server arguments, such as <c>--maxmemory 2mb</c>.</param>
    public RedisServer(params string[] extraArguments)
    {
        _extraArguments = extraArguments;
        Port = FreePort();
        Start();
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The redis-server executable: on the PATH, or where Debian installs it.</summary>
    public static string Executable { get; } = Find();

    /// <summary>Starts the server (again) on <see cref="Port"/> and waits until it answers.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", .. _extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Watch(object sender, DataReceivedEventArgs line)
        {
            if (line.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited before it was ready:\n{string.Join('\n', output)}"));
                return;
            }

            output.Enqueue(line.Data);
            if (line.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += Watch;
        _process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        if (!_process.Start())
        {
            throw new InvalidOperationException($"{Executable} did not start");
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // The server says when it listens; no polling, no sleeping.
        if (!ready.Task.Wait(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"redis-server did not get ready on port {Port} within 10 s:\n{string.Join('\n', output)}");
        }
    }

    /// <summary>Kills the server at once, as a crash or a network cut would look to a client.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Stalls the server (<c>SIGSTOP</c>): its sockets stay open and accept commands, but nothing is
    /// answered until <see cref="Resume"/>, as a server stuck in a long command or a swap storm looks to a client.
    /// </summary>
    public void Pause() => Signal("-STOP");

    /// <summary>Lets a paused server run on (<c>SIGCONT</c>); it then answers what it was sent meanwhile.</summary>
    public void Resume() => Signal("-CONT");

    /// <inheritdoc/>
    public void Dispose() => Stop(); // SIGKILL ends a paused server too

    private void Signal(string signal)
    {
        int pid = _process is { HasExited: false } running ? running.Id : throw new InvalidOperationException("The server is not running.");
        using Process kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start");
        if (!kill.WaitForExit(10_000) || kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {pid} failed");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Find()
    {
        string[] folders = [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/bin", "/usr/sbin", "/usr/local/bin"];
        return folders.Select(folder => Path.Combine(folder, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server was not found. ./test.sh installs it (Debian's redis-server package); the Redis tests need a real server.");
    }
}
