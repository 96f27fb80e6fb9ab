using System.Globalization;
using Cache.Core;

namespace Cache.Replay;

/// <summary>The command line: a trace, the sizes, default TTLs and eviction policies to try, and where the chart goes.</summary>
internal sealed record ReplayArguments(string Trace, int[]? MaxSizes, TimeSpan[]? DefaultTtls, string Chart, EvictionPolicy[]? Policies = null)
{
    public const string Usage =
        "usage: Cache.Replay TRACE [--max-size 100,1000,10000] [--default-ttl 30s,5m,1h,inf] [--policy lru,tinylfu] [--chart PATH, default TRACE.hit-rate.png]\n" +
        "  TRACE: a trace written by InMemoryCacheOptions.Recorder, or a text file of one key per line\n" +
        "         (optionally followed by the access time in seconds; otherwise accesses are 1 ms apart).\n" +
        "  Without --max-size or --default-ttl, a recorded trace replays with the options it was recorded with;\n" +
        "  a text trace with 100,1000,10000 and 1h. --policy: exact LRU (lru, the default), W-TinyLFU (tinylfu), or both, one curve each.";

    /// <exception cref="FormatException">
    /// An argument is missing or malformed, or the chart's folder does not exist; the message says which.
    /// </exception>
    public static ReplayArguments Parse(string[] args)
    {
        string? trace = null;
        int[]? sizes = null;
        TimeSpan[]? ttls = null;
        EvictionPolicy[]? policies = null;
        string? chart = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--max-size":
                    sizes = [.. Values(args, ++i, "--max-size").Select(ParseSize)];
                    break;
                case "--default-ttl":
                    ttls = [.. Values(args, ++i, "--default-ttl").Select(ParseTtl)];
                    break;
                case "--policy":
                    policies = [.. Values(args, ++i, "--policy").Select(ParsePolicy).Distinct()];
                    break;
                case "--chart":
                    chart = i + 1 < args.Length ? args[++i] : throw new FormatException("--chart needs a file name");
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || trace is not null)
                    {
                        throw new FormatException($"unexpected argument '{args[i]}'");
                    }

                    trace = args[i];
                    break;
            }
        }

        if (trace is null)
        {
            throw new FormatException("no trace given");
        }

        if (chart is null)
        {
            // Beside the trace, never into the folder the tool was run from (a repository's root,
            // say); its folder is the trace's, which reading the trace checks.
            chart = trace + ".hit-rate.png";
        }
        else if (Path.GetDirectoryName(Path.GetFullPath(chart)) is { Length: > 0 } folder && !Directory.Exists(folder))
        {
            throw new FormatException($"--chart: the folder '{folder}' does not exist");
        }

        return new ReplayArguments(trace, sizes, ttls, chart, policies);
    }

    /// <summary>lru or tinylfu, in any case.</summary>
    /// <exception cref="FormatException">Neither.</exception>
    public static EvictionPolicy ParsePolicy(string text) => text.ToUpperInvariant() switch
    {
        "LRU" => EvictionPolicy.Lru,
        "TINYLFU" or "W-TINYLFU" => EvictionPolicy.TinyLfu,
        _ => throw new FormatException($"'{text}' is not an eviction policy: give lru, tinylfu, or both"),
    };

    /// <summary>A TTL such as 90s, 5m, 1h, 2d, 250ms, or inf (never expires).</summary>
    /// <exception cref="FormatException">Not a TTL, or not one a TimeSpan can hold (at least one tick, finite, within range).</exception>
    public static TimeSpan ParseTtl(string text)
    {
        if (text is "inf" or "infinite")
        {
            return Timeout.InfiniteTimeSpan;
        }

        (string number, double unitSeconds) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ when text.EndsWith('h') => (text[..^1], 3600.0),
            _ when text.EndsWith('d') => (text[..^1], 86400.0),
            _ => throw new FormatException($"'{text}' is not a TTL: give a number with ms, s, m, h or d, or inf"),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0))
        {
            throw new FormatException($"'{text}' is not a positive TTL");
        }

        if (!Seconds.TryToTimeSpan(value * unitSeconds, out TimeSpan ttl))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is too long a TTL: at most {TimeSpan.MaxValue.TotalDays:N0} days, or inf for one that never expires"));
        }

        return ttl > TimeSpan.Zero ? ttl : throw new FormatException($"'{text}' is shorter than the shortest TTL (one tick, 100 ns)");
    }

    private static int ParseSize(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int size) && size >= 1
            ? size
            : throw new FormatException($"'{text}' is not a MaxSize (a whole number, at least 1)");

    private static string[] Values(string[] args, int index, string option) =>
        index < args.Length
            ? args[index].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : throw new FormatException($"{option} needs a comma-separated list");
}
