using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// Fathom's client of an OpenAI-compatible server, for the two calls it makes: embeddings and chat completions
/// (whole or streamed as server-sent events). Written here, on the contracts Fathom's own OpenAI-compatible API
/// already speaks, rather than linking the OpenAI SDK: the SDK's models and pipeline were 0.8-1.4 MB of the binary
/// of each app that embeds or answers, and 1.2-1.5 MiB of Knowledge's idle memory (bench/ANALYSIS.md, section 4).
/// Like the SDK, it retries 408, 429 and 5xx answers and failed connections three times, after the server's
/// Retry-After when it sends one, else after 0.8, 1.6 and 3.2 s.
/// </summary>
public sealed class OpenAICompatibleClient : IDisposable
{
    public const int MaxRetries = 3;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(0.8);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly Func<CancellationToken, ValueTask<string>> _bearer;
    private readonly TimeProvider _time;

    /// <param name="endpoint">The API's root, to which "embeddings" and "chat/completions" are appended (https://api.openai.com/v1).</param>
    /// <param name="bearer">The Authorization bearer value for each call: an API key, or a token fetched when needed.</param>
    /// <param name="time">The clock the retries wait on.</param>
    public OpenAICompatibleClient(Uri endpoint, Func<CancellationToken, ValueTask<string>> bearer, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _bearer = bearer;
        _time = time;
        // Connections are recycled so that a server behind DNS that moves (a cloud endpoint) is found again.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Fathom", null));
    }

    public Uri Endpoint => _endpoint;

    internal async Task<EmbeddingsResponse> EmbedAsync(EmbeddingsRequest request, CancellationToken ct)
    {
        using var response = await SendAsync("embeddings", request, OpenAICompatibleJson.Default.EmbeddingsRequest, streamed: false, ct).ConfigureAwait(false);
        return await ReadAsync(response, OpenAICompatibleJson.Default.EmbeddingsResponse, ct).ConfigureAwait(false);
    }

    internal async Task<ChatCompletionResponse> CompleteAsync(ChatRequest request, CancellationToken ct)
    {
        using var response = await SendAsync("chat/completions", request with { Stream = false }, OpenAICompatibleJson.Default.ChatRequest, streamed: false, ct).ConfigureAwait(false);
        return await ReadAsync(response, OpenAICompatibleJson.Default.ChatCompletionResponse, ct).ConfigureAwait(false);
    }

    /// <summary>The chunks of a streamed completion, as the server sends them, until its <c>[DONE]</c> or the end of the stream.</summary>
    internal async IAsyncEnumerable<ChatCompletionResponse> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync("chat/completions", request with { Stream = true }, OpenAICompatibleJson.Default.ChatRequest, streamed: true, ct).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        var finished = false;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            // Server-sent events: "data: <json>" lines, blank lines between events, ": comments" to keep proxies awake.
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }
            var data = line.AsMemory(5).Trim();
            if (data.Span.SequenceEqual("[DONE]"))
            {
                yield break;
            }
            var chunk = Parse(data.Span, OpenAICompatibleJson.Default.ChatCompletionResponse);
            if (chunk.Error is { } error)
            {
                throw new ModelServerException($"The model server stopped the answer: {error.Message ?? error.Type ?? "no reason given"}", (int)response.StatusCode);
            }
            finished |= chunk.Choices?.Any(c => c.FinishReason is not null) == true;
            yield return chunk;
        }
        // Some servers end the stream after the finish reason without "[DONE]"; without either, the answer was cut off.
        if (!finished)
        {
            throw new ModelServerException("The model server closed the stream before it finished the answer.", (int)response.StatusCode);
        }
    }

    private async Task<HttpResponseMessage> SendAsync<T>(string path, T body, JsonTypeInfo<T> type, bool streamed, CancellationToken ct)
    {
        var uri = new Uri(_endpoint, path);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body, type) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _bearer(ct).ConfigureAwait(false));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(streamed ? "text/event-stream" : "application/json"));
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < MaxRetries)
            {
                await Task.Delay(Backoff(attempt), _time, ct).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException ex)
            {
                throw new ModelServerException($"The model server at {uri} could not be reached: {ex.Message}", null, ex);
            }
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            using (response)
            {
                if (attempt < MaxRetries && IsRetried(response.StatusCode))
                {
                    await Task.Delay(RetryAfter(response) ?? Backoff(attempt), _time, ct).ConfigureAwait(false);
                    continue;
                }
                throw new ModelServerException($"The model server answered {(int)response.StatusCode} ({response.ReasonPhrase}): {await ErrorMessageAsync(response, ct).ConfigureAwait(false)}", (int)response.StatusCode);
            }
        }
    }

    private static bool IsRetried(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static TimeSpan Backoff(int attempt) => FirstRetryDelay * Math.Pow(2, attempt) * (0.9 + (0.2 * Random.Shared.NextDouble()));

    // OpenAI sends retry-after-ms beside the standard Retry-After (seconds or a date).
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        TimeSpan? wait = response.Headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(), System.Globalization.CultureInfo.InvariantCulture, out var millis)
            ? TimeSpan.FromMilliseconds(millis)
            : response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - _time.GetUtcNow());
        return wait is { } w ? (w < TimeSpan.Zero ? TimeSpan.Zero : w > MaxRetryAfter ? MaxRetryAfter : w) : null;
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize(text, OpenAICompatibleJson.Default.ServerErrorResponse)?.Error?.Message is { Length: > 0 } message)
            {
                return message;
            }
        }
        catch (JsonException)
        {
            // Not the OpenAI error shape (a proxy's HTML page, say): the text itself is the best we have.
        }
        return text.Length > 300 ? text[..300] : text.Length == 0 ? "no details" : text;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken ct)
        => Parse((await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).AsSpan(), type);

    private static T Parse<T>(ReadOnlySpan<char> json, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new ModelServerException("The model server answered null.", null);
        }
        catch (JsonException ex)
        {
            throw new ModelServerException($"The model server's answer is not the OpenAI shape: {ex.Message}", null, ex);
        }
    }

    public void Dispose() => _http.Dispose();
}
