using StackExchange.Redis;

namespace Fathom.Functions.Tests;

public sealed class StreamTriggerTests
{
    [Fact]
    public async Task An_entry_whose_handler_throws_is_retried_then_dead_lettered_while_others_flow()
    {
        var worker = new Worker();
        await using var app = await worker.StartAsync();
        var db = await Worker.RedisAsync();

        await db.StreamAddAsync(worker.Stream, [new("job", "bad"), new("mode", "fail")]);
        await db.StreamAddAsync(worker.Stream, [new("job", "good"), new("mode", "ok")]);

        var deadLetters = $"{worker.Stream}:dead";
        await Worker.Eventually(async () => await db.StreamLengthAsync(deadLetters) == 1, TimeSpan.FromSeconds(20), "the failing entry in the dead-letter stream");
        var dead = (await db.StreamRangeAsync(deadLetters))[0];
        Assert.Equal("bad", dead["job"].ToString());
        Assert.Equal("3", dead["dead-letter:deliveries"].ToString());
        Assert.Contains("always fails", dead["dead-letter:error"].ToString(), StringComparison.Ordinal);
        Assert.Equal(3, (int)await db.HashGetAsync($"{worker.Stream}:attempts", "bad"));
        // The function knows which delivery is its last (the pipeline marks a document FAILED then).
        Assert.Equal(["1:more", "2:more", "3:last"], (await db.ListRangeAsync($"{worker.Stream}:deliveries:bad")).Select(v => v.ToString()));
        Assert.True(await db.SetContainsAsync($"{worker.Stream}:done", "good"));
        var pending = await db.StreamPendingAsync(worker.Stream, "workers");
        Assert.Equal(0, pending.PendingMessageCount);

        // What an operator's Prometheus sees on the app's own port: one dead letter after three failed deliveries.
        await Worker.Eventually(async () =>
            await Worker.InvocationsAsync(app, "Work", "dead_letter") == 1
            && await Worker.InvocationsAsync(app, "Work", "failure") == 3
            && await Worker.InvocationsAsync(app, "Work", "success") == 1,
            TimeSpan.FromSeconds(5), "the invocation counters at /metrics");

        // The backlog gauges the alerts in k8s/base/monitoring read (sampled every 15 s).
        await Worker.Eventually(async () => await Worker.GaugeAsync(app, "fathom_stream_dead_letters", $"stream=\"{worker.Stream}\"") == 1,
            TimeSpan.FromSeconds(20), "fathom_stream_dead_letters = 1 at /metrics");
        Assert.Equal(0, await Worker.GaugeAsync(app, "fathom_stream_pending", $"stream=\"{worker.Stream}\""));
    }

    [Fact]
    public async Task An_entry_whose_worker_is_killed_mid_way_is_reclaimed_and_finished_by_another()
    {
        var worker = new Worker();
        var db = await Worker.RedisAsync();
        var first = await worker.StartAsync();
        await db.StreamAddAsync(worker.Stream, [new("job", "long"), new("mode", "slow"), new("ms", "1500")]);
        await Worker.Eventually(async () => await db.SetContainsAsync($"{worker.Stream}:started", "long"), TimeSpan.FromSeconds(15), "the first worker to start the job");

        first.Kill();
        await first.DisposeAsync();
        Assert.False(await db.SetContainsAsync($"{worker.Stream}:done", "long"));

        await using var second = await worker.StartAsync();
        await Worker.Eventually(async () => await db.SetContainsAsync($"{worker.Stream}:done", "long"), TimeSpan.FromSeconds(20), "the second worker to finish the job");
        Assert.Equal(2, (int)await db.HashGetAsync($"{worker.Stream}:attempts", "long"));
        Assert.Contains("reclaimed entry", second.Output, StringComparison.Ordinal);
        await Worker.Eventually(async () => (await db.StreamPendingAsync(worker.Stream, "workers")).PendingMessageCount == 0, TimeSpan.FromSeconds(5), "the entry to be acknowledged");
    }

    [Fact]
    public async Task A_slow_but_live_worker_keeps_its_entry_past_the_visibility_timeout()
    {
        var worker = new Worker();
        var db = await Worker.RedisAsync();
        await using var first = await worker.StartAsync();
        await using var second = await worker.StartAsync();

        // 2.5 s of work against a 0.6 s visibility timeout: only the heartbeat keeps the other replica off it.
        await db.StreamAddAsync(worker.Stream, [new("job", "steady"), new("mode", "slow"), new("ms", "2500")]);
        await Worker.Eventually(async () => await db.SetContainsAsync($"{worker.Stream}:done", "steady"), TimeSpan.FromSeconds(20), "the job to finish");

        Assert.Equal(1, (int)await db.HashGetAsync($"{worker.Stream}:attempts", "steady"));
    }

    [Fact]
    public async Task Sigterm_lets_the_entry_in_flight_finish_and_be_acknowledged()
    {
        var worker = new Worker();
        var db = await Worker.RedisAsync();
        var app = await worker.StartAsync();
        await db.StreamAddAsync(worker.Stream, [new("job", "finishing"), new("mode", "slow"), new("ms", "1000")]);
        await Worker.Eventually(async () => await db.SetContainsAsync($"{worker.Stream}:started", "finishing"), TimeSpan.FromSeconds(15), "the job to start");

        await app.TerminateAsync(TimeSpan.FromSeconds(20));
        await app.DisposeAsync();

        Assert.True(await db.SetContainsAsync($"{worker.Stream}:done", "finishing"));
        Assert.Equal(0, (await db.StreamPendingAsync(worker.Stream, "workers")).PendingMessageCount);
    }
}
