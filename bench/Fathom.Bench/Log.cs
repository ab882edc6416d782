namespace Fathom.Bench;

public static class Log
{
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    public static void Line(string text) => Console.Out.WriteLine($"[bench {Clock.Elapsed:mm\\:ss}] {text}");
}
