using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Fathom.Testing;
using StackExchange.Redis;

namespace Users.Functions.Tests;

/// <summary>Users on a Redis of its own that the test kills; the stack's Redis is never touched.</summary>
public sealed class RedisOutageTests(UsersAppFixture fixture) : IClassFixture<UsersAppFixture>
{
    [Fact]
    public async Task Profiles_keep_working_from_postgres_when_redis_dies_and_the_bypass_is_logged()
    {
        await using var redis = await ThrowawayRedis.StartAsync();
        await using var app = await FunctionAppProcess.StartAsync("Users", fixture.Settings(redis.Configuration));
        var user = await TestIdentity.CreateUserAsync(fixture.Database.Source);
        using var client = fixture.ClientFor(app, user);

        Assert.Equal("Test user", (await client.GetFromJsonAsync<Profile>("/api/users/me"))!.DisplayName);
        await using (var probe = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            Assert.True(await probe.GetDatabase().KeyExistsAsync($"fathom:users:profile:{user:N}"), "the first read fills the cache");
        }

        redis.Kill();

        var timings = new List<TimeSpan>();
        async Task<HttpResponseMessage> Timed(Func<Task<HttpResponseMessage>> call)
        {
            var stopwatch = Stopwatch.StartNew();
            var response = await call();
            timings.Add(stopwatch.Elapsed);
            return response;
        }
        using var read = await Timed(() => client.GetAsync("/api/users/me"));
        using var patch = await Timed(() => client.PatchAsJsonAsync("/api/users/me", new { displayName = "Offline edit" }));
        using var reread = await Timed(() => client.GetAsync("/api/users/me"));
        using var other = await Timed(() => fixture.ClientFor(app, fixture.Bob).GetAsync($"/api/users/{user}"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal("Offline edit", (await reread.ReadAsync<Profile>()).DisplayName);
        Assert.Equal("Offline edit", (await other.ReadAsync<Profile>()).DisplayName);
        // A dead Redis must cost little: far below the client's 5 s backlog timeout.
        Assert.All(timings, t => Assert.True(t < TimeSpan.FromSeconds(2), $"a request took {t.TotalMilliseconds:F0} ms with Redis down"));
        await app.WaitForOutputAsync("Profile cache bypassed", TimeSpan.FromSeconds(5));
    }
}

/// <summary>A redis-server child process on a free port, without persistence.</summary>
internal sealed class ThrowawayRedis : IAsyncDisposable
{
    private readonly Process _process;

    private ThrowawayRedis(Process process, int port)
    {
        _process = process;
        Configuration = $"127.0.0.1:{port}";
    }

    public string Configuration { get; }

    public static async Task<ThrowawayRedis> StartAsync()
    {
        var port = FunctionAppProcess.FreePort();
        var process = Process.Start(new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        process.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return new ThrowawayRedis(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        process.Kill();
        throw new TimeoutException($"redis-server did not open port {port}.");
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
