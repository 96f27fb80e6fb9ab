using ScottPlot;

namespace Cache.Replay;

/// <summary>Hit rate against MaxSize, one line a policy and DefaultTtl, as a PNG (ScottPlot).</summary>
internal static class HitRateChart
{
    /// <param name="path">Where the PNG goes.</param>
    /// <param name="trace">The trace's path: the title names its file.</param>
    /// <param name="rows">The replays, one a policy x MaxSize x DefaultTtl.</param>
    public static void Save(string path, string trace, IReadOnlyList<ReplayRow> rows)
    {
        var plot = new Plot();
        foreach (var line in rows.GroupBy(row => (row.Policy, row.DefaultTtl)))
        {
            ReplayRow[] points = [.. line.OrderBy(row => row.MaxSize)];
            var scatter = plot.Add.Scatter(points.Select(p => Math.Log10(p.MaxSize)).ToArray(), points.Select(p => p.Result.HitRate * 100).ToArray());
            scatter.LegendText = $"{ReplayRow.Format(line.Key.Policy)}, DefaultTtl {ReplayRow.Format(line.Key.DefaultTtl)}";
        }

        // A log scale for MaxSize: ticks at the sizes replayed, labelled with the sizes themselves.
        int[] sizes = [.. rows.Select(row => row.MaxSize).Distinct().Order()];
        plot.Axes.Bottom.SetTicks([.. sizes.Select(size => Math.Log10(size))], [.. sizes.Select(size => size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsY(0, 100);
        plot.XLabel("MaxSize (entries, log scale)");
        plot.YLabel("Hit rate (%)");
        long lookups = rows.Count > 0 ? rows[0].Result.Hits + rows[0].Result.Misses : 0;
        plot.Title(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Replayed hit rate: {Path.GetFileName(trace)}, {lookups:N0} lookups"));
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 540);
    }
}
