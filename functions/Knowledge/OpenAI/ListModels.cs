using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.OpenAI;

/// <summary>The caller's collections, as the models an OpenAI client can pick.</summary>
public sealed class ListModels(CollectionStore collections)
{
    [Function(nameof(ListModels))]
    public async Task<Ok<ModelList>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "v1/models")] HttpRequest req,
        CancellationToken ct)
    {
        var page = await collections.ListAsync(req.HttpContext.User.UserId(), new PageRequest(1, PageRequest.MaxPageSize), ct);
        return TypedResults.Ok(new ModelList("list", page.Items.Select(c => new ModelInfo(c.Name, "model", c.CreatedAt.ToUnixTimeSeconds(), "fathom")).ToList()));
    }
}
