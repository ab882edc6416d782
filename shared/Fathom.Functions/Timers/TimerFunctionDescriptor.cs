using System.Globalization;
using Cronos;
using Fathom.Functions.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Fathom.Functions;

public sealed record TimerFunctionDescriptor(
    string Name,
    string Schedule,
    bool RunOnStartup,
    Func<TimerInfo, FunctionContext, Task> Invoke) : FunctionDescriptor(Name)
{
    public override FunctionDescriptor ResolveSettings(Func<string, string> resolve) => this with { Schedule = resolve(Schedule) };

    public override void Register(IServiceCollection services)
        => services.AddSingleton<IHostedService>(sp => ActivatorUtilities.CreateInstance<TimerListener>(sp, this));

    public override string Describe(FunctionTableContext table)
    {
        var next = CronExpression.Parse(Schedule, CronFormat.IncludeSeconds).GetNextOccurrence(table.Time.GetUtcNow(), TimeZoneInfo.Utc);
        return $"timerTrigger '{Schedule}' (next {next?.ToString("u", CultureInfo.InvariantCulture) ?? "never"})";
    }
}
