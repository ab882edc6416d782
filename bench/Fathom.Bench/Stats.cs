namespace Fathom.Bench;

/// <summary>Order statistics of a sample (linear interpolation between closest ranks).</summary>
public static class Stats
{
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static double Median(IReadOnlyCollection<double> values) => Percentile(values, 50);

    public static double Round(double value, int digits = 1) => double.IsNaN(value) ? value : Math.Round(value, digits);
}
