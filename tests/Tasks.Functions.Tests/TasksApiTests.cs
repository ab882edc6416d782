using System.Net;
using System.Net.Http.Json;
using System.Text;
using Fathom.Testing;

namespace Tasks.Functions.Tests;

public sealed class TasksApiTests(TasksAppFixture fixture) : IClassFixture<TasksAppFixture>
{
    [Fact]
    public async Task Created_task_can_be_read_updated_listed_and_deleted_by_its_owner()
    {
        using var alice = fixture.ClientFor(fixture.Alice);

        using var created = await alice.PostAsJsonAsync("/api/tasks", new { title = "Write the README", dueDate = "2026-12-01" });
        var task = await created.ReadAsync<TaskItem>(HttpStatusCode.Created);
        var id = task.Id;
        Assert.Equal($"/api/tasks/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("todo", task.Status);

        using var patched = await alice.PatchAsJsonAsync($"/api/tasks/{id}", new { status = "done" });
        var updated = await patched.ReadAsync<TaskItem>();
        Assert.Equal(new TaskItem(id, "Write the README", "done", "2026-12-01"), updated);

        var done = await alice.GetFromJsonAsync<ListPage<TaskItem>>("/api/tasks?status=done");
        Assert.Contains(done!.Items, t => t.Id == id);

        using var deleted = await alice.DeleteAsync($"/api/tasks/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await alice.GetAsync($"/api/tasks/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Another_users_task_is_not_found_for_read_update_or_delete()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var bob = fixture.ClientFor(fixture.Bob);
        using var created = await alice.PostAsJsonAsync("/api/tasks", new { title = "Private" });
        var id = (await created.ReadAsync<TaskItem>(HttpStatusCode.Created)).Id;

        using var read = await bob.GetAsync($"/api/tasks/{id}");
        using var patch = await bob.PatchAsJsonAsync($"/api/tasks/{id}", new { title = "Mine now" });
        using var delete = await bob.DeleteAsync($"/api/tasks/{id}");
        var list = await bob.GetFromJsonAsync<ListPage<TaskItem>>("/api/tasks");

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.DoesNotContain(list!.Items, t => t.Id == id);
        var still = await alice.GetFromJsonAsync<TaskItem>($"/api/tasks/{id}");
        Assert.Equal("Private", still!.Title);
    }

    [Fact]
    public async Task Invalid_input_gets_problem_details_naming_each_field()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var response = await alice.PostAsJsonAsync("/api/tasks", new { title = "", status = "someday" });

        var problem = await response.ReadAsync<Problem>(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(problem.ErrorsOf("title"));
        Assert.Contains("todo, in_progress, done", problem.ErrorsOf("status")[0], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem.RequestId));
    }

    [Fact]
    public async Task Malformed_json_and_bad_paging_are_rejected_with_problems()
    {
        using var alice = fixture.ClientFor(fixture.Alice);
        using var body = new StringContent("{\"title\": ", Encoding.UTF8, "application/json");
        using var malformed = await alice.PostAsync("/api/tasks", body);
        using var paging = await alice.GetAsync("/api/tasks?pageSize=1000&page=zero");

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        var problem = await paging.ReadAsync<Problem>(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.ErrorsOf("pageSize"));
        Assert.NotEmpty(problem.ErrorsOf("page"));
    }

    [Fact]
    public async Task Paging_returns_the_requested_slice_and_the_total()
    {
        var user = await TestIdentity.CreateUserAsync(fixture.Database.Source);
        using var client = fixture.ClientFor(user);
        for (var i = 0; i < 5; i++)
        {
            using var _ = await client.PostAsJsonAsync("/api/tasks", new { title = $"Task {i}" });
        }

        var second = (await client.GetFromJsonAsync<ListPage<TaskItem>>("/api/tasks?page=2&pageSize=2"))!;

        Assert.Equal(5, second.Total);
        Assert.Equal(2, second.Items.Count);
        Assert.Equal("Task 2", second.Items[0].Title);
    }

    [Fact]
    public async Task Calls_without_a_valid_token_are_unauthorized()
    {
        using var anonymous = await fixture.App.Client.GetAsync("/api/tasks");
        using var other = new HttpClient { BaseAddress = fixture.App.Client.BaseAddress };
        other.DefaultRequestHeaders.Authorization = new("Bearer", new TestIdentity("other-key").Token(fixture.Alice));
        using var wrongKey = await other.GetAsync("/api/tasks");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }
}

/// <summary>A task as the API returns it.</summary>
public sealed record TaskItem(Guid Id, string Title, string Status, string? DueDate);
