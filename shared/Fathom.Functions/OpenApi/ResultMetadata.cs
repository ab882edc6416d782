using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;

namespace Fathom.Functions.OpenApi;

/// <summary>
/// Lets a typed result (<c>Results&lt;Ok&lt;T&gt;, NotFound&gt;</c>) add the response metadata it declares, the way minimal
/// APIs do: a static interface call, so no reflection scan and Native AOT stays warning-free. The generated
/// registration passes <c>Of&lt;TResult&gt;</c> for every HTTP function whose result describes itself.
/// </summary>
public static class ResultMetadata
{
    // ASP.NET Core's typed results require the handler's MethodInfo but read nothing from it; a function's handler
    // is a generated lambda, so this method stands in for it.
    private static readonly MethodInfo Handler = typeof(ResultMetadata).GetMethod(nameof(Of))!;

    public static void Of<TResult>(EndpointBuilder builder)
        where TResult : IEndpointMetadataProvider
        => TResult.PopulateMetadata(Handler, builder);
}
