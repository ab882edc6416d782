using System.Diagnostics.CodeAnalysis;
using Azure.Core;
using Azure.Identity;

namespace Fathom.Connections.Entra;

/// <summary>
/// Whether this build can sign in to Azure with <c>DefaultAzureCredential</c>, and the one place that creates it.
/// Azure.Identity and MSAL are 3.7 MB of an app's Native AOT binary, about 12 ms of every cold start and 2.7 MiB of idle
/// memory (bench/ANALYSIS.md, section 4), paid by every app whether passwordless Azure is on or not. So a function app
/// is built without them unless <c>-p:FathomAzureSignIn=true</c> (the <c>-azure</c> images that
/// <c>k8s/overlays/azure</c> runs): the switch below is a compile-time constant to the AOT compiler, which then drops
/// the credential. Libraries, tests and tools run with it on, the runtime's default for an unset switch.
/// </summary>
public static class AzureSignIn
{
    public const string Switch = "Fathom.AzureSignIn.IsSupported";

    [FeatureSwitchDefinition(Switch)]
    public static bool IsSupported => !AppContext.TryGetSwitch(Switch, out var on) || on;

    /// <summary>Why <paramref name="what"/> cannot work in this build, and which build has it.</summary>
    public static string NotInThisBuild(string what) =>
        $"{what}, but this build leaves out Azure sign-in (DefaultAzureCredential). Run the images built with " +
        "scripts/images.sh --azure (tags ending -azure, as k8s/overlays/azure deploys), or build with -p:FathomAzureSignIn=true.";

    /// <summary>The credential for workload identity in AKS (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE).</summary>
    public static TokenCredential Credential(string what) =>
        IsSupported ? new DefaultAzureCredential() : throw new NotSupportedException(NotInThisBuild(what));
}
