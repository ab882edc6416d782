using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fathom.Testing;
using k8s;
using k8s.Models;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Fathom.Deploy.Tests;

/// <summary>
/// The container smoke test. The Knowledge and Ingestion images that <c>scripts/images.sh</c> pushed to the
/// local registry run from the repo's own manifests (k8s/base: their Deployments and ConfigMap
/// <c>fathom-host</c>) under <c>podman kube play</c>, against the host's stack, and one document goes
/// upload (Knowledge, through the published port) → Redis stream → the containerised Ingestion → COMPLETE → search.
/// Only the host-specific bits of the manifests are patched (see <see cref="Patch"/>); everything else — env
/// names, ConfigMap, secret keys, non-root uid, read-only root, /tmp emptyDir, limits — is what the cluster gets.
/// <para>
/// Run by <c>scripts/container-smoke.sh</c>, which installs podman &amp; co., builds the images first and sets
/// <c>FATHOM_CONTAINER_SMOKE=1</c>; without it the test is skipped (a plain <c>dotnet test</c> has no images).
/// Settings: <c>FATHOM_REGISTRY</c> (127.0.0.1:5000), <c>FATHOM_SMOKE_TAG</c> (smoke), <c>FATHOM_SMOKE_RUN</c>
/// (the run id that names every pod, secret, database and stream, so the script can clean up after a killed test).
/// </para>
/// </summary>
public sealed class ContainerSmokeTests(ITestOutputHelper output)
{
    private static readonly string[] Apps = ["knowledge", "ingestion"];

    /// <summary>The Secrets the two Deployments reference (k8s/base/secrets.example.md).</summary>
    private static readonly string[] SecretNames = ["fathom-db", "fathom-redis", "fathom-host-key", "fathom-jwt-public"];

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private static string Registry => Env("FATHOM_REGISTRY") ?? "127.0.0.1:5000";

    private static string Tag => Env("FATHOM_SMOKE_TAG") ?? "smoke";

    private static string Image(string app) => $"{Registry}/fathom/{app}:{Tag}";

    [ContainerSmokeFact]
    public async Task Knowledge_and_Ingestion_images_under_podman_kube_play_ingest_and_find_an_uploaded_document()
    {
        var run = Env("FATHOM_SMOKE_RUN") ?? $"smk{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        Assert.Matches("^[a-z0-9]{3,20}$", run);
        var work = Directory.CreateDirectory(Repo.PathOf(".fathom", "container-smoke", run)).FullName;
        var database = $"fathom_{run}";
        var stream = $"smoke:ingest:{run}";
        var ports = new Dictionary<string, int> { ["knowledge"] = FunctionAppProcess.FreePort(), ["ingestion"] = FunctionAppProcess.FreePort() };
        var kube = Path.Combine(work, "kube.yaml");
        var teardown = new Stack<(string What, Func<Task> Action)>();
        ExceptionDispatchInfo? failure = null;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        Log($"run {run}: images {Registry}/fathom/{{knowledge,ingestion}}:{Tag}, ports {string.Join(", ", ports.Select(p => $"{p.Key} :{p.Value}"))}");

        try
        {
            // 1. A fresh database, migrated by the CLI the migration Job runs (fathom/cli migrate up).
            var connection = new NpgsqlConnectionStringBuilder(TestStack.Postgres) { Database = database }.ConnectionString;
            await AdminAsync($"CREATE DATABASE {database}");
            teardown.Push(("drop database", async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await AdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            }));
            var cli = RepoPaths.ToolAssembly("Cli", "fathom-cli");
            Assert.True(File.Exists(cli), $"{cli} is missing: build tools/Cli first");
            var migrate = await RunAsync("dotnet", [cli, "migrate", "up"], work, new Dictionary<string, string> { ["PostgresConnection"] = connection });
            Assert.True(migrate.Code == 0, $"fathom-cli migrate up: {migrate.Output}");
            Log("database migrated by fathom-cli");

            // 2. Secrets: podman secret create from a JSON object of base64 values (what kube play reads for
            // secretKeyRef / envFrom.secretRef); a key pair and a host key made for this run.
            var identity = new TestIdentity($"smoke-{run}");
            var secrets = new Dictionary<string, Dictionary<string, string>>
            {
                ["fathom-db"] = new() { ["PostgresConnection"] = connection, ["VectorStoreConnection"] = TestStack.VectorStore },
                ["fathom-redis"] = new() { ["RedisConnection"] = TestStack.Redis },
                ["fathom-host-key"] = new() { ["FunctionsHost__Key"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) },
                ["fathom-jwt-public"] = new() { ["Auth__ValidationKeys__0__Id"] = identity.KeyId, ["Auth__ValidationKeys__0__PublicKeyPem"] = identity.PublicKeyPem },
            };
            Assert.Equal(SecretNames.Order(StringComparer.Ordinal), secrets.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, values) in secrets)
            {
                var file = Path.Combine(work, $"{name}.json");
                File.WriteAllText(file, "");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                File.WriteAllText(file, JsonSerializer.Serialize(values.ToDictionary(v => v.Key, v => Convert.ToBase64String(Encoding.UTF8.GetBytes(v.Value)))));
                var created = await PodmanAsync(["secret", "create", $"{name}-{run}", file]);
                File.Delete(file);
                Assert.True(created.Code == 0, $"podman secret create {name}-{run}: {created.Output}");
                teardown.Push(($"secret {name}-{run}", () => PodmanOrThrowAsync(["secret", "rm", $"{name}-{run}"])));
            }
            teardown.Push(("redis stream", async () =>
            {
                await using var redis = await ConnectionMultiplexer.ConnectAsync(TestStack.Redis);
                await redis.GetDatabase().KeyDeleteAsync([stream, $"{stream}:dead"]);
            }));

            // 3. The manifests, rendered and patched for this host.
            var (source, objects) = await RenderBaseAsync();
            File.WriteAllText(kube, Patch(objects, run, stream, ports));
            Log($"rendered from {source}, patched: {Repo.Relative(kube)}");

            // 4. podman kube play (pulls the images from the registry: imagePullPolicy Always). A pull that
            // replaces the tag leaves the previous image dangling; teardown removes it (each app keeps one copy).
            var before = new Dictionary<string, string>();
            foreach (var app in Apps)
            {
                before[app] = (await PodmanAsync(["image", "inspect", "--format", "{{.Id}}", Image(app)])).Stdout.Trim();
            }
            teardown.Push(("superseded images", async () =>
            {
                foreach (var app in Apps)
                {
                    var now = (await PodmanAsync(["image", "inspect", "--format", "{{.Id}}", Image(app)])).Stdout.Trim();
                    if (before[app].Length > 0 && now.Length > 0 && before[app] != now)
                    {
                        // Best effort: an image another container still uses stays.
                        await PodmanAsync(["rmi", before[app]]);
                    }
                }
            }));
            teardown.Push(("podman kube down", async () =>
            {
                var down = await PodmanAsync(["kube", "down", kube]);
                // A pod that kube play never created is not a teardown failure.
                if (down.Code != 0 && !down.Output.Contains("no such pod", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"podman kube down: {down.Output.Trim()}");
                }
            }));
            var play = await PodmanAsync(["kube", "play", "--build=false", "--tls-verify=false", "--quiet", kube], TimeSpan.FromMinutes(5));
            Assert.True(play.Code == 0, $"podman kube play: {play.Output}");
            Log("podman kube play: pods started");
            foreach (var app in Apps)
            {
                await WaitReadyAsync(app, ports[app], run);
            }

            // 5. A user row and an access token signed with the run's key; upload, wait, search.
            await using var data = NpgsqlDataSource.Create(connection);
            var user = await TestIdentity.CreateUserAsync(data);
            client.BaseAddress = new Uri($"http://127.0.0.1:{ports["knowledge"]}");
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", identity.Token(user, TimeSpan.FromMinutes(30)));

            using var create = await client.PostAsJsonAsync("/api/collections", new { name = $"Smoke {run}", settings = new { chunkSize = 200, chunkOverlap = 20 } });
            Assert.True(create.StatusCode == HttpStatusCode.Created, $"create collection: {(int)create.StatusCode} {await create.Content.ReadAsStringAsync()}");
            var collection = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            Log($"collection {collection}");
            teardown.Push(("delete collection", async () =>
            {
                using var deleted = await client.DeleteAsync($"/api/collections/{collection}");
                if (deleted.StatusCode != HttpStatusCode.NoContent)
                {
                    throw new InvalidOperationException($"DELETE collection: {(int)deleted.StatusCode}");
                }
            }));

            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(Encoding.UTF8.GetBytes(Document)), "files", "lighthouse.md" },
            };
            using var upload = await client.PostAsync($"/api/collections/{collection}/documents", form);
            Assert.True(upload.StatusCode == HttpStatusCode.Accepted, $"upload: {(int)upload.StatusCode} {await upload.Content.ReadAsStringAsync()}");
            var document = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("documents")[0].GetProperty("id").GetGuid();
            Log($"uploaded document {document}");

            var settled = await WaitSettledAsync(client, collection, document, TimeSpan.FromSeconds(120));
            Assert.True(settled.GetProperty("status").GetString() == "COMPLETE", $"document settled as {settled}");
            Assert.True(settled.GetProperty("chunksTotal").GetInt32() >= 1, settled.ToString());
            Log($"document COMPLETE ({settled.GetProperty("chunksTotal").GetInt32()} chunks) via the containerised Ingestion");

            foreach (var (query, mode) in new[] { ("fog horn thirty seconds", "fulltext"), ("keeper trims the lamp wick", "hybrid") })
            {
                using var search = await client.PostAsJsonAsync($"/api/collections/{collection}/search", new { query, mode, topK = 5 });
                var body = await search.Content.ReadAsStringAsync();
                Assert.True(search.StatusCode == HttpStatusCode.OK, $"search {mode}: {(int)search.StatusCode} {body}");
                var results = JsonDocument.Parse(body).RootElement.GetProperty("results");
                Assert.True(results.GetArrayLength() > 0, $"search {mode} '{query}' found nothing: {body}");
                Assert.Equal("lighthouse.md", results[0].GetProperty("documentName").GetString());
            }
            Log("search (fulltext, hybrid) finds it");
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            await DumpLogsAsync(run);
        }

        // 6. Teardown, also after a failure: every step runs, the first error is reported.
        var errors = new List<string>();
        while (teardown.TryPop(out var step))
        {
            try
            {
                await step.Action();
            }
            catch (Exception e)
            {
                errors.Add($"{step.What}: {e.Message}");
            }
        }
        var left = await PodmanAsync(["ps", "-a", "--filter", $"name={run}", "--format", "{{.Names}}"]);
        if (left.Output.Trim().Length > 0)
        {
            errors.Add($"containers left behind: {left.Output.Trim()}");
        }
        if (errors.Count == 0)
        {
            // What ran, for a look afterwards (no secret values in it: those were podman secrets).
            if (File.Exists(kube))
            {
                File.Copy(kube, Path.Combine(work, "..", "kube-last.yaml"), overwrite: true);
            }
            Directory.Delete(work, recursive: true);
        }
        Log(errors.Count == 0 ? "torn down" : $"teardown problems: {string.Join("; ", errors)}");
        failure?.Throw();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private const string Document = """
        # Lighthouse keeping

        At dusk the keeper trims the lamp wick so the beam reaches the ships passing the reef.

        ## Fog signals

        When fog rolls in, the fog horn sounds every thirty seconds until the air clears.
        """;

    /// <summary>
    /// The host-specific patches, and nothing else: unique names (Deployments, ConfigMap, Secret references —
    /// podman keeps them host-wide), images from the local registry pulled every time, one replica, the host's
    /// network (the stack listens on 127.0.0.1 only) with each app on a free port (ASPNETCORE_HTTP_PORTS; no ports
    /// list, which podman refuses on the host network; Knowledge's port is the one the test calls) — no probes (kube play turns them into curl-in-shell checks; the images have neither), a fresh
    /// ingest stream and rate-limit key prefix, and no namespace (podman has none).
    /// </summary>
    private static string Patch(List<Manifest> objects, string run, string stream, Dictionary<string, int> ports)
    {
        var documents = new List<object>();
        var config = KubernetesYaml.Deserialize<V1ConfigMap>(objects.Single(o => o.Kind == "ConfigMap" && o.Name == "fathom-host").Text, strict: true);
        Assert.True(config.Data.ContainsKey("IngestStream"), "ConfigMap fathom-host has no IngestStream");
        config.Metadata.Name = $"fathom-host-{run}";
        config.Metadata.NamespaceProperty = null;
        config.Data["IngestStream"] = stream;
        config.Data["RateLimiting__KeyPrefix"] = $"fathom:ratelimit:{run}";
        documents.Add(config);

        foreach (var app in Apps)
        {
            var deployment = KubernetesYaml.Deserialize<V1Deployment>(objects.Single(o => o.Kind == "Deployment" && o.Name == app).Text, strict: true);
            deployment.Metadata.Name = $"{app}-{run}";
            deployment.Metadata.NamespaceProperty = null;
            deployment.Spec.Replicas = 1;
            var pod = deployment.Spec.Template.Spec;
            pod.HostNetwork = true;
            var container = Assert.Single(pod.Containers);
            Assert.Equal($"fathom/{app}:latest", container.Image);
            container.Image = Image(app);
            container.ImagePullPolicy = "Always";
            container.LivenessProbe = null;
            container.ReadinessProbe = null;
            container.StartupProbe = null;
            var port = ports[app];
            var http = Assert.Single(container.Ports);
            Assert.Equal(8080, http.ContainerPort);
            // hostNetwork: the app binds this port on the host itself, so Knowledge's port is published as it is.
            // The ports list goes: podman 4.3 turns every entry (even a containerPort alone) into a port mapping,
            // which it refuses on the host network ("PortMappings can only be used with Bridge or slirp4netns").
            container.Ports = null;
            var listen = Assert.Single(container.Env, e => e.Name == "ASPNETCORE_HTTP_PORTS");
            listen.Value = port.ToString(CultureInfo.InvariantCulture);
            foreach (var env in container.Env.Where(e => e.ValueFrom?.SecretKeyRef is not null))
            {
                Assert.Contains(env.ValueFrom.SecretKeyRef.Name, SecretNames);
                env.ValueFrom.SecretKeyRef.Name = $"{env.ValueFrom.SecretKeyRef.Name}-{run}";
            }
            foreach (var from in container.EnvFrom)
            {
                if (from.SecretRef is not null)
                {
                    Assert.Contains(from.SecretRef.Name, SecretNames);
                    from.SecretRef.Name = $"{from.SecretRef.Name}-{run}";
                }
                if (from.ConfigMapRef is not null)
                {
                    Assert.Equal("fathom-host", from.ConfigMapRef.Name);
                    from.ConfigMapRef.Name = config.Metadata.Name;
                }
            }
            documents.Add(deployment);
        }
        return string.Join("---\n", documents.Select(d => KubernetesYaml.Serialize(d).TrimEnd('\n') + "\n"));
    }

    /// <summary><c>kubectl kustomize k8s/base</c> where kubectl exists, else the repo's renderer of the same files.</summary>
    private static async Task<(string Source, List<Manifest> Objects)> RenderBaseAsync()
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(p => Path.Combine(p, "kubectl")).FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            return ("k8s/base (YAML files, the tests' kustomize subset)", Kustomize.Render(Repo.PathOf("k8s", "base")));
        }
        var rendered = await RunAsync(kubectl, ["kustomize", Repo.PathOf("k8s", "base")], Repo.Root);
        Assert.True(rendered.Code == 0, $"kubectl kustomize k8s/base: {rendered.Output}");
        return ("kubectl kustomize k8s/base", Yaml.Parse(rendered.Stdout, "kubectl kustomize").Select((d, i) => new Manifest("kubectl", i, d)).ToList());
    }

    private async Task WaitReadyAsync(string app, int port, string run)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        var last = "";
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var response = await probe.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    Log($"{app} ready on :{port}");
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = e.Message;
            }
            var state = await PodmanAsync(["ps", "-a", "--filter", $"name={app}-{run}", "--format", "{{.Names}} {{.Status}}"]);
            if (state.Output.Contains("Exited", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{app} exited: {state.Output.Trim()}");
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{app} not ready on :{port} after 120 s: {last}");
    }

    private static async Task<JsonElement> WaitSettledAsync(HttpClient client, Guid collection, Guid document, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var doc = await client.GetFromJsonAsync<JsonElement>($"/api/collections/{collection}/documents/{document}");
            var status = doc.GetProperty("status").GetString();
            if (status is "COMPLETE" or "FAILED")
            {
                return doc;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"document {document} still {status} after {timeout.TotalSeconds} s (is the Ingestion container consuming the stream?)");
            }
            await Task.Delay(250);
        }
    }

    private async Task DumpLogsAsync(string run)
    {
        var names = await PodmanAsync(["ps", "-a", "--filter", $"name={run}", "--format", "{{.Names}} {{.Status}}"]);
        output.WriteLine($"containers:\n{names.Output}");
        foreach (var line in names.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            var logs = await PodmanAsync(["logs", "--tail", "40", name]);
            output.WriteLine($"--- podman logs {name} (last 40 lines)\n{logs.Output}");
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var admin = NpgsqlDataSource.Create(TestStack.Postgres);
        await using var command = admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static Task<Result> PodmanAsync(IEnumerable<string> args, TimeSpan? timeout = null)
        => RunAsync("podman", args, Repo.Root, ContainerEnvironment(), timeout: timeout);

    private static async Task PodmanOrThrowAsync(IEnumerable<string> args)
    {
        var result = await PodmanAsync(args);
        if (result.Code != 0)
        {
            throw new InvalidOperationException($"podman {string.Join(' ', args)}: {result.Output.Trim()}");
        }
    }

    /// <summary>scripts/images.sh's podman settings (runc, ulimits, the insecure local registry) unless the caller set them.</summary>
    private static Dictionary<string, string> ContainerEnvironment()
    {
        var env = new Dictionary<string, string>();
        foreach (var (name, file) in new[] { ("CONTAINERS_CONF", "containers.conf"), ("CONTAINERS_REGISTRIES_CONF", "registries.conf") })
        {
            var path = Repo.PathOf(".fathom", "containers", file);
            if (Env(name) is null && File.Exists(path))
            {
                env[name] = path;
            }
        }
        return env;
    }

    private static async Task<Result> RunAsync(
        string file, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds} s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private sealed record Result(int Code, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    private void Log(string message) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F1}s] {message}");

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

/// <summary>Runs only when <c>FATHOM_CONTAINER_SMOKE=1</c> (scripts/container-smoke.sh sets it after building the images).</summary>
public sealed class ContainerSmokeFactAttribute : FactAttribute
{
    public ContainerSmokeFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("FATHOM_CONTAINER_SMOKE") != "1")
        {
            Skip = "container smoke test: run scripts/container-smoke.sh (it builds the images and sets FATHOM_CONTAINER_SMOKE=1)";
        }
    }
}
