namespace Fathom.Functions.Hosting;

/// <summary>The <c>outcome</c> label of <c>fathom_function_invocations_total</c>; k8s/monitoring's alerts and the operations page use these values.</summary>
public static class InvocationOutcome
{
    public const string Success = "success";

    /// <summary>Failed; a stream entry will be delivered again.</summary>
    public const string Failure = "failure";

    /// <summary>A stream entry given back unfinished because the process was shutting down.</summary>
    public const string Released = "released";

    /// <summary>Out of deliveries: moved to the dead-letter stream.</summary>
    public const string DeadLetter = "dead_letter";
}
