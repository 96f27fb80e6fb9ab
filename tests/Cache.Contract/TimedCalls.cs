using System.Collections.Concurrent;
using System.Diagnostics;

namespace Cache.Contract;

/// <summary>
/// Calls timed on the real clock, and whatever they throw collected: the server backends' fault
/// tests show that no call escapes with an exception and each is bounded by the operation timeout.
/// Wall time on purpose: the bound under test is the client's timeout against a real server process,
/// which runs on the real clock; no FakeTimeProvider reaches it.
/// </summary>
public sealed class TimedCalls
{
    /// <summary>Each call's name and how long it took.</summary>
    public ConcurrentBag<(string Operation, TimeSpan Took)> Calls { get; } = [];

    /// <summary>What the calls threw.</summary>
    public ConcurrentBag<Exception> Thrown { get; } = [];

    /// <summary>Runs <paramref name="call"/>, timing it and keeping what it throws.</summary>
    /// <param name="operation">The call's name in a failure message.</param>
    /// <param name="call">The call.</param>
    /// <returns>A task that completes when the call has.</returns>
    public async Task Run(string operation, Func<Task> call)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await call();
        }
#pragma warning disable CA1031 // Collected, to assert that nothing escapes.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Thrown.Add(exception);
        }

        Calls.Add((operation, Stopwatch.GetElapsedTime(started)));
    }

    /// <summary>Asserts that no call threw and each took at most <paramref name="bound"/>.</summary>
    /// <param name="bound">The operation timeout and a margin.</param>
    public void AssertNoneThrewAndEachWithin(TimeSpan bound)
    {
        Assert.Empty(Thrown);
        (string operation, TimeSpan took) = Calls.MaxBy(call => call.Took);
        Assert.True(took <= bound, $"{operation} took {took.TotalMilliseconds:F0} ms");
    }
}
