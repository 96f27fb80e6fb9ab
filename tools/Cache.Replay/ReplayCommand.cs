using System.Globalization;
using Cache.Async;
using Cache.Core;
using Cache.Async.Recording;

namespace Cache.Replay;

/// <summary>One replay of the trace: the options tried and what the core counted.</summary>
internal sealed record ReplayRow(int MaxSize, TimeSpan DefaultTtl, ReplayResult Result, EvictionPolicy Policy = EvictionPolicy.Lru)
{
    public static string Format(EvictionPolicy policy) => policy == EvictionPolicy.TinyLfu ? "W-TinyLFU" : "LRU";

    public static string Format(TimeSpan ttl) => ttl == Timeout.InfiniteTimeSpan ? "never" : ttl switch
    {
        { TotalDays: >= 1 } when ttl.TotalDays == Math.Floor(ttl.TotalDays) => $"{ttl.TotalDays:0}d",
        { TotalHours: >= 1 } when ttl.TotalHours == Math.Floor(ttl.TotalHours) => $"{ttl.TotalHours:0}h",
        { TotalMinutes: >= 1 } when ttl.TotalMinutes == Math.Floor(ttl.TotalMinutes) => $"{ttl.TotalMinutes:0}m",
        _ => $"{ttl.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s",
    };
}

/// <summary>Replays a trace for every policy x MaxSize x DefaultTtl, prints a table and writes the chart.</summary>
internal static class ReplayCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        // Bad arguments (a trace that cannot be opened included) exit 2 with the reason and the usage;
        // bad data in the trace exits 1 with one line. Only the exceptions the parsers and the file
        // system throw for those are caught: anything else is a bug, and crashes as one.
        ReplayArguments? arguments = null;
        TraceSource trace;
        try
        {
            arguments = ReplayArguments.Parse(args);
            trace = new TraceSource(arguments.Trace);
        }
        catch (Exception exception) when (exception is FormatException or IOException or UnauthorizedAccessException)
        {
            errors.WriteLine(exception.Message);
            errors.WriteLine(ReplayArguments.Usage);
            return 2;
        }
        catch (InvalidDataException exception)
        {
            errors.WriteLine($"{arguments!.Trace}: {exception.Message}"); // only the trace's header throws this, once the arguments are parsed
            return 1;
        }

        int[] sizes = arguments.MaxSizes ?? (trace.RecordedOptions is { } recorded ? [recorded.MaxSize] : [100, 1_000, 10_000]);
        TimeSpan[] ttls = arguments.DefaultTtls ?? [trace.RecordedOptions?.DefaultTtl ?? TimeSpan.FromHours(1)];
        EvictionPolicy[] policies = arguments.Policies ?? [EvictionPolicy.Lru];
        var rows = new List<ReplayRow>();
        try
        {
            foreach (EvictionPolicy policy in policies)
            {
                foreach (TimeSpan ttl in ttls)
                {
                    foreach (int size in sizes)
                    {
                        var options = new CacheOptions { MaxSize = size, DefaultTtl = ttl, Policy = policy };
                        rows.Add(new ReplayRow(size, ttl, TraceReplay.Run(trace.Records(), options), policy));
                    }
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException)
        {
            errors.WriteLine($"{arguments.Trace}: {exception.Message}");
            return 1;
        }

        output.WriteLine($"{arguments.Trace}: {(trace.RecordedOptions is { } r ? $"recorded with MaxSize {r.MaxSize}, DefaultTtl {ReplayRow.Format(r.DefaultTtl)}" : "a text trace (one lookup a line, stored on a miss)")}");
        if (rows.Count > 0 && rows[0].Result.Lost > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warning: the recorder lost {rows[0].Result.Lost:N0} records (its stream did not keep up); these figures are approximate"));
        }

        output.WriteLine();
        output.WriteLine("| Policy | MaxSize | DefaultTtl | Hit rate | Hits | Misses | Evictions | Expirations |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (ReplayRow row in rows)
        {
            ReplayResult result = row.Result;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {ReplayRow.Format(row.Policy)} | {row.MaxSize:N0} | {ReplayRow.Format(row.DefaultTtl)} | {result.HitRate:P2} | {result.Hits:N0} | {result.Misses:N0} | {result.Evictions:N0} | {result.Expirations:N0} |"));
        }

        try
        {
            HitRateChart.Save(arguments.Chart, arguments.Trace, rows);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"--chart: '{arguments.Chart}' could not be written: {exception.Message}");
            return 2;
        }

        output.WriteLine();
        output.WriteLine($"chart: {Path.GetFullPath(arguments.Chart)}");
        return 0;
    }
}
