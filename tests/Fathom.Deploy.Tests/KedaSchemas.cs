using YamlDotNet.RepresentationModel;
using static Fathom.Deploy.Tests.Schema;

namespace Fathom.Deploy.Tests;

/// <summary>
/// Allowed fields of the custom resources the manifests use, written from their documentation
/// (sources in keda/README.md):
/// ScaledObject / TriggerAuthentication — keda.sh/docs reference/scaledobject-spec, scalers/redis-streams,
/// scalers/cron, scalers/external-push; InterceptorRoute — http-add-on
/// operator/apis/http/v1beta1/interceptorroute_types.go and keda.sh/http-add-on/0.15/reference/interceptorroute;
/// ServiceMonitor — Prometheus Operator API (the fields used here and their common neighbours);
/// Application — Argo CD's Application spec (the fields used here and their common neighbours).
/// </summary>
public static class KedaSchemas
{
    private static readonly ObjectSchema Metadata = Obj(
        Req("name", Text),
        Opt("namespace", Text),
        Opt("labels", MapOf(Text)),
        Opt("annotations", MapOf(Text)),
        Opt("finalizers", ListOf(Text)));

    /// <summary>Trigger type → (allowed metadata keys, required keys), from the scaler docs.</summary>
    public static IReadOnlyDictionary<string, (string[] Allowed, string[] Required)> TriggerMetadata { get; } =
        new Dictionary<string, (string[], string[])>
        {
            ["external-push"] = (
                ["scalerAddress", "tlsCertFile", "caCert", "tlsClientCert", "tlsClientKey", "unsafeSsl",
                    // passed through to the HTTP add-on's external scaler
                    "interceptorRoute", "httpScaledObject"],
                ["scalerAddress"]),
            ["redis-streams"] = (
                ["address", "addressFromEnv", "host", "hostFromEnv", "port", "portFromEnv",
                    "username", "usernameFromEnv", "passwordFromEnv", "stream", "consumerGroup",
                    "pendingEntriesCount", "streamLength", "lagCount", "activationLagCount",
                    "enableTLS", "unsafeSsl", "databaseIndex"],
                ["stream"]),
            ["cron"] = (["timezone", "start", "end", "desiredReplicas"], ["timezone", "start", "end", "desiredReplicas"]),
        };

    private static readonly ObjectSchema Trigger = Obj(
        Req("type", OneOf([.. TriggerMetadata.Keys])),
        Opt("name", Text),
        Req("metadata", MapOf(Text)),
        Opt("authenticationRef", Obj(Req("name", Text), Opt("kind", OneOf("TriggerAuthentication", "ClusterTriggerAuthentication")))),
        Opt("metricType", OneOf("AverageValue", "Value", "Utilization")),
        Opt("useCachedMetrics", Flag)) with
    { Rule = TriggerRule };

    private static readonly ObjectSchema ScaledObjectSpec = Obj(
        Req("scaleTargetRef", Obj(Req("name", Text), Opt("apiVersion", Text), Opt("kind", Text), Opt("envSourceContainerName", Text))),
        Opt("pollingInterval", Whole),
        Opt("cooldownPeriod", Whole),
        Opt("initialCooldownPeriod", Whole),
        Opt("idleReplicaCount", Whole),
        Opt("minReplicaCount", Whole),
        Opt("maxReplicaCount", Whole),
        Opt("fallback", Obj(Req("failureThreshold", Whole), Req("replicas", Whole),
            Opt("behavior", OneOf("static", "currentReplicas", "currentReplicasIfHigher", "currentReplicasIfLower")))),
        Opt("advanced", Obj(
            Opt("restoreToOriginalReplicaCount", Flag),
            Opt("horizontalPodAutoscalerConfig", Obj(Opt("name", Text), Opt("behavior", Any))),
            Opt("scalingModifiers", Obj(Req("target", Text), Opt("activationTarget", Text), Opt("metricType", OneOf("AverageValue", "Value")), Req("formula", Text))))),
        Req("triggers", ListOf(Trigger)));

    private static readonly ObjectSchema SecretRef = Obj(Req("parameter", Text), Req("name", Text), Req("key", Text));

    private static readonly ObjectSchema TriggerAuthenticationSpec = Obj(
        Opt("secretTargetRef", ListOf(SecretRef)),
        Opt("configMapTargetRef", ListOf(SecretRef)),
        Opt("env", ListOf(Obj(Req("parameter", Text), Req("name", Text), Opt("containerName", Text)))),
        Opt("podIdentity", Any),
        Opt("hashiCorpVault", Any),
        Opt("azureKeyVault", Any),
        Opt("awsSecretManager", Any),
        Opt("gcpSecretManager", Any),
        Opt("boundServiceAccountToken", Any));

    private static string? ExactlyOnePort(YamlMappingNode m) =>
        (m.At("port") is null) == (m.At("portName") is null) ? "exactly one of port or portName must be set" : null;

    private static readonly ObjectSchema ServiceRef = Obj(Req("name", Text), Opt("port", Whole), Opt("portName", Text)) with { Rule = ExactlyOnePort };

    private static readonly ObjectSchema InterceptorRouteSpec = Obj(
        Req("target", Obj(Req("service", Text), Opt("port", Whole), Opt("portName", Text)) with { Rule = ExactlyOnePort }),
        Opt("rules", ListOf(Obj(
            Opt("hosts", ListOf(Text)),
            Opt("paths", ListOf(Obj(Req("value", Text)))),
            Opt("headers", ListOf(Obj(Req("name", Text), Opt("value", Text))))))),
        Req("scalingMetric", Obj(
            Opt("concurrency", Obj(Req("targetValue", Whole))),
            Opt("requestRate", Obj(Req("targetValue", Whole), Opt("window", Duration), Opt("granularity", Duration)))) with
        {
            Rule = m => m.At("concurrency") is null && m.At("requestRate") is null ? "at least one of concurrency or requestRate must be set" : null,
        }),
        Opt("coldStart", Obj(
            Opt("fallback", Obj(Opt("service", ServiceRef))),
            Opt("placeholder", Obj(Req("response", Obj(
                Opt("statusCode", Whole), Opt("body", Text),
                Opt("bodyFromConfigMap", Obj(Req("name", Text), Opt("key", Text))),
                Opt("headers", MapOf(Text))))))) with
        {
            Rule = m => m.At("fallback") is null && m.At("placeholder") is null ? "at least one of fallback or placeholder must be set" : null,
        }),
        Opt("timeouts", Obj(Opt("readiness", Duration), Opt("request", Duration), Opt("responseHeader", Duration))));

    private static readonly ObjectSchema ServiceMonitorSpec = Obj(
        Req("selector", Obj(Opt("matchLabels", MapOf(Text)), Opt("matchExpressions", Any))),
        Opt("namespaceSelector", Obj(Opt("matchNames", ListOf(Text)), Opt("any", Flag))),
        Req("endpoints", ListOf(Obj(
            Opt("port", Text), Opt("targetPort", Any), Opt("path", Text), Opt("scheme", OneOf("http", "https")),
            Opt("interval", Duration), Opt("scrapeTimeout", Duration), Opt("honorLabels", Flag),
            Opt("relabelings", Any), Opt("metricRelabelings", Any), Opt("tlsConfig", Any), Opt("authorization", Any)))),
        Opt("jobLabel", Text),
        Opt("targetLabels", ListOf(Text)),
        Opt("podTargetLabels", ListOf(Text)),
        Opt("sampleLimit", Whole));

    private static readonly ObjectSchema PrometheusRuleSpec = Obj(
        Req("groups", ListOf(Obj(
            Req("name", Text), Opt("interval", Duration), Opt("limit", Whole),
            Req("rules", ListOf(Obj(
                Opt("alert", Text), Opt("record", Text), Req("expr", Text), Opt("for", Duration), Opt("keep_firing_for", Duration),
                Opt("labels", MapOf(Text)), Opt("annotations", MapOf(Text)))))))));

    private static readonly ObjectSchema ApplicationSpec = Obj(
        Req("project", Text),
        Req("source", Obj(Req("repoURL", Text), Opt("targetRevision", Text), Opt("path", Text), Opt("kustomize", Any), Opt("helm", Any), Opt("directory", Any))),
        Req("destination", Obj(Opt("server", Text), Opt("name", Text), Opt("namespace", Text)) with
        {
            Rule = m => (m.At("server") is null) == (m.At("name") is null) ? "exactly one of server or name must be set" : null,
        }),
        Opt("syncPolicy", Obj(
            Opt("automated", Obj(Opt("prune", Flag), Opt("selfHeal", Flag), Opt("allowEmpty", Flag))),
            Opt("syncOptions", ListOf(Text)),
            Opt("retry", Obj(Opt("limit", Whole), Opt("backoff", Obj(Opt("duration", Duration), Opt("factor", Whole), Opt("maxDuration", Duration))))),
            Opt("managedNamespaceMetadata", Any))),
        Opt("ignoreDifferences", ListOf(Obj(
            Opt("group", Text), Req("kind", Text), Opt("name", Text), Opt("namespace", Text),
            Opt("jsonPointers", ListOf(Text)), Opt("jqPathExpressions", ListOf(Text)), Opt("managedFieldsManagers", ListOf(Text))))),
        Opt("revisionHistoryLimit", Whole),
        Opt("info", Any));

    private static ObjectSchema Root(string apiVersion, string kind, Schema spec) =>
        Obj(Req("apiVersion", OneOf(apiVersion)), Req("kind", OneOf(kind)), Req("metadata", Metadata), Req("spec", spec));

    /// <summary>"apiVersion/kind" → schema of the whole object.</summary>
    public static IReadOnlyDictionary<string, ObjectSchema> ByType { get; } = new Dictionary<string, ObjectSchema>
    {
        ["keda.sh/v1alpha1/ScaledObject"] = Root("keda.sh/v1alpha1", "ScaledObject", ScaledObjectSpec),
        ["keda.sh/v1alpha1/TriggerAuthentication"] = Root("keda.sh/v1alpha1", "TriggerAuthentication", TriggerAuthenticationSpec),
        ["http.keda.sh/v1beta1/InterceptorRoute"] = Root("http.keda.sh/v1beta1", "InterceptorRoute", InterceptorRouteSpec),
        ["monitoring.coreos.com/v1/ServiceMonitor"] = Root("monitoring.coreos.com/v1", "ServiceMonitor", ServiceMonitorSpec),
        ["monitoring.coreos.com/v1/PrometheusRule"] = Root("monitoring.coreos.com/v1", "PrometheusRule", PrometheusRuleSpec),
        ["argoproj.io/v1alpha1/Application"] = Root("argoproj.io/v1alpha1", "Application", ApplicationSpec),
    };

    public static List<string> Validate(Manifest m)
    {
        var errors = new List<string>();
        if (!ByType.TryGetValue($"{m.ApiVersion}/{m.Kind}", out var schema))
        {
            errors.Add($"no schema for {m.ApiVersion}/{m.Kind}");
            return errors;
        }
        schema.Check(m.Root, m.Kind, errors);
        return errors;
    }

    private static string? TriggerRule(YamlMappingNode trigger)
    {
        var type = trigger.Str("type") ?? "";
        if (!TriggerMetadata.TryGetValue(type, out var keys))
        {
            return null; // reported by the type field
        }
        var metadata = trigger.StrMap("metadata");
        var problems = new List<string>();
        problems.AddRange(metadata.Keys.Where(k => !keys.Allowed.Contains(k)).Select(k => $"metadata.{k} is not a documented {type} parameter"));
        problems.AddRange(keys.Required.Where(k => !metadata.ContainsKey(k)).Select(k => $"metadata.{k} is required for {type}"));
        switch (type)
        {
            case "redis-streams":
                if (!new[] { "address", "addressFromEnv", "host", "hostFromEnv" }.Any(metadata.ContainsKey))
                {
                    problems.Add("redis-streams needs address, addressFromEnv, host or hostFromEnv");
                }
                if (metadata.ContainsKey("lagCount") && !metadata.ContainsKey("consumerGroup"))
                {
                    problems.Add("lagCount needs consumerGroup");
                }
                break;
            case "cron":
                if (metadata.TryGetValue("start", out var start) && metadata.TryGetValue("end", out var end) && start == end)
                {
                    problems.Add("cron start and end must differ");
                }
                break;
            case "external-push":
                if (metadata.TryGetValue("scalerAddress", out var address)
                    && address.StartsWith("keda-add-ons-http-external-scaler", StringComparison.Ordinal)
                    && metadata.ContainsKey("interceptorRoute") == metadata.ContainsKey("httpScaledObject"))
                {
                    problems.Add("the HTTP add-on scaler needs exactly one of interceptorRoute or httpScaledObject");
                }
                break;
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
