using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Web.Functions.Tests;

public sealed partial class UserJourneyTests(ProductFixture product) : IClassFixture<ProductFixture>
{
    private static ILocator Id(IPage page, string testId) => page.GetByTestId(testId);

    private static async Task ShotAsync(IPage page, string name)
        => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ProductFixture.Screenshots, $"{name}.png"), FullPage = true });

    private async Task<IPage> SignedInPageAsync(IBrowserContext context, string email)
    {
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync($"{product.BaseUrl}/#/signup");
        await Id(page, "signup-display-name").FillAsync("Ada Reader");
        await Id(page, "signup-email").FillAsync(email);
        await Id(page, "signup-password").FillAsync("correct horse battery");
        await ShotAsync(page, "01-signup");
        await Id(page, "signup-submit").ClickAsync();
        // Signed in: the app moves on to the collections page (on a phone the nav, with "Sign out", is folded away).
        // Signing up hashes the password with Argon2id, which takes seconds on a busy 2-core machine: not 5 s.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#/collections"), new() { Timeout = 30_000 });
        return page;
    }

    [Fact]
    public async Task A_new_user_signs_up_uploads_searches_asks_follows_a_citation_and_deletes()
    {
        await using var context = await product.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        var page = await SignedInPageAsync(context, $"ada-{Guid.NewGuid():N}@example.test");

        // Create a collection.
        await page.GotoAsync($"{product.BaseUrl}/#/collections");
        await Id(page, "new-collection-toggle").ClickAsync();
        await Id(page, "new-collection-name").FillAsync("Field guides");
        await Id(page, "new-collection-submit").ClickAsync();
        await Id(page, "collection-title").WaitForAsync();

        // Upload a PDF and a Markdown file, and wait for both to be indexed.
        await Id(page, "upload-input").SetInputFilesAsync(
        [
            new FilePayload { Name = "lighthouses.pdf", MimeType = "application/pdf", Buffer = Pdf("Lighthouses guide ships.", "A Fresnel lens focuses the lamp into a beam seen far out at sea.") },
            new FilePayload { Name = "tides.md", MimeType = "text/markdown", Buffer = Encoding.UTF8.GetBytes("# Tides\n\nThe Moon's gravity pulls the oceans, raising two tidal bulges.") },
        ]);
        var rows = page.Locator("[data-testid=document-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=document-row][data-status=COMPLETE]")).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await ShotAsync(page, "02-documents");

        // Search in each mode.
        await Id(page, "tab-search").ClickAsync();
        foreach (var mode in new[] { "vector", "fulltext", "hybrid" })
        {
            await Id(page, "search-input").FillAsync("Fresnel lens beam");
            await Id(page, $"search-mode-{mode}").CheckAsync();
            await Id(page, "search-submit").ClickAsync();
            var first = page.Locator("[data-testid=search-result]").First;
            await Assertions.Expect(first.GetByTestId("search-result-document")).ToHaveTextAsync("lighthouses.pdf");
            await Assertions.Expect(first.GetByTestId("search-result-page")).ToContainTextAsync("page 2");
            if (mode == "fulltext")
            {
                await Assertions.Expect(first.GetByTestId("search-result-snippet").Locator("mark").First).ToBeVisibleAsync();
            }
        }
        await ShotAsync(page, "03-search");

        // Ask, and follow a citation to its passage.
        await Id(page, "tab-ask").ClickAsync();
        await Id(page, "ask-input").FillAsync("What focuses the lamp of a lighthouse?");
        await Id(page, "ask-submit").ClickAsync();
        await Assertions.Expect(Id(page, "ask-answer")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        await Assertions.Expect(Id(page, "ask-answer")).ToContainTextAsync("Fresnel");
        await Assertions.Expect(Id(page, "ask-kind")).ToHaveAttributeAsync("data-kind", "extractive");
        await ShotAsync(page, "04-ask");
        await page.Locator("[data-testid=citation-link]").First.ClickAsync();
        await Assertions.Expect(Id(page, "chunk-document")).ToHaveTextAsync("lighthouses.pdf");
        await Assertions.Expect(Id(page, "chunk-text")).ToContainTextAsync("Fresnel lens");
        await ShotAsync(page, "05-citation");
        await page.Keyboard.PressAsync("Escape");

        // Delete the collection, with confirmation.
        await page.GotoAsync($"{product.BaseUrl}/#/collections");
        await Id(page, "collection-delete").First.ClickAsync();
        await Id(page, "confirm-ok").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=collection-row]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Api_errors_are_shown_in_plain_words()
    {
        await using var context = await product.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 } });
        var page = await SignedInPageAsync(context, $"bob-{Guid.NewGuid():N}@example.test");
        await page.GotoAsync($"{product.BaseUrl}/#/collections");
        await Id(page, "new-collection-toggle").ClickAsync();
        await Id(page, "new-collection-name").FillAsync("Phone");
        await Id(page, "new-collection-submit").ClickAsync();
        await Id(page, "collection-title").WaitForAsync();

        await Id(page, "upload-input").SetInputFilesAsync(new FilePayload { Name = "virus.exe", MimeType = "application/octet-stream", Buffer = [1, 2, 3] });

        await Assertions.Expect(Id(page, "error-alert")).ToContainTextAsync(new Regex("not supported", RegexOptions.IgnoreCase));
        await Assertions.Expect(Id(page, "error-alert")).ToContainTextAsync(".pdf");
        await ShotAsync(page, "06-error-phone");

        await page.EvaluateAsync("sessionStorage.clear()");
        await page.GotoAsync($"{product.BaseUrl}/#/collections");
        await Id(page, "signin-form").WaitForAsync();
    }

    [Fact]
    public async Task Every_response_carries_the_browser_protections_and_unknown_api_addresses_are_not_the_page()
    {
        using var client = new HttpClient { BaseAddress = new Uri(product.BaseUrl) };
        using var page = await client.GetAsync("/");
        using var missingFile = await client.GetAsync("/js/nothing-here.js");
        using var api = await client.GetAsync("/api/collections");
        using var unknownApi = await client.GetAsync("/api/nothing-here/at-all");
        using var wellKnown = await client.GetAsync("/.well-known/nothing-here");

        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        foreach (var response in new[] { page, missingFile, api, unknownApi, wellKnown })
        {
            var where = response.RequestMessage!.RequestUri!.AbsolutePath;
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", $"{where}: no nosniff");
            Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", $"{where}: no X-Frame-Options");
            Assert.True(response.Headers.TryGetValues("Referrer-Policy", out var referrer) && referrer.Single() == "no-referrer", $"{where}: no Referrer-Policy");
            Assert.False(response.Headers.Contains("Server"), $"{where}: sends Server: {string.Join(",", response.Headers.TryGetValues("Server", out var server) ? server : [])}");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.All(new[] { missingFile, unknownApi, wellKnown }, r =>
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
    }

    private static byte[] Pdf(params string[] pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var text in pages)
        {
            builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4).AddText(text, 12, new PdfPoint(50, 700), font);
        }
        return builder.Build();
    }
}
