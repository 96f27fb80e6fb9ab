using ScottPlot;

namespace Cache.Replay;

/// <summary>Hit rate against MaxSize, one line a DefaultTtl, as a PNG (ScottPlot).</summary>
internal static class HitRateChart
{
    public static void Save(string path, IReadOnlyList<ReplayRow> rows)
    {
        var plot = new Plot();
        foreach (IGrouping<TimeSpan, ReplayRow> line in rows.GroupBy(row => row.DefaultTtl))
        {
            ReplayRow[] points = [.. line.OrderBy(row => row.MaxSize)];
            var scatter = plot.Add.Scatter(points.Select(p => Math.Log10(p.MaxSize)).ToArray(), points.Select(p => p.Result.HitRate * 100).ToArray());
            scatter.LegendText = $"DefaultTtl {ReplayRow.Format(line.Key)}";
        }

        // A log scale for MaxSize: ticks at the sizes replayed, labelled with the sizes themselves.
        int[] sizes = [.. rows.Select(row => row.MaxSize).Distinct().Order()];
        plot.Axes.Bottom.SetTicks([.. sizes.Select(size => Math.Log10(size))], [.. sizes.Select(size => size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsY(0, 100);
        plot.XLabel("MaxSize (entries, log scale)");
        plot.YLabel("Hit rate (%)");
        plot.Title("Replayed hit rate");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 540);
    }
}
