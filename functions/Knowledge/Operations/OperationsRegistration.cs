using Fathom.Functions;
using Microsoft.Extensions.Options;

namespace Knowledge.Functions.Operations;

/// <summary>
/// The operations API lives in Knowledge: it is already served over HTTP (with its KEDA HTTP scaler and ingress
/// route), and it owns the ingestion stream's writers. Maintenance is scaled by cron, so HTTP there would sleep.
/// </summary>
public static class OperationsRegistration
{
    public static FunctionsApplicationBuilder AddOperations(this FunctionsApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsOptions>().BindConfiguration("Operations").ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OperationsOptions>, OperationsOptionsValidator>();
        builder.Services.AddSingleton<Administrators>();
        builder.Services.AddSingleton<AppStates>();
        builder.Services.AddHttpClient(AppStates.Client);
        return builder;
    }
}
