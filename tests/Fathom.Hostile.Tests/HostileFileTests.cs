using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fathom.Testing;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Fathom.Hostile.Tests;

/// <summary>
/// Files made to hurt a parser (Fixtures/, made by make-fixtures.py): a .docx bomb, XXE in a .docx and in HTML, a corrupt
/// PDF and .docx, an executable named .pdf and .txt, and a two-million-letter word. Each is refused at upload or ends
/// FAILED with its reason (the HTML and the word may index, without anything an entity points at), never a 5xx, and
/// Ingestion stays up with nothing in its dead letters.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class HostileFileTests(HostileApps apps, ITestOutputHelper output)
{
    private sealed record Expectation(string File, bool MayComplete, string? ErrorMentions = null);

    private static readonly Expectation[] Files =
    [
        new("bomb.docx", MayComplete: false, ErrorMentions: "Ingestion__MaxExpandedBytes"),
        new("xxe.docx", MayComplete: false),
        new("xxe.html", MayComplete: true),
        new("corrupt.pdf", MayComplete: false),
        new("corrupt.docx", MayComplete: false),
        new("elf.pdf", MayComplete: false),
        new("elf.txt", MayComplete: false, ErrorMentions: "binary"),
        new("giant-word.txt", MayComplete: true),
    ];

    private static byte[] Content(string file) => file == "giant-word.txt"
        ? Encoding.ASCII.GetBytes(new string('a', 2_000_000))
        : File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", file));

    [Fact]
    public async Task Hostile_files_are_refused_or_fail_with_a_reason_and_never_take_ingestion_down()
    {
        var owner = await apps.SeedAsync("files");
        using var client = HostileApps.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apps.Token(owner.User));
        var knowledge = apps.BaseAddress("Knowledge");
        var problems = new List<string>();
        var results = new JsonArray();

        foreach (var expected in Files)
        {
            // A collection each: identical bytes in one collection are stored once (elf.pdf and elf.txt are the same file).
            using var created = await client.PostAsJsonAsync(new Uri(knowledge, "/api/collections"), new { name = $"hostile {expected.File}" });
            var collection = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var clock = Stopwatch.StartNew();
            using var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(Content(expected.File)), "files", expected.File);
            using var response = await client.PostAsync(new Uri(knowledge, $"/api/collections/{collection}/documents"), form);
            var body = await response.Content.ReadAsStringAsync();
            var result = new JsonObject { ["file"] = expected.File, ["upload"] = (int)response.StatusCode };
            results.Add(result);
            if ((int)response.StatusCode >= 500)
            {
                problems.Add($"{expected.File}: upload answered {(int)response.StatusCode}: {body}");
                continue;
            }
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                result["outcome"] = "refused";
                result["reason"] = Verdicts.Excerpt(body);
                continue;
            }
            var document = JsonDocument.Parse(body).RootElement.GetProperty("documents")[0].GetProperty("id").GetGuid();
            var settled = await apps.WaitSettledAsync(client, collection, document, TimeSpan.FromMinutes(4));
            var status = settled.GetProperty("status").GetString();
            var error = settled.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            result["outcome"] = status;
            result["reason"] = error;
            result["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
            output.WriteLine($"{expected.File}: {status} in {clock.Elapsed.TotalSeconds:0.0} s {error}");
            if (status == "COMPLETE" && !expected.MayComplete)
            {
                problems.Add($"{expected.File} was indexed");
            }
            if (status == "FAILED" && string.IsNullOrWhiteSpace(error))
            {
                problems.Add($"{expected.File} FAILED without a reason");
            }
            if (expected.ErrorMentions is { } mention && status == "FAILED" && error?.Contains(mention, StringComparison.OrdinalIgnoreCase) != true)
            {
                problems.Add($"{expected.File}: the reason does not name '{mention}': {error}");
            }
            var leaked = await ChunksContainingAsync(collection, document, "root:");
            if (leaked > 0)
            {
                problems.Add($"{expected.File}: {leaked} chunks hold what an external entity pointed at (/etc/passwd)");
            }
        }

        var deadLetters = await DeadLettersAsync();
        var notLive = await apps.NotLiveAsync();
        var crashed = apps.Crashed().ToList();
        Artifacts.Write("hostile-files", new JsonObject
        {
            ["documents"] = Files.Length,
            ["files"] = results,
            ["deadLetters"] = deadLetters,
            ["crashes"] = crashed.Count,
            ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)p)]),
        });

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal(0, deadLetters);
        Assert.True(crashed.Count == 0 && notLive.Count == 0, string.Join("; ", crashed.Concat(notLive)) + "\n" + apps.Ingestion.Output[^Math.Min(4000, apps.Ingestion.Output.Length)..]);
    }

    private static async Task<long> ChunksContainingAsync(Guid collection, Guid document, string text)
    {
        await using var store = NpgsqlDataSource.Create(TestStack.VectorStore);
        await using var command = store.CreateCommand($"SELECT count(*) FROM chunks_{collection:N} WHERE document_id = $1 AND strpos(text, $2) > 0");
        command.Parameters.Add(new() { Value = document });
        command.Parameters.Add(new() { Value = text });
        try
        {
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Nothing was ever indexed in this collection.
            return 0;
        }
    }

    private async Task<long> DeadLettersAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis);
        return await redis.GetDatabase().StreamLengthAsync(apps.Settings["IngestStream"] + ":dead");
    }
}
