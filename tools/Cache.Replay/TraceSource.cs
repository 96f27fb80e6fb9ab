using System.Globalization;
using Cache.Async;
using Cache.Core;
using Cache.Async.Recording;

namespace Cache.Replay;

/// <summary>A trace file: recorded (binary, with the options it was recorded with) or plain text.</summary>
internal sealed class TraceSource(string path)
{
    private static readonly TimeSpan TextSpacing = TimeSpan.FromMilliseconds(1);

    /// <summary>The options a recorded trace was made with; null for a text trace.</summary>
    /// <exception cref="InvalidDataException">(From the constructor) the header holds options no cache could have had.</exception>
    public CacheOptions? RecordedOptions { get; } = ReadOptions(path);

    /// <summary>The records, read afresh from the file on each call, so a replay holds one record at a time.</summary>
    /// <exception cref="InvalidDataException">A record, or a text line's time, is not one the trace could hold.</exception>
    public IEnumerable<TraceRecord> Records()
    {
        using FileStream file = File.OpenRead(path);
        if (TraceFormat.TryReadHeader(file, out _))
        {
            foreach (TraceRecord record in TraceFormat.ReadRecords(file))
            {
                yield return record;
            }

            yield break;
        }

        file.Position = 0;
        using var reader = new StreamReader(file);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            string[] columns = text.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (columns.Length == 0)
            {
                continue;
            }

            TimeSpan time = TextSpacing * line;
            if (columns.Length > 1 && double.TryParse(columns[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                && !Seconds.TryToTimeSpan(seconds, out time))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"line {line}: '{columns[1]}' is not a time in seconds that a TimeSpan can hold."));
            }

            yield return new TraceRecord(TraceOperation.LookupOrSet, TraceFormat.HashOf(columns[0]), time, null);
        }
    }

    private static CacheOptions? ReadOptions(string path)
    {
        using FileStream file = File.OpenRead(path);
        return TraceFormat.TryReadHeader(file, out CacheOptions options) ? options : null;
    }
}
