using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Fathom.Functions;

/// <summary>
/// One function as the generator found it: its name and its trigger. Each trigger kind is one subtype that registers,
/// resolves and describes itself, so the host never switches on the kind: adding a trigger is a descriptor (here), its
/// listener and the generator's knowledge of its attribute (README "Adding a trigger kind").
/// </summary>
public abstract record FunctionDescriptor(string Name)
{
    /// <summary>Trigger values written as <c>%Name%</c> come from settings, as binding expressions do in Azure.</summary>
    /// <param name="resolve">Returns a value unchanged unless it is a <c>%Name%</c> expression; throws when the setting is missing.</param>
    public virtual FunctionDescriptor ResolveSettings(Func<string, string> resolve) => this;

    /// <summary>Adds what runs the function in the background (a listener), if its trigger needs one.</summary>
    public virtual void Register(IServiceCollection services)
    {
    }

    /// <summary>Maps what runs the function on requests (an endpoint), if its trigger needs one.</summary>
    public virtual void Map(WebApplication app)
    {
    }

    /// <summary>The function's line in the table printed at start-up, after its name (<c>func start</c>'s shape).</summary>
    public abstract string Describe(FunctionTableContext table);
}

/// <summary>What a descriptor may need to describe itself in the function table.</summary>
/// <param name="Address">The first address the server listens on.</param>
/// <param name="RoutePrefix">host.json's <c>extensions.http.routePrefix</c>, without slashes.</param>
public sealed record FunctionTableContext(string Address, string RoutePrefix, TimeProvider Time);
