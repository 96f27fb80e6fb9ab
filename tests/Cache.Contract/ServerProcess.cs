using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cache.Contract;

/// <summary>
/// A real server process on a free loopback port, for the backends' tests. It can be stopped and
/// started again on the same port, or paused and resumed, to show what a cache does while its
/// server is away or stalled.
/// </summary>
public abstract class ServerProcess : IDisposable
{
    private Process? _process;

    /// <summary>Picks a free port; the derived class starts the server.</summary>
    protected ServerProcess() => Port = FreePort();

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's name in messages.</summary>
    protected abstract string Name { get; }

    /// <summary>The executable.</summary>
    protected abstract string Executable { get; }

    /// <summary>Starts the server (again) on <see cref="Port"/> and waits until it accepts connections.</summary>
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
        foreach (string argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        _process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        if (!_process.Start())
        {
            throw new InvalidOperationException($"{Executable} did not start");
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when the port takes a connection: a refused connect fails at once, so this waits for
        // the server, bounded, never for a span of time.
        var deadline = Stopwatch.StartNew();
        while (!Accepts())
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"{Name} did not get ready on port {Port} within 10 s:\n{string.Join('\n', output)}");
            }

            Thread.Yield();
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
    public void Dispose()
    {
        Stop(); // SIGKILL ends a paused server too
        GC.SuppressFinalize(this);
    }

    /// <summary>Finds an executable on the PATH or where Debian installs it.</summary>
    protected static string Find(string name, string package) =>
        ((string[])[.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/bin", "/usr/sbin", "/usr/local/bin"])
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} was not found. ./test.sh installs it (Debian's {package} package); these tests need a real server.");

    /// <summary>The command line's arguments, the port among them.</summary>
    protected abstract IEnumerable<string> Arguments();

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Signal(string signal)
    {
        int pid = _process is { HasExited: false } running ? running.Id : throw new InvalidOperationException("The server is not running.");
        using Process kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
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
}
