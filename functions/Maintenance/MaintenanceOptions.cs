using Fathom.Functions;

namespace Maintenance.Functions;

/// <summary>Settings under <c>Maintenance</c>; schedules are settings too, so an operator can move them.</summary>
public sealed class MaintenanceOptions
{
    /// <summary>A document PENDING or RUNNING without progress this long is queued again.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Deleted collections and documents stay this long (undo window), then their rows go.</summary>
    public TimeSpan PurgeAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Dead letters older than this are trimmed.</summary>
    public TimeSpan DeadLetterRetention { get; set; } = TimeSpan.FromDays(7);
}

public static class MaintenanceRegistration
{
    public const string RequeueSchedule = "0 */1 * * * *";
    public const string PurgeSchedule = "0 0 * * * *";
    public const string TrimSchedule = "0 */10 * * * *";

    public static FunctionsApplicationBuilder AddMaintenance(this FunctionsApplicationBuilder builder)
    {
        builder.SetDefault("Maintenance:RequeueSchedule", RequeueSchedule);
        builder.SetDefault("Maintenance:PurgeSchedule", PurgeSchedule);
        builder.SetDefault("Maintenance:TrimSchedule", TrimSchedule);
        builder.Services.AddOptions<MaintenanceOptions>().BindConfiguration("Maintenance");
        return builder;
    }
}
