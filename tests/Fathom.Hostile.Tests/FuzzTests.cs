using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Fathom.Http;
using Xunit.Abstractions;

namespace Fathom.Hostile.Tests;

/// <summary>
/// Every endpoint of every HTTP app, read from the function tables the apps print (so a new function is fuzzed without
/// a new test), plus MCP, the protected-resource metadata and each app's /health and /metrics, gets the hostile
/// requests of <see cref="HostileCases"/> with a valid token and the caller's own ids in its route. No answer may be a
/// 5xx, every 4xx is problem+json (with OpenAI's error object under /api/v1), and every process is alive and live at
/// the end.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class FuzzTests(HostileApps apps, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_endpoint_answers_hostile_input_without_a_5xx_and_with_problem_details()
    {
        var alice = await apps.SeedAsync("alice");
        var work = new List<(Endpoint Endpoint, HostileRequest Request)>();
        foreach (var endpoint in apps.EndpointsAndHostEndpoints)
        {
            string Own((string Name, string? Constraint, bool CatchAll) p)
            {
                var segment = endpoint.SegmentBefore(p.Name);
                return alice.IdFor(segment) ?? (p.CatchAll ? (segment is null ? "index.html" : "api/mcp") : p.Constraint == "guid" ? Guid.NewGuid().ToString() : "x");
            }
            var path = endpoint.Fill(Own);
            var sample = SampleBodies.For(endpoint.Name) is { } template ? alice.FillBody(template) : null;
            var methods = apps.EndpointsAndHostEndpoints.Where(e => e.App == endpoint.App && e.Route == endpoint.Route).Select(e => e.Method).ToHashSet(StringComparer.Ordinal);
            work.AddRange(HostileCases.For(endpoint, path, sample, methods).Select(r => (endpoint, r)));
            work.AddRange(HostileCases.SpoiledPaths(endpoint, Own).Select(p => (endpoint, HostileCases.AtPath(endpoint, p.Label, p.Path, sample))));
        }

        var tally = new Tally();
        var perEndpoint = new ConcurrentDictionary<string, int>();
        using var client = HostileApps.NewClient();
        var clock = Stopwatch.StartNew();
        async ValueTask SendAsync((Endpoint Endpoint, HostileRequest Request) item, CancellationToken ct)
        {
            var (endpoint, request) = item;
            // A fresh token for every call: Logout revokes the one it is called with.
            var answer = await HostileSender.SendAsync(client, apps.BaseAddress(endpoint.App), request, apps.Token(alice.User), ct);
            tally.Add(endpoint.App, request, answer, Verdicts.Judge(request.PathAndQuery, request, answer), $"{endpoint.App} {request.Method} {Verdicts.Excerpt(request.PathAndQuery)[..Math.Min(120, request.PathAndQuery.Length)]}");
            perEndpoint.AddOrUpdate(endpoint.ToString(), 1, (_, n) => n + 1);
        }
        // Deletions last, children before parents, so every other call addresses resources that still exist.
        await Parallel.ForEachAsync(work.Where(w => w.Endpoint.Method != "DELETE"), new ParallelOptions { MaxDegreeOfParallelism = 4 }, SendAsync);
        foreach (var item in work.Where(w => w.Endpoint.Method == "DELETE").OrderByDescending(w => w.Endpoint.Route.Count(c => c == '/')))
        {
            await SendAsync(item, CancellationToken.None);
        }
        var elapsed = clock.Elapsed;

        var crashed = apps.Crashed().ToList();
        var notLive = await apps.NotLiveAsync();
        var figures = tally.ToJson();
        figures["endpoints"] = apps.EndpointsAndHostEndpoints.Count;
        figures["functionEndpoints"] = apps.Endpoints.Count(e => !e.Protocol);
        figures["crashes"] = crashed.Count;
        figures["notLiveAtEnd"] = notLive.Count;
        figures["seconds"] = Math.Round(elapsed.TotalSeconds, 1);
        figures["requestsPerEndpoint"] = new JsonObject(perEndpoint.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
        figures["problems"] = new JsonArray([.. tally.Problems.Take(50).Select(p => (JsonNode)p)]);
        Artifacts.Write("hostile-fuzz", figures);
        output.WriteLine($"{tally.Requests} requests to {apps.EndpointsAndHostEndpoints.Count} endpoints in {elapsed.TotalSeconds:0} s: {tally.ServerErrors} 5xx, {tally.NotProblemJson} 4xx not problem+json, {tally.NoAnswer} unanswered, {crashed.Count} crashes");
        foreach (var problem in tally.Problems.Take(100))
        {
            output.WriteLine(problem);
        }

        Assert.True(crashed.Count == 0 && notLive.Count == 0, $"{string.Join("; ", crashed.Concat(notLive))}\n{string.Join("\n", apps.AllProcesses.Select(p => $"--- {p.Name}\n{p.Output[^Math.Min(3000, p.Output.Length)..]}"))}");
        Assert.True(tally.Problems.Count == 0, $"{tally.Problems.Count} bad answers of {tally.Requests}:\n{string.Join('\n', tally.Problems.Take(40))}");
        // Sanity: the table was read and the cases were sent.
        Assert.True(apps.Endpoints.Count(e => !e.Protocol) >= 40, $"only {apps.Endpoints.Count} endpoints found in the function tables");
    }
}
