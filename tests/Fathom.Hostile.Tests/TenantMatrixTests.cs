using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Fathom.Testing;
using Xunit.Abstractions;

namespace Fathom.Hostile.Tests;

/// <summary>
/// Every endpoint of the function tables (plus MCP) × five callers who must not get what alice has: nobody, bob (another
/// user) naming alice's ids, alice's read-only API key, alice's revoked API key and alice's expired token. A new function
/// is in the matrix as soon as its app prints it.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class TenantMatrixTests(HostileApps apps, ITestOutputHelper output)
{
    /// <summary>Functions that refuse every API key, whatever its scopes (a leaked key must not mint more): 403.</summary>
    private static readonly HashSet<string> SessionOnly = new(StringComparer.Ordinal) { "ListApiKeys", "CreateApiKey", "RevokeApiKey" };

    /// <summary>Functions that show another user's resource by design: a public profile (no email in it).</summary>
    private static readonly HashSet<string> PublicById = new(StringComparer.Ordinal) { "GetUser" };

    /// <summary>The operations API: only callers listed in Operations__Administrators (none of these callers is) get past 403.</summary>
    private static readonly HashSet<string> AdministratorsOnly = new(StringComparer.Ordinal) { "GetOperations", "ListDeadLetters", "RetryDeadLetter" };

    public static readonly string[] Callers = ["anonymous", "other user", "read-only key", "revoked key", "expired token"];

    [Fact]
    public async Task Nobody_but_the_owner_gets_past_authentication_scopes_or_ownership()
    {
        var alice = await apps.SeedAsync("owner");
        var bob = await apps.SeedAsync("intruder");
        var readKey = await TestIdentity.CreateApiKeyAsync(apps.Database.Source, alice.User, "read");
        var (revokedId, revokedKey) = await TestIdentity.CreateApiKeyWithIdAsync(apps.Database.Source, alice.User, "read", "write");
        await TestIdentity.RevokeApiKeyAsync(apps.Database.Source, revokedId);

        string? Credential(string caller) => caller switch
        {
            "anonymous" => null,
            "other user" => apps.Token(bob.User),
            "read-only key" => readKey,
            "revoked key" => revokedKey,
            "expired token" => apps.Identity.Token(alice.User, TimeSpan.FromHours(-1)),
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };

        var violations = new ConcurrentQueue<string>();
        var outcomes = new ConcurrentDictionary<string, int>();
        var probes = 0;
        var serverErrors = 0;
        using var client = HostileApps.NewClient();
        var work = apps.Endpoints.SelectMany(e => Callers.Select(c => (Endpoint: e, Caller: c))).ToList();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, ct) =>
        {
            var (endpoint, caller) = item;
            var addressed = false;
            var path = endpoint.Fill(p =>
            {
                var segment = endpoint.SegmentBefore(p.Name);
                if (alice.IdFor(segment) is { } id)
                {
                    addressed = true;
                    return id;
                }
                return p.CatchAll ? (segment is null ? "index.html" : "api/mcp") : p.Constraint == "guid" ? Guid.NewGuid().ToString() : "x";
            });
            addressed |= SampleBodies.NamesResources(endpoint.Name);
            var sample = SampleBodies.For(endpoint.Name) is { } template ? alice.FillBody(template) : null;
            var request = HostileCases.AtPath(endpoint, $"as {caller}", path, sample);
            // The host key is what Function-level endpoints need; no caller of the matrix holds it.
            request = request with { Headers = request.Headers?.Where(h => h.Key != "x-functions-key").ToList() };
            var answer = await HostileSender.SendAsync(client, apps.BaseAddress(endpoint.App), request, Credential(caller), ct);
            Interlocked.Increment(ref probes);
            outcomes.AddOrUpdate($"{caller}: {(answer.Answered ? answer.Status.ToString(CultureInfo.InvariantCulture) : "none")}", 1, (_, n) => n + 1);
            if (answer.Status >= 500 || !answer.Answered)
            {
                Interlocked.Increment(ref serverErrors);
            }
            var sent = Uri.UnescapeDataString(path) + (request.Body is { } b ? Encoding.UTF8.GetString(b) : "");
            var problem = Verdicts.Judge(path, request, answer) ?? Expect(endpoint, caller, addressed, answer, alice, sent);
            if (problem is not null)
            {
                violations.Enqueue($"{endpoint} as {caller}: {problem}");
            }
        });

        var figures = new JsonObject
        {
            ["endpoints"] = apps.Endpoints.Count,
            ["callers"] = new JsonArray([.. Callers.Select(c => (JsonNode)c)]),
            ["probes"] = probes,
            ["serverErrors"] = serverErrors,
            ["violations"] = violations.Count,
            ["byCallerAndStatus"] = new JsonObject(outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))),
            ["problems"] = new JsonArray([.. violations.Take(50).Select(v => (JsonNode)v)]),
        };
        Artifacts.Write("tenant-matrix", figures);
        output.WriteLine($"{probes} probes of {apps.Endpoints.Count} endpoints: {serverErrors} 5xx, {violations.Count} violations");
        foreach (var outcome in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {outcome.Key}: {outcome.Value}");
        }

        Assert.True(violations.IsEmpty, $"{violations.Count} of {probes} probes got what they must not:\n{string.Join('\n', violations.Take(40))}");
        Assert.Empty(apps.Crashed());
    }

    /// <summary>Null when <paramref name="answer"/> is what <paramref name="caller"/> may get from the endpoint.</summary>
    private static string? Expect(Endpoint endpoint, string caller, bool addressed, HostileAnswer answer, Resources alice, string sent)
    {
        var status = answer.Status;
        // Alice's words, email or ids, unless the caller sent the id itself (a 404 names the address it was asked for).
        if (caller == "other user" && (answer.Body.Contains(alice.Marker, StringComparison.Ordinal)
            || answer.Body.Contains(alice.Email, StringComparison.OrdinalIgnoreCase)
            || alice.PrivateIds.Any(id => answer.Body.Contains(id, StringComparison.OrdinalIgnoreCase) && !sent.Contains(id, StringComparison.OrdinalIgnoreCase))))
        {
            return $"{status} shows alice's data: {Verdicts.Excerpt(answer.Body)}";
        }
        if (endpoint.NeedsHostKey)
        {
            return status == 401 ? null : $"{status}, not 401, without the host key";
        }
        if (!endpoint.NeedsUser)
        {
            return null;
        }
        switch (caller)
        {
            case "anonymous" or "revoked key" or "expired token":
                return status == 401 ? null : $"{status}, not 401";
            case "read-only key" or "other user" when AdministratorsOnly.Contains(endpoint.Name):
                return status == 403 ? null : $"{status}, not 403, for a caller who is not an administrator";
            case "read-only key":
                if (endpoint.ChangesData || SessionOnly.Contains(endpoint.Name))
                {
                    return status == 403 ? null : $"{status}, not 403, for a read-only key on a call that {(endpoint.ChangesData ? "changes data" : "needs a signed-in session")}";
                }
                return status is 403 or 401 ? $"{status} for a read-only key on a call that only reads" : null;
            default:
                if (!addressed || PublicById.Contains(endpoint.Name))
                {
                    return status is 401 or 403 && !SessionOnly.Contains(endpoint.Name) ? $"{status} for a signed-in user" : null;
                }
                if (endpoint.Name == "Mcp")
                {
                    // MCP reports a refused tool call inside a 200, as the protocol says.
                    return status == 200 && answer.Body.Contains("\"isError\":true", StringComparison.Ordinal) ? null : $"{status} without a tool error: {Verdicts.Excerpt(answer.Body)}";
                }
                return status == 404 ? null : $"{status}, not 404, naming alice's resource";
        }
    }
}
