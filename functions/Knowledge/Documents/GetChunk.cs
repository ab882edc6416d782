using Fathom.Functions;
using Fathom.Identity;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Knowledge.Functions.Documents;

public sealed record ChunkResponse(string Id, Guid DocumentId, string DocumentName, int Position, int? Page, string? Heading, string Text);

/// <summary>The full text of one chunk, where a citation points.</summary>
public sealed class GetChunk(CollectionStore collections, DocumentStore documents, ChunkStore chunks)
{
    [Function(nameof(GetChunk))]
    public async Task<Results<Ok<ChunkResponse>, NotFound>> Run(
        [HttpTrigger(AuthorizationLevel.User, "get", Route = "collections/{id:guid}/chunks/{chunkId}")] HttpRequest req,
        Guid id,
        string chunkId,
        CancellationToken ct)
    {
        var owner = req.HttpContext.User.UserId();
        if (await collections.GetAsync(owner, id, ct) is null || await chunks.GetAsync(id, chunkId, ct) is not { } chunk)
        {
            return TypedResults.NotFound();
        }
        var names = await documents.NamesAsync(owner, [chunk.DocumentId], ct);
        return names.TryGetValue(chunk.DocumentId, out var name)
            ? TypedResults.Ok(new ChunkResponse(chunk.ChunkId, chunk.DocumentId, name, chunk.Position, chunk.Page, chunk.Heading, chunk.Text))
            : TypedResults.NotFound();
    }
}
