using System.Net;
using Fathom.Testing;
using Microsoft.Playwright;
using StackExchange.Redis;

namespace Web.Functions.Tests;

/// <summary>The operations page, on the same running product as the user journeys (one gateway for the class).</summary>
public sealed partial class UserJourneyTests
{
    [Fact]
    public async Task An_administrator_sees_a_failed_app_with_its_reason_and_retries_a_dead_letter()
    {
        // A dead letter as the stream trigger writes it: the entry's own fields plus dead-letter:*.
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis);
        var db = redis.GetDatabase();
        var documentId = Guid.NewGuid();
        var deadId = await db.StreamAddAsync($"{product.IngestStream}:dead",
        [
            new("documentId", documentId.ToString()),
            new("collectionId", Guid.NewGuid().ToString()),
            new("version", 1),
            new("dead-letter:source-id", "1-0"),
            new("dead-letter:function", "IngestDocument"),
            new("dead-letter:deliveries", 5),
            new("dead-letter:error", "The vector store timed out (planted by the test)."),
        ]);

        await using var context = await product.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await SignedInPageAsync(context, product.AdministratorEmail);
        await page.GotoAsync($"{product.BaseUrl}/#/operations");

        var broken = page.Locator($"[data-testid=ops-app][data-app={ProductFixture.BrokenApp}]");
        await Assertions.Expect(broken).ToHaveAttributeAsync("data-state", "failed", new() { Timeout = 30_000 });
        await Assertions.Expect(broken.GetByTestId("ops-app-reason")).ToContainTextAsync("exited with code 3");
        await Assertions.Expect(page.Locator("[data-testid=ops-app][data-app=Knowledge]")).ToHaveAttributeAsync("data-state", "ready");
        await Assertions.Expect(Id(page, "ops-chart-throughput").Locator("svg")).ToBeVisibleAsync();
        await Assertions.Expect(Id(page, "ops-chart-latency").Locator("svg")).ToBeVisibleAsync();

        var row = page.Locator($"[data-testid=ops-dead-letter][data-id='{deadId}']");
        await Assertions.Expect(row.GetByTestId("ops-dead-error")).ToHaveTextAsync("The vector store timed out (planted by the test).");
        await ShotAsync(page, "07-operations");

        await row.GetByTestId("ops-dead-retry").ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        // Back on the ingestion stream with its own fields only, and gone from the dead letters.
        Assert.Empty(await db.StreamRangeAsync($"{product.IngestStream}:dead", deadId, deadId));
        var entry = Assert.Single(await db.StreamRangeAsync(product.IngestStream), e => e["documentId"] == documentId.ToString());
        Assert.DoesNotContain(entry.Values, v => v.Name.ToString().StartsWith("dead-letter:", StringComparison.Ordinal));

        // A second retry of the same id (a double click, another administrator) adds nothing.
        var again = await page.EvaluateAsync<int>($$"""
            fetch('/api/operations/dead-letters/{{deadId}}/retry', { method: 'POST',
              headers: { Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('fathom.auth')).accessToken } }).then(r => r.status)
            """);
        Assert.Equal(404, again);
        Assert.Single(await db.StreamRangeAsync(product.IngestStream), e => e["documentId"] == documentId.ToString());
    }

    [Fact]
    public async Task Anyone_else_gets_403_and_an_anonymous_caller_401()
    {
        await using var context = await product.Browser.NewContextAsync();
        var page = await SignedInPageAsync(context, $"eve-{Guid.NewGuid():N}@example.test");
        await page.GotoAsync($"{product.BaseUrl}/#/operations");
        await Assertions.Expect(Id(page, "operations-forbidden")).ToBeVisibleAsync();

        var answer = await page.EvaluateAsync<string[]>("""
            fetch('/api/operations', { headers: { Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('fathom.auth')).accessToken } })
              .then(r => [String(r.status), r.headers.get('content-type') || ''])
            """);
        Assert.Equal("403", answer[0]);
        Assert.StartsWith("application/problem+json", answer[1], StringComparison.Ordinal);

        using var anonymous = await product.Gateway.Client.GetAsync("/api/operations/dead-letters");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
