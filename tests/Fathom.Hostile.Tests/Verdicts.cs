using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Hostile.Tests;

/// <summary>What a hostile caller may get back, and the tally of what it got.</summary>
public static class Verdicts
{
    /// <summary>
    /// Null when the answer is acceptable: any status below 500; a 4xx (to anything but HEAD, and past Kestrel's own
    /// refusals) as problem+json, carrying OpenAI's error object under /api/v1; MCP may answer JSON-RPC's own error.
    /// </summary>
    public static string? Judge(string path, HostileRequest request, HostileAnswer answer)
    {
        if (!answer.Answered)
        {
            return $"no answer ({answer.Error})";
        }
        if (answer.Status >= 500)
        {
            return $"{answer.Status}: {Excerpt(answer.Body)}";
        }
        if (answer.Status < 400 || request.Transport || request.ExpectsNoBody)
        {
            return null;
        }
        var isProblem = answer.MediaType == "application/problem+json";
        if (path.StartsWith("/api/mcp", StringComparison.OrdinalIgnoreCase) && !isProblem)
        {
            return IsJsonRpcError(answer.Body) ? null : $"{answer.Status} is neither problem+json nor a JSON-RPC error ({answer.ContentType}): {Excerpt(answer.Body)}";
        }
        if (!isProblem)
        {
            return $"{answer.Status} is not problem+json ({answer.ContentType ?? "no content type"}): {Excerpt(answer.Body)}";
        }
        if (path.StartsWith("/api/v1/", StringComparison.OrdinalIgnoreCase) && !HasOpenAIError(answer.Body))
        {
            return $"{answer.Status} under /api/v1 lacks OpenAI's error object: {Excerpt(answer.Body)}";
        }
        return null;
    }

    public static bool HasOpenAIError(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["error"] is JsonObject error && error["message"] is JsonValue && error["type"] is JsonValue;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A JSON-RPC error, as a JSON body or as the data of a server-sent event.</summary>
    public static bool IsJsonRpcError(string body)
    {
        var json = body.TrimStart();
        if (json.StartsWith("event:", StringComparison.Ordinal) || json.StartsWith("data:", StringComparison.Ordinal))
        {
            json = string.Join('\n', json.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..]));
        }
        try
        {
            return JsonNode.Parse(json) is JsonObject message && message["jsonrpc"]?.GetValue<string>() == "2.0" && message["error"] is JsonObject;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    public static string Excerpt(string body) => body.Length <= 300 ? body : body[..300] + "…";
}

/// <summary>Counts of one run: requests by app and status, and the first of each kind of problem.</summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, int> _byStatus = new();
    private readonly ConcurrentDictionary<string, int> _byApp = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private int _requests;
    private int _serverErrors;
    private int _noAnswer;
    private int _notProblem;
    private int _transport;

    public int Requests => _requests;

    public int ServerErrors => _serverErrors;

    public int NoAnswer => _noAnswer;

    public int NotProblemJson => _notProblem;

    public IReadOnlyCollection<string> Problems => _problems;

    public void Add(string app, HostileRequest request, HostileAnswer answer, string? verdict, string where)
    {
        Interlocked.Increment(ref _requests);
        if (request.Transport)
        {
            Interlocked.Increment(ref _transport);
        }
        _byApp.AddOrUpdate(app, 1, (_, n) => n + 1);
        _byStatus.AddOrUpdate(answer.Answered ? answer.Status.ToString(CultureInfo.InvariantCulture) : "none", 1, (_, n) => n + 1);
        if (verdict is null)
        {
            return;
        }
        if (!answer.Answered)
        {
            Interlocked.Increment(ref _noAnswer);
        }
        else if (answer.Status >= 500)
        {
            Interlocked.Increment(ref _serverErrors);
        }
        else
        {
            Interlocked.Increment(ref _notProblem);
        }
        _problems.Enqueue($"{where} [{request.Label}] → {verdict}");
    }

    public JsonObject ToJson() => new()
    {
        ["requests"] = _requests,
        ["serverErrors"] = _serverErrors,
        ["noAnswer"] = _noAnswer,
        ["fourXxNotProblemJson"] = _notProblem,
        ["refusedByKestrelItself"] = _transport,
        ["byStatus"] = new JsonObject(_byStatus.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
        ["byApp"] = new JsonObject(_byApp.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
    };
}
