using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Fathom.Bench;

/// <summary>What the numbers were measured on.</summary>
public static class Machine
{
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[..3] is var parts ? string.Join(' ', parts) : "";

    public static double Load1() => double.Parse(LoadAverage().Split(' ')[0], CultureInfo.InvariantCulture);

    public static JsonObject Describe()
    {
        var cpuinfo = File.ReadAllLines("/proc/cpuinfo");
        var model = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memKb = long.Parse(File.ReadAllLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["date"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
            ["nproc"] = Environment.ProcessorCount,
            ["cpu"] = model,
            ["memoryGiB"] = Math.Round(memKb / 1024d / 1024d, 1),
            ["kernel"] = Run("uname", "-r"),
            ["os"] = RuntimeInformation.OSDescription,
            ["dotnetSdk"] = Run("dotnet", "--version"),
            ["dotnetRuntime"] = RuntimeInformation.FrameworkDescription,
            ["loadAverageAtStart"] = LoadAverage(),
            ["commit"] = Run("git", "rev-parse", "--short", "HEAD"),
            // Other people work in the same tree: how many files differed from that commit when the run started.
            ["uncommittedFiles"] = Run("git", "status", "--porcelain").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length,
        };
    }

    /// <summary>CPU seconds (user + system) a process has used, from /proc/&lt;pid&gt;/stat; NaN when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ", field 3 is state; utime and stime are fields 14 and 15 of the whole line.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100d;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>CPU seconds of every process with this command name (exited ones not counted).</summary>
    public static double CpuSecondsOf(string command)
        => Directory.EnumerateDirectories("/proc")
            .Select(d => Path.GetFileName(d))
            .Where(pid => pid.All(char.IsAsciiDigit) && ReadComm(pid) == command)
            .Select(pid => CpuSeconds(int.Parse(pid, CultureInfo.InvariantCulture)))
            .Where(seconds => !double.IsNaN(seconds))
            .Sum();

    private static string? ReadComm(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static string Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(30_000);
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
