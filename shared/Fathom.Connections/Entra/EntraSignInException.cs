namespace Fathom.Connections.Entra;

/// <summary>No token could be had: the message names the setting that switched passwordless on, the resource and its scope.</summary>
public sealed class EntraSignInException(EntraResource resource, Exception inner) : InvalidOperationException(
    $"Passwordless sign-in ({AzureIdentityOptions.EnabledSetting}=true) could not get a Microsoft Entra token for {resource.Name} " +
    $"({resource.Setting}, scope {resource.Scope}): {inner.Message} In AKS, check that the pod's service account carries the annotation " +
    "azure.workload.identity/client-id and the pod the label azure.workload.identity/use: \"true\".", inner)
{
    public EntraResource Resource { get; } = resource;
}
