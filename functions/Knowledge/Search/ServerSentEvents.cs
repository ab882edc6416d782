using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fathom.Knowledge.Stores.Answers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Knowledge.Functions.Search;

/// <summary>Streams answer parts as server-sent events: <c>citations</c>, <c>token</c>…, <c>done</c>.</summary>
public sealed class AnswerEventStream(IAsyncEnumerable<AnswerPart> parts) : IResult, IEndpointMetadataProvider
{
    /// <summary>Declares the answer (server-sent events, 200) for the OpenAPI document, as ASP.NET Core's typed results do.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
        => builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["text/event-stream"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var ct = httpContext.RequestAborted;
        await foreach (var part in parts.WithCancellation(ct))
        {
            var (name, data) = part switch
            {
                AnswerPart.Sources s => ("citations", Json(s.Citations, KnowledgeJson.Default.IReadOnlyListCitation)),
                AnswerPart.Token t => ("token", Json(t.Text, KnowledgeJson.Default.String)),
                AnswerPart.Done d => ("done", Json(new AnswerDone(d.Kind), KnowledgeJson.Default.AnswerDone)),
                _ => throw new InvalidOperationException("Unknown answer part."),
            };
            await response.WriteAsync($"event: {name}\ndata: {data}\n\n", Encoding.UTF8, ct);
            await response.Body.FlushAsync(ct);
        }
    }

    private static string Json<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.Serialize(value, info);
}
