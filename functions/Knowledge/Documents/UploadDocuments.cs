using Fathom.Functions;
using Fathom.Http;
using Fathom.Identity;
using Fathom.Knowledge.Parsing;
using Fathom.Knowledge.Stores;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Knowledge.Functions.Documents;

public sealed record UploadedDocument(Guid Id, string Name, string Status, bool Duplicate);

public sealed record UploadResponse(IReadOnlyList<UploadedDocument> Documents);

/// <summary>
/// Accepts one or many files (multipart parts named <c>files</c>), stores them and queues their ingestion:
/// 202 with the document ids; the work itself runs in the Ingestion app. Every file is checked before any
/// is stored, so a rejected upload stores nothing.
/// </summary>
public sealed class UploadDocuments(CollectionStore collections, DocumentIntake intake, IOptions<KnowledgeOptions> options)
{
    [Function(nameof(UploadDocuments))]
    public async Task<Results<Accepted<UploadResponse>, NotFound, ProblemHttpResult, ValidationProblem>> Run(
        [HttpTrigger(AuthorizationLevel.User, "post", Route = "collections/{id:guid}/documents")] HttpRequest req,
        Guid id,
        CancellationToken ct)
    {
        var limit = options.Value.MaxUploadBytes;
        if (req.ContentLength > limit)
        {
            return TooLarge();
        }
        // A body sent without Content-Length (chunked) is cut off at the same limit while it is read.
        if (req.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        var owner = req.HttpContext.User.UserId();
        if (await collections.GetAsync(owner, id, ct) is null)
        {
            return TypedResults.NotFound();
        }
        if (!req.HasFormContentType)
        {
            return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send files as multipart/form-data, in parts named 'files'.");
        }

        IFormCollection form;
        try
        {
            form = await req.ReadFormAsync(ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            // No boundary, no closing boundary, a cut-off part: the body is not the multipart form it says it is.
            return Invalid("files", $"The multipart body cannot be read: {ex.Message}");
        }

        var files = form.Files.GetFiles("files");
        if (files.Count == 0)
        {
            return Invalid("files", "Attach at least one file in a part named 'files'.");
        }
        if (files.Count > options.Value.MaxFilesPerUpload)
        {
            return Invalid("files", $"At most {options.Value.MaxFilesPerUpload} files per upload.");
        }
        foreach (var file in files)
        {
            var name = Path.GetFileName(file.FileName);
            if (name.Length == 0 || name.Length > options.Value.MaxFileNameLength || name.Contains('\0', StringComparison.Ordinal))
            {
                return Invalid("files", $"Each file needs a name of 1 to {options.Value.MaxFileNameLength} characters without the NUL character (got {name.Length} characters).");
            }
            if (!SupportedDocumentTypes.IsSupported(name))
            {
                return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported file type",
                    $"'{name}' is not a supported type. Accepted: {SupportedDocumentTypes.ExtensionsText}.");
            }
            if (file.Length == 0)
            {
                return Invalid("files", $"'{name}' is empty.");
            }
        }

        var accepted = new List<UploadedDocument>(files.Count);
        foreach (var file in files)
        {
            var content = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
            {
                await stream.ReadExactlyAsync(content, ct);
            }
            var name = Path.GetFileName(file.FileName);
            var (document, duplicate) = await intake.AddAsync(owner, id, name, file.ContentType ?? "application/octet-stream", content, ct);
            accepted.Add(new UploadedDocument(document.Id, document.Name, document.Status, duplicate));
        }
        return TypedResults.Accepted($"/api/collections/{id}/documents", new UploadResponse(accepted));
    }

    private ProblemHttpResult TooLarge()
        => Problems.Result(StatusCodes.Status413PayloadTooLarge, "Upload too large",
            $"An upload may send at most {options.Value.MaxUploadBytes / (1024 * 1024.0):0.#} MB ({options.Value.MaxUploadBytes:N0} bytes) in all; send the files in several uploads.");

    private static ValidationProblem Invalid(string field, string message)
        => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");
}
