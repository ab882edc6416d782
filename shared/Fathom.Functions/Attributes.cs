using Fathom.Http;

namespace Fathom.Functions;

/// <summary>Marks a method as a function; the name is what <c>AzureFunctionsJobHost__functions__N</c> selects.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FunctionAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Who may call an HTTP function, with the isolated worker's names.</summary>
public enum AuthorizationLevel
{
    /// <summary>Anyone.</summary>
    Anonymous,

    /// <summary>A signed-in caller: a valid access token or API key.</summary>
    User,

    /// <summary>A caller holding the host key (<c>x-functions-key</c>), meant for other apps.</summary>
    Function,

    /// <summary>As <see cref="Function"/>.</summary>
    System,

    /// <summary>As <see cref="Function"/>.</summary>
    Admin,
}

[AttributeUsage(AttributeTargets.Parameter)]
public sealed class HttpTriggerAttribute : Attribute
{
    public HttpTriggerAttribute(params string[] methods)
        : this(AuthorizationLevel.Function, methods)
    {
    }

    public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods)
    {
        AuthLevel = authLevel;
        Methods = methods;
    }

    public AuthorizationLevel AuthLevel { get; }

    public string[] Methods { get; }

    /// <summary>Route below the host's route prefix (host.json <c>extensions.http.routePrefix</c>).</summary>
    public string? Route { get; set; }
}

/// <summary>Runs the function for each entry of a Redis stream, through a consumer group (at-least-once).</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class RedisStreamTriggerAttribute(string connection, string key) : Attribute
{
    /// <summary>Name of the setting that holds the Redis configuration string.</summary>
    public string Connection { get; } = connection;

    public string Key { get; } = key;

    /// <summary>Consumer group; the function name when not set.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>Entries read per call; 0 takes host.json's <c>extensions.redisStreams.maxBatchSize</c>.</summary>
    public int MaxBatchSize { get; set; }
}

/// <summary>Runs the function on an NCRONTAB schedule with seconds, once per occurrence across all replicas.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class TimerTriggerAttribute(string schedule) : Attribute
{
    public string Schedule { get; } = schedule;

    public bool RunOnStartup { get; set; }
}

/// <summary>Binds the JSON request body (validated when the type is <see cref="IValidatable"/>).</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class FromBodyAttribute : Attribute;

/// <summary>
/// The API-key scope an HTTP function needs (as Microsoft.Identity.Web's attribute of the same name): what the
/// call does, not its verb. Without it, GET and HEAD need "read" and every other method "write"; a search sent
/// as POST that changes nothing says <c>[RequiredScope("read")]</c>. Access tokens carry no scope limits.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiredScopeAttribute(string scope) : Attribute, IRequiredScopeMetadata
{
    public const string Read = ApiKeyScopes.Read;
    public const string Write = ApiKeyScopes.Write;

    public string Scope => scope;
}
