using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fathom.Functions.Configuration;
using Fathom.Functions.Http;
using Fathom.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Fathom.Functions;

/// <summary>Parameter binding used by the generated code; each failure answers with problem details.</summary>
public static class FunctionBinding
{
    public static bool RouteString(HttpContext http, string name, [NotNullWhen(true)] out string? value)
    {
        value = http.Request.RouteValues[name] as string;
        return value is not null;
    }

    public static bool RouteGuid(HttpContext http, string name, out Guid value)
        => Guid.TryParse(http.Request.RouteValues[name] as string, out value);

    public static bool RouteInt32(HttpContext http, string name, out int value)
        => int.TryParse(http.Request.RouteValues[name] as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    public static bool RouteInt64(HttpContext http, string name, out long value)
        => long.TryParse(http.Request.RouteValues[name] as string, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    public static Task WriteNotFoundAsync(HttpContext http)
        => Problems.WriteAsync(http, StatusCodes.Status404NotFound, "Not found", "No resource matches this address.");

    /// <summary>
    /// Answers 415 or 413 (and returns true) unless the request carries JSON in UTF-8 within the host's JSON cap. Also
    /// caps the server's read of a chunked body at that size, for callers (the MCP transport) that read the body themselves.
    /// </summary>
    public static async Task<bool> RefuseJsonBodyAsync(HttpContext http, string what = "the body")
    {
        var request = http.Request;
        // System.Text.Json reads bytes as UTF-8 whatever the header says, so another declared charset would be misread.
        var charset = request.ContentType is { } type && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media)
            ? media.Charset.Value?.Trim('"') : null;
        if (!request.HasJsonContentType() || (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            await Problems.WriteAsync(http, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Send {what} as application/json in UTF-8.");
            return true;
        }
        var limit = JsonLimit(http);
        if (request.ContentLength > limit)
        {
            await WriteTooLargeAsync(http, limit);
            return true;
        }
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        return false;
    }

    /// <summary>Reads a JSON body with the app's source-generated metadata and validates it.</summary>
    public static async Task<(bool Ok, T? Value)> ReadBodyAsync<T>(HttpContext http)
    {
        if (await RefuseJsonBodyAsync(http))
        {
            return (false, default);
        }

        var limit = JsonLimit(http);
        if (await ReadLimitedAsync(http, limit) is not { } body)
        {
            await WriteTooLargeAsync(http, limit);
            return (false, default);
        }
        if (UnstorableText.FindInJson(body.Span, out var problem) is { } field)
        {
            await Problems.WriteAsync(http, StatusCodes.Status400BadRequest, "Unusable text", field.Length == 0 ? $"The body {problem}." : $"'{field}' {problem}.");
            return (false, default);
        }

        var options = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(body.Span, typeInfo);
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) ? "" : $" at '{ex.Path}'";
            await Problems.WriteAsync(http, StatusCodes.Status400BadRequest, "Malformed JSON", $"The request body is not valid JSON{where}.");
            return (false, default);
        }

        if (value is null)
        {
            await Problems.WriteAsync(http, StatusCodes.Status400BadRequest, "Missing body", "A JSON request body is required.");
            return (false, default);
        }

        if (value is IValidatable validatable)
        {
            var errors = new ValidationErrors();
            validatable.Validate(errors);
            if (!errors.IsEmpty)
            {
                await TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request is not valid.").ExecuteAsync(http);
                return (false, default);
            }
        }

        return (true, value);
    }

    private static long JsonLimit(HttpContext http)
        => http.RequestServices.GetRequiredService<IOptions<FunctionsHostOptions>>().Value.Extensions.Http.MaxJsonBodySize;

    private static Task WriteTooLargeAsync(HttpContext http, long limit)
        => Problems.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "Body too large", $"A JSON body may be at most {limit:N0} bytes.");

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> (known from Content-Length before reading).</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadLimitedAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream(http.Request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    public static Task<T> AsTask<T>(Task<T> task)
        where T : IResult => task;

    public static Task<T> AsTask<T>(ValueTask<T> task)
        where T : IResult => task.AsTask();

    public static Task<T> AsTask<T>(T result)
        where T : IResult => Task.FromResult(result);
}
