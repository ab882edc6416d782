using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fathom.Hostile.Tests;

/// <summary>
/// The hostile requests for one endpoint, made from its method, route and (when there is one) its valid sample body:
/// broken and mistyped bodies, every field of the sample spoiled in turn, bad query strings, odd headers and paths.
/// </summary>
public static class HostileCases
{
    /// <summary>host.json's <c>extensions.http.maxJsonBodySize</c> default.</summary>
    public const int JsonCap = 4 * 1024 * 1024;

    public const int HugeLength = 100_000;

    public const int NestingDepth = 10_000;

    private static readonly string Huge = new('a', HugeLength);

    /// <summary>Values put in place of one field of a sample, as raw JSON (some of them deliberately not UTF-8).</summary>
    public static readonly (string Label, byte[] Json)[] FieldValues =
    [
        ("number", "123"u8.ToArray()),
        ("negative", "-1"u8.ToArray()),
        ("fraction", "1.5"u8.ToArray()),
        ("overflowing double", "1e400"u8.ToArray()),
        ("below long", "-9223372036854775809"u8.ToArray()),
        ("past ulong", "18446744073709551616"u8.ToArray()),
        ("true", "true"u8.ToArray()),
        ("null", "null"u8.ToArray()),
        ("object", "{}"u8.ToArray()),
        ("nested object", """{"a":{"b":[1,{"c":null}]}}"""u8.ToArray()),
        ("array", "[]"u8.ToArray()),
        ("array of null", "[null]"u8.ToArray()),
        ("array of arrays", "[[[]]]"u8.ToArray()),
        ("array of objects", "[{},{}]"u8.ToArray()),
        ("empty string", "\"\""u8.ToArray()),
        ("blank string", "\"   \\t\\n \""u8.ToArray()),
        ("short string", "\"x\""u8.ToArray()),
        ("huge string", Encoding.UTF8.GetBytes($"\"{Huge}\"")),
        ("huge multibyte string", Encoding.UTF8.GetBytes($"\"{new string('€', HugeLength)}\"")),
        ("NUL escape", "\"a\\u0000b\""u8.ToArray()),
        ("lone high surrogate", "\"a\\ud800b\""u8.ToArray()),
        ("reversed surrogates", "\"\\udc00\\ud800\""u8.ToArray()),
        ("invalid UTF-8", [(byte)'"', 0xC3, 0x28, (byte)'"']),
        ("stray bytes", [(byte)'"', 0xFF, 0xFE, (byte)'x', (byte)'"']),
        ("overlong UTF-8", [(byte)'"', 0xC0, 0xAF, (byte)'"']),
        ("encoded surrogate", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        ("control characters", "\"\\u0001\\u0007\\u001b[31m\\u007f\""u8.ToArray()),
        ("bidi override", "\"\\u202Etxt.exe\""u8.ToArray()),
        ("markup", "\"<script>alert(1)</script>\""u8.ToArray()),
        ("SQL", "\"' OR '1'='1' --; DROP TABLE users\""u8.ToArray()),
        ("percent escapes", "\"%00%ff%s%n\""u8.ToArray()),
        ("emoji", "\"\\ud83d\\ude00\\u200d\\ud83d\\udca9\""u8.ToArray()),
        ("bad date", "\"9999-99-99\""u8.ToArray()),
        ("zero guid", "\"00000000-0000-0000-0000-000000000000\""u8.ToArray()),
        ("not a guid", "\"not-a-guid\""u8.ToArray()),
        ("deep array", Encoding.ASCII.GetBytes(new string('[', 200) + new string(']', 200))),
        ("big array", Encoding.ASCII.GetBytes("[" + string.Join(',', Enumerable.Repeat("1", 20_000)) + "]")),
    ];

    public static IEnumerable<HostileRequest> For(Endpoint endpoint, string path, string? sample, IReadOnlyCollection<string> methodsOfRoute)
    {
        var json = "application/json";
        var baseHeaders = BaseHeaders(endpoint);
        var sampleBytes = sample is null ? null : Encoding.UTF8.GetBytes(sample);
        var takesBody = endpoint.Method is not ("GET" or "HEAD");
        var multipart = SampleBodies.Multipart.Contains(endpoint.Name);

        HostileRequest Make(string label, string pathAndQuery, byte[]? body, string? contentType, IEnumerable<KeyValuePair<string, string>>? headers = null, bool transport = false)
            => new(label, endpoint.Method, pathAndQuery, body, contentType, [.. baseHeaders, .. headers ?? []], Transport: transport);

        // The sample itself: the baseline the spoiled ones differ from.
        var validBody = multipart ? MultipartBody("x", "good.txt", "plain text"u8.ToArray()) : sampleBytes;
        var validType = multipart ? "multipart/form-data; boundary=x" : sampleBytes is null ? null : json;
        yield return Make("valid sample", path, validBody, validType);

        // Bodies.
        if (takesBody)
        {
            foreach (var (label, body) in MalformedBodies(sample))
            {
                yield return Make($"malformed: {label}", path, body, json);
            }
            yield return Make("empty body, JSON type", path, [], json);
            yield return Make("empty body, no type", path, null, null);
            yield return Make("whitespace body", path, " \r\n\t "u8.ToArray(), json);
            var plain = sampleBytes ?? "{}"u8.ToArray();
            yield return Make("wrong type: text/plain", path, plain, "text/plain");
            yield return Make("wrong type: form", path, "a=b&c=%00"u8.ToArray(), "application/x-www-form-urlencoded");
            yield return Make("wrong type: xml", path, "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>"u8.ToArray(), "application/xml");
            yield return Make("wrong type: multipart JSON part", path, MultipartBody("b", null, plain), "multipart/form-data; boundary=b");
            yield return Make("wrong type: garbage", path, plain, ";;;/");
            yield return Make("JSON as UTF-16", path, Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(plain)), "application/json; charset=utf-16");
            yield return Make("JSON with unknown charset", path, plain, "application/json; charset=klingon");
            yield return Make("+json type", path, plain, "application/vnd.fathom+json");
            foreach (var (label, body) in ShapeBodies())
            {
                yield return Make($"shape: {label}", path, body, json);
            }
            yield return Make("nested 10,000 deep (arrays)", path, Encoding.ASCII.GetBytes(new string('[', NestingDepth) + new string(']', NestingDepth)), json);
            yield return Make("nested 10,000 deep (objects)", path, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", NestingDepth)) + "1" + new string('}', NestingDepth)), json);
            yield return Make("nested 10,000 deep, unclosed", path, Encoding.ASCII.GetBytes(new string('[', NestingDepth)), json);
            // Past the JSON cap: with Content-Length (refused before reading) and chunked (cut off while reading).
            var oversized = Oversized();
            yield return new HostileRequest("oversized, Content-Length", endpoint.Method, path, Raw: HostileSender.Raw(endpoint.Method, path, [.. RawHeaders(baseHeaders), HostileSender.Header("Content-Type", json)], oversized));
            yield return new HostileRequest("oversized, chunked", endpoint.Method, path, Raw: HostileSender.Raw(endpoint.Method, path, [.. RawHeaders(baseHeaders), HostileSender.Header("Content-Type", json), HostileSender.Header("Transfer-Encoding", "chunked")], Chunk(oversized), contentLength: false));
            yield return Make("many unknown fields", path, Encoding.ASCII.GetBytes("{" + string.Join(',', Enumerable.Range(0, 20_000).Select(i => $"\"f{i}\":{i}")) + "}"), json);
            yield return Make("field name with NUL", path, "{\"a\\u0000b\":1}"u8.ToArray(), json);
            yield return Make("field name invalid UTF-8", path, [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], json);
            yield return Make("huge field name", path, Encoding.ASCII.GetBytes($"{{\"{Huge}\":1}}"), json);
            if (sample is not null)
            {
                foreach (var (label, body) in SpoiledFields(sample))
                {
                    yield return Make(label, path, body, json);
                }
            }
            if (multipart)
            {
                foreach (var (label, body, type) in MultipartCases())
                {
                    yield return Make($"multipart: {label}", path, body, type);
                }
                var large = new byte[9 * 1024 * 1024];
                Array.Fill(large, (byte)'a');
                yield return new HostileRequest("upload past the limit, Content-Length", endpoint.Method, path, Raw: HostileSender.Raw(endpoint.Method, path, [HostileSender.Header("Content-Type", "multipart/form-data; boundary=x")], MultipartBody("x", "big.txt", large)));
                yield return new HostileRequest("upload past the limit, chunked", endpoint.Method, path, Raw: HostileSender.Raw(endpoint.Method, path, [HostileSender.Header("Content-Type", "multipart/form-data; boundary=x"), HostileSender.Header("Transfer-Encoding", "chunked")], Chunk(MultipartBody("x", "big.txt", large)), contentLength: false));
            }
        }
        else
        {
            yield return Make("GET with a JSON body", path, sampleBytes ?? "{\"a\":1}"u8.ToArray(), json);
        }

        // Query strings, on an otherwise valid request.
        foreach (var query in Queries())
        {
            yield return Make($"query: {Shorten(query)}", path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query, validBody, validType);
        }
        yield return Make("query past Kestrel's request line", path + "?q=" + new string('q', 9000), validBody, validType, transport: true);
        yield return new HostileRequest("raw query: invalid percent escapes", endpoint.Method, path, Raw: HostileSender.Raw(endpoint.Method, path + "?%GG=%zz&q=%", RawHeaders(baseHeaders)));
        yield return new HostileRequest("raw query: non-ASCII bytes", endpoint.Method, path, Transport: true, Raw: HostileSender.Raw(endpoint.Method, path + "?q=\u00e9", RawHeaders(baseHeaders)));

        // Headers.
        foreach (var (label, headers) in HeaderSets())
        {
            yield return Make($"headers: {label}", path, validBody, validType, headers);
        }
        foreach (var (label, lines) in RawHeaderSets())
        {
            yield return new HostileRequest($"raw headers: {label}", endpoint.Method, path, Transport: true, Raw: HostileSender.Raw(endpoint.Method, path, [.. RawHeaders(baseHeaders), .. lines]));
        }

        // Other methods on the same route.
        foreach (var method in new[] { "GET", "POST", "PUT", "PATCH", "DELETE" }.Where(m => !methodsOfRoute.Contains(m)).Take(1).Append("FOO"))
        {
            yield return new HostileRequest($"method {method}", method, path, validBody, validType, baseHeaders);
        }
    }

    /// <summary>Route values for the fuzzer's path cases: every parameter spoiled in turn, the others kept.</summary>
    public static IEnumerable<(string Label, string Path)> SpoiledPaths(Endpoint endpoint, Func<(string Name, string? Constraint, bool CatchAll), string> own)
    {
        foreach (var parameter in endpoint.Parameters)
        {
            IEnumerable<(string, string)> values = parameter.Constraint == "guid"
                ? [("random guid", Guid.NewGuid().ToString()), ("zero guid", Guid.Empty.ToString()), ("not a guid", "not-a-guid"), ("guid with braces", "{" + Guid.NewGuid() + "}")]
                : [("NUL", "%00"), ("long", new string('p', 2000)), ("traversal", "..%2F..%2Fetc%2Fpasswd"), ("invalid UTF-8", "%C3%28"), ("emoji", "%F0%9F%92%A9"), ("SQL", "x'%3B%20DROP%20TABLE%20users%3B--"), ("dots", "%2e%2e")];
            foreach (var (label, value) in values)
            {
                yield return ($"path {parameter.Name}: {label}", endpoint.Fill(p => p.Name == parameter.Name ? value : own(p)));
            }
        }
        var filled = endpoint.Fill(own);
        yield return ("path: trailing segment", filled.TrimEnd('/') + "/extra");
        yield return ("path: NUL suffix", filled + "%00");
        yield return ("path: encoded slash", filled + "%2F..%2F");
    }

    /// <summary>The valid sample sent to another address (a spoiled route value).</summary>
    public static HostileRequest AtPath(Endpoint endpoint, string label, string path, string? sample)
    {
        var multipart = SampleBodies.Multipart.Contains(endpoint.Name);
        return new HostileRequest(label, endpoint.Method, path,
            multipart ? MultipartBody("x", "good.txt", "plain text"u8.ToArray()) : sample is null ? null : Encoding.UTF8.GetBytes(sample),
            multipart ? "multipart/form-data; boundary=x" : sample is null ? null : "application/json",
            BaseHeaders(endpoint),
            // Kestrel refuses a path that decodes to NUL itself (400, no body), before any middleware.
            Transport: path.Contains("%00", StringComparison.Ordinal));
    }

    public static IReadOnlyList<KeyValuePair<string, string>> BaseHeaders(Endpoint endpoint) => endpoint.Name switch
    {
        // Streamable HTTP asks clients to accept both.
        "Mcp" => [new("Accept", "application/json, text/event-stream")],
        _ when endpoint.NeedsHostKey => [new("x-functions-key", HostileApps.HostKey)],
        _ => [],
    };

    private static IEnumerable<byte[]> RawHeaders(IEnumerable<KeyValuePair<string, string>> headers)
        => headers.Select(h => HostileSender.Header(h.Key, h.Value));

    private static IEnumerable<(string, byte[])> MalformedBodies(string? sample)
    {
        yield return ("open brace", "{"u8.ToArray());
        yield return ("missing value", "{\"a\":}"u8.ToArray());
        yield return ("unclosed array", "[1,2"u8.ToArray());
        yield return ("bare word", "nul"u8.ToArray());
        yield return ("trailing comma", "{\"a\":1,}"u8.ToArray());
        yield return ("single quotes", "{'a':1}"u8.ToArray());
        yield return ("trailing garbage", "{} x"u8.ToArray());
        yield return ("two documents", "{}{}"u8.ToArray());
        yield return ("comment", "/* c */ {}"u8.ToArray());
        yield return ("bad escape", "{\"a\":\"\\u12\"}"u8.ToArray());
        yield return ("NaN", "{\"a\":NaN}"u8.ToArray());
        yield return ("raw NUL byte", [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0, (byte)'"', (byte)'}']);
        yield return ("raw control byte in string", "{\"a\":\"\u0001\"}"u8.ToArray());
        yield return ("byte-order mark", [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']);
        yield return ("binary", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0]);
        if (sample is not null)
        {
            yield return ("sample cut in half", Encoding.UTF8.GetBytes(sample[..(sample.Length / 2)]));
            yield return ("sample with a trailing comma", Encoding.UTF8.GetBytes(sample.TrimEnd('}') + ",}"));
        }
    }

    private static IEnumerable<(string, byte[])> ShapeBodies()
    {
        yield return ("null", "null"u8.ToArray());
        yield return ("array", "[]"u8.ToArray());
        yield return ("array of objects", "[{}]"u8.ToArray());
        yield return ("string", "\"x\""u8.ToArray());
        yield return ("number", "0"u8.ToArray());
        yield return ("true", "true"u8.ToArray());
        yield return ("empty object", "{}"u8.ToArray());
        yield return ("huge string", Encoding.UTF8.GetBytes($"\"{Huge}\""));
    }

    /// <summary>A valid JSON object just past the cap.</summary>
    private static byte[] Oversized()
    {
        var body = new byte[JsonCap + 1024];
        Array.Fill(body, (byte)'a');
        "{\"x\":\""u8.CopyTo(body);
        "\"}"u8.CopyTo(body.AsSpan(body.Length - 2));
        return body;
    }

    /// <summary>The sample with one field at a time replaced by each of <see cref="FieldValues"/>, then every string field huge at once.</summary>
    public static IEnumerable<(string Label, byte[] Body)> SpoiledFields(string sample)
    {
        var root = JsonNode.Parse(sample)!;
        var paths = new List<string>();
        Collect(root, "", paths);
        foreach (var path in paths)
        {
            foreach (var (label, value) in FieldValues)
            {
                var copy = JsonNode.Parse(sample)!;
                Set(copy, path, JsonValue.Create("__HOSTILE__"));
                var text = Encoding.UTF8.GetBytes(copy.ToJsonString());
                yield return ($"field {path}: {label}", Replace(text, "\"__HOSTILE__\""u8, value));
            }
        }
        var huge = JsonNode.Parse(sample)!;
        foreach (var path in paths.Where(p => Get(huge, p) is JsonValue v && v.GetValueKind() == JsonValueKind.String))
        {
            Set(huge, path, JsonValue.Create(Huge));
        }
        yield return ("every string field huge", Encoding.UTF8.GetBytes(huge.ToJsonString()));
    }

    private static void Collect(JsonNode? node, string path, List<string> paths)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    paths.Add(childPath);
                    Collect(child, childPath, paths);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var childPath = $"{path}[{i}]";
                    paths.Add(childPath);
                    Collect(array[i], childPath, paths);
                }
                break;
        }
    }

    private static IEnumerable<object> Steps(string path)
    {
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0)
            {
                yield return name;
            }
            for (var rest = bracket < 0 ? "" : part[bracket..]; rest.Length > 0;)
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                yield return int.Parse(rest[1..close], System.Globalization.CultureInfo.InvariantCulture);
                rest = rest[(close + 1)..];
            }
        }
    }

    private static JsonNode? Get(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var step in Steps(path))
        {
            node = step is string name ? node?[name] : node?[(int)step];
        }
        return node;
    }

    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        var steps = Steps(path).ToList();
        JsonNode? parent = root;
        foreach (var step in steps[..^1])
        {
            parent = step is string name ? parent![name] : parent![(int)step];
        }
        if (steps[^1] is string last)
        {
            parent!.AsObject()[last] = value;
        }
        else
        {
            parent!.AsArray()[(int)steps[^1]] = value;
        }
    }

    private static byte[] Replace(byte[] text, ReadOnlySpan<byte> token, byte[] value)
    {
        var at = text.AsSpan().IndexOf(token);
        return [.. text.AsSpan(0, at), .. value, .. text.AsSpan(at + token.Length)];
    }

    public static byte[] MultipartBody(string boundary, string? fileName, byte[] content, bool close = true)
    {
        var head = fileName is null
            ? $"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: application/json\r\n\r\n"
            : $"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{fileName}\"\r\nContent-Type: text/plain\r\n\r\n";
        return [.. Encoding.UTF8.GetBytes(head), .. content, .. Encoding.ASCII.GetBytes(close ? $"\r\n--{boundary}--\r\n" : "\r\n")];
    }

    private static IEnumerable<(string, byte[], string)> MultipartCases()
    {
        const string type = "multipart/form-data; boundary=x";
        var text = "some text"u8.ToArray();
        yield return ("no closing boundary", MultipartBody("x", "a.txt", text, close: false), type);
        yield return ("cut off inside a part", Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nsome te"), type);
        yield return ("no boundary parameter", MultipartBody("x", "a.txt", text), "multipart/form-data");
        yield return ("empty boundary", MultipartBody("x", "a.txt", text), "multipart/form-data; boundary=\"\"");
        yield return ("boundary past 70 characters", MultipartBody(new string('b', 200), "a.txt", text), $"multipart/form-data; boundary={new string('b', 200)}");
        yield return ("other boundary in body", MultipartBody("y", "a.txt", text), type);
        yield return ("only the closing boundary", "--x--\r\n"u8.ToArray(), type);
        yield return ("empty body", [], type);
        yield return ("part without headers", "--x\r\n\r\nbody\r\n--x--\r\n"u8.ToArray(), type);
        yield return ("part without a name", "--x\r\nContent-Disposition: form-data; filename=\"a.txt\"\r\n\r\nbody\r\n--x--\r\n"u8.ToArray(), type);
        yield return ("file name with NUL", MultipartBody("x", "a\0b.txt", text), type);
        yield return ("file name 10,000 long", MultipartBody("x", new string('n', 10_000) + ".txt", text), type);
        yield return ("file name traversal", MultipartBody("x", "../../../etc/passwd.txt", text), type);
        yield return ("file name non-ASCII", MultipartBody("x", "日本語 ✓.txt", text), type);
        yield return ("file name invalid UTF-8", [.. "--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\""u8, 0xC3, 0x28, .. ".txt\"\r\n\r\nbody\r\n--x--\r\n"u8], type);
        yield return ("file name* RFC 5987", "--x\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''%E2%9C%93%00.txt\r\n\r\nbody\r\n--x--\r\n"u8.ToArray(), type);
        yield return ("empty file", MultipartBody("x", "empty.txt", []), type);
        yield return ("unknown type", MultipartBody("x", "tool.exe", text), type);
        yield return ("no extension", MultipartBody("x", "README", text), type);
        yield return ("101 files", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 101).Select(i => $"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"f{i}.txt\"\r\n\r\nfile {i}\r\n")) + "--x--\r\n"), type);
        yield return ("2,000 form fields", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"--x\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")) + "--x--\r\n"), type);
        yield return ("part header past 16 KiB", Encoding.ASCII.GetBytes($"--x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nX-Pad: {new string('p', 20_000)}\r\n\r\nbody\r\n--x--\r\n"), type);
        yield return ("nested multipart/mixed", "--x\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: multipart/mixed; boundary=y\r\n\r\n--y\r\nContent-Disposition: file; filename=\"a.txt\"\r\n\r\ninner\r\n--y--\r\n\r\n--x--\r\n"u8.ToArray(), type);
        yield return ("part with NUL content", MultipartBody("x", "nul.txt", [0, 0, 0, (byte)'a', 0]), type);
        yield return ("boundary with quotes and spaces", MultipartBody("a b", "a.txt", text), "multipart/form-data; boundary=\"a b\"");
    }

    private static string[] Queries() =>
    [
        "%00",
        "q=%00",
        "page=%00&pageSize=%00",
        "page=-1&pageSize=0",
        "page=0&pageSize=101",
        "page=99999999999999999999&pageSize=2147483648",
        "page=abc&pageSize=1e3",
        "q=%C3%28%FF%FE",
        "q=%ED%A0%80",
        "q=" + new string('a', 7000),
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&sort=title",
        "q=%22unterminated",
        "q=-&q=OR&q=%22%22",
        "q=OR%20OR%20OR%20-%20%22",
        "q=%5C%27%3B--",
        "q=%26%7C%21%3A*",
        "status=NOPE&sort=NOPE&dueBefore=not-a-date",
        "dueBefore=99999-12-31",
        "dueBefore=0001-01-01&status=done",
        "status=FAILED&status=COMPLETE",
        string.Join('&', Enumerable.Repeat("page=1", 500)),
        "a[b][c]=d&a[]=1",
        "=&&&=x&%25%25%25",
        "code=%00",
        "code=wrong-host-key",
        "stream=maybe&stream=true",
        "+++=+++&;;;",
    ];

    private static IEnumerable<(string, IEnumerable<KeyValuePair<string, string>>)> HeaderSets()
    {
        yield return ("non-ASCII value", [new("X-Note", "héllo ✓ 日本 \u202E")]);
        yield return ("non-ASCII Accept", [new("Accept", "application/jsön, */*")]);
        yield return ("Accept xml", [new("Accept", "application/xml")]);
        yield return ("Accept event stream", [new("Accept", "text/event-stream")]);
        yield return ("Accept nothing", [new("Accept", "*/*;q=0, application/json;q=0")]);
        yield return ("odd Accept-Language and -Encoding", [new("Accept-Language", "xx-ÿÿ;q=abc"), new("Accept-Encoding", "br;q=2, gzip, zzz")]);
        yield return ("long request id", [new("X-Request-Id", new string('r', 1000))]);
        yield return ("non-ASCII request id", [new("X-Request-Id", "ünïcode-id")]);
        yield return ("traversal request id", [new("X-Request-Id", "../../etc/passwd")]);
        yield return ("forwarded-for garbage", [new("X-Forwarded-For", "not-an-ip, 999.999.1.1, ::ffff:zz")]);
        yield return ("forwarded-for 1,000 hops", [new("X-Forwarded-For", string.Join(", ", Enumerable.Repeat("10.1.2.3", 1000)))]);
        yield return ("foreign origin", [new("Origin", "http://evil.example")]);
        yield return ("null origin", [new("Origin", "null")]);
        yield return ("16 KiB header", [new("X-Long", new string('h', 16 * 1024))]);
        yield return ("90 headers", Enumerable.Range(0, 90).Select(i => new KeyValuePair<string, string>($"X-Many-{i}", $"v{i}")));
        yield return ("conditional garbage", [new("If-None-Match", "*"), new("If-Modified-Since", "not a date")]);
        yield return ("range past the end", [new("Range", "bytes=99999999-")]);
        yield return ("200 ranges", [new("Range", "bytes=" + string.Join(',', Enumerable.Range(0, 200).Select(i => $"{i}-{i}")))]);
        yield return ("cookie garbage", [new("Cookie", string.Join("; ", Enumerable.Range(0, 300).Select(i => $"c{i}=%00{i}")))]);
        yield return ("Expect 100-continue", [new("Expect", "100-continue")]);
    }

    private static IEnumerable<(string, byte[][])> RawHeaderSets()
    {
        yield return ("NUL byte in a value", [HostileSender.Header("X-Nul", [(byte)'a', 0, (byte)'b'])]);
        yield return ("invalid UTF-8 in a value", [HostileSender.Header("X-Bad", [0xC3, 0x28, 0xFF])]);
        yield return ("64 KiB header", [HostileSender.Header("X-Huge", new string('h', 64 * 1024))]);
        yield return ("150 headers", [.. Enumerable.Range(0, 150).Select(i => HostileSender.Header($"X-H{i}", "v"))]);
        yield return ("space in a name", [HostileSender.Header("X Bad", "v")]);
        yield return ("no colon", ["X-No-Colon"u8.ToArray()]);
        yield return ("obsolete line folding", ["X-Fold: a"u8.ToArray(), " continued"u8.ToArray()]);
    }

    private static byte[] Chunk(byte[] body)
    {
        using var stream = new MemoryStream();
        for (var at = 0; at < body.Length; at += 64 * 1024)
        {
            var n = Math.Min(64 * 1024, body.Length - at);
            stream.Write(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
            stream.Write(body, at, n);
            stream.Write("\r\n"u8);
        }
        stream.Write("0\r\n\r\n"u8);
        return stream.ToArray();
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : $"{text[..40]}… ({text.Length} chars)";
}
