using Fathom.Data;
using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Assistants.Functions.OpenAI;

/// <summary>The models an OpenAI client can pick: the caller's collections (chat and embeddings) and Fathom's embedders.</summary>
public sealed class ListModels(CollectionStore collections, EmbeddingModels embedders)
{
    public const string Owner = "fathom";

    [Function(nameof(ListModels))]
    public async Task<Ok<ModelList>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "v1/models")] HttpRequest req,
        CancellationToken ct)
    {
        var page = await collections.ListAsync(req.HttpContext.User.UserId(), new PageRequest(1, PageRequest.MaxPageSize), ct);
        var models = page.Items.Select(Of).Concat(embedders.All.Select(e => Embedder(e.Id))).ToList();
        return TypedResults.Ok(new ModelList("list", models));
    }

    public static ModelInfo Of(Collection collection) => new(collection.Name, "model", collection.CreatedAt.ToUnixTimeSeconds(), Owner);

    // Embedders exist as long as the server does; OpenAI's own models carry their release date, Fathom's have none.
    public static ModelInfo Embedder(string id) => new(id, "model", 0, Owner);
}

/// <summary>One model by id: a collection (by name or id) or an embedder.</summary>
public sealed class GetModel(CollectionStore collections, EmbeddingModels embedders)
{
    [Function(nameof(GetModel))]
    public async Task<Results<Ok<ModelInfo>, ProblemHttpResult>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "v1/models/{*id}")] HttpRequest req,
        CancellationToken ct)
    {
        // Catch-all, so a collection name with a '/' works whether the client escaped it or not (routing leaves %2F encoded).
        var name = Uri.UnescapeDataString(req.RouteValues["id"] as string ?? "");
        if (await collections.FindAsync(req.HttpContext.User.UserId(), name, ct) is { } collection)
        {
            return TypedResults.Ok(ListModels.Of(collection) with { Id = name });
        }
        return embedders.Find(name) is not null ? TypedResults.Ok(ListModels.Embedder(name)) : ChatCompletions.ModelNotFound(name);
    }
}
