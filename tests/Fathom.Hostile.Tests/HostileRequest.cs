using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Fathom.Hostile.Tests;

/// <summary>
/// One request of the fuzzer or the matrix. <see cref="Raw"/> requests go over a plain socket (bytes HttpClient would
/// never send: NUL or invalid UTF-8 in a header, a lying request line). <see cref="Transport"/> marks requests Kestrel
/// itself refuses before any middleware runs (headers or request line past its limits, malformed HTTP): it answers
/// with a bare status and no body, so only "no 5xx, no crash" is asked of those.
/// </summary>
public sealed record HostileRequest(
    string Label,
    string Method,
    string PathAndQuery,
    byte[]? Body = null,
    string? ContentType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    bool Chunked = false,
    bool Transport = false,
    Func<string, string?, byte[]>? Raw = null)
{
    public bool ExpectsNoBody => Method == "HEAD";
}

/// <summary>What came back.</summary>
public sealed record HostileAnswer(int Status, string? ContentType, string Body, string? Error, double Milliseconds)
{
    public bool Answered => Error is null;

    public string MediaType => ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";
}

public static class HostileSender
{
    public static async Task<HostileAnswer> SendAsync(HttpClient client, Uri baseAddress, HostileRequest request, string? bearer, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        if (request.Raw is { } raw)
        {
            return await SendRawAsync(baseAddress, raw($"127.0.0.1:{baseAddress.Port}", bearer), clock);
        }
        try
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(baseAddress, request.PathAndQuery));
            if (bearer is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
            }
            foreach (var (name, value) in request.Headers ?? [])
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    message.Content ??= new ByteArrayContent([]);
                    message.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
            if (request.Body is { } body)
            {
                HttpContent content = request.Chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
                if (message.Content is { } headersOnly)
                {
                    foreach (var header in headersOnly.Headers)
                    {
                        content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }
                message.Content = content;
            }
            if (request.ContentType is { } type)
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.Remove("Content-Type");
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            var text = await ReadSomeAsync(response.Content, ct);
            return new HostileAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), text, null, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return new HostileAnswer(0, null, "", $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>Up to 8 MiB of the body (enough to judge any error's shape; a huge 200 need not be kept).</summary>
    private static async Task<string> ReadSomeAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var buffer = new byte[8 * 1024 * 1024];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
            if (total == buffer.Length)
            {
                // Drain the rest so the connection can be reused.
                var sink = new byte[64 * 1024];
                while (await stream.ReadAsync(sink, ct) > 0)
                {
                }
                break;
            }
        }
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>Writes the bytes as they are, then reads until the server closes (the request says Connection: close).</summary>
    private static async Task<HostileAnswer> SendRawAsync(Uri baseAddress, byte[] request, Stopwatch clock)
    {
        try
        {
            using var socket = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(baseAddress.Host, baseAddress.Port, timeout.Token);
            var stream = socket.GetStream();
            try
            {
                await stream.WriteAsync(request, timeout.Token);
            }
            catch (IOException)
            {
                // The server may answer and close before it has read everything; what it answered is still there.
            }
            using var received = new MemoryStream();
            var buffer = new byte[16 * 1024];
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    received.Write(buffer, 0, read);
                }
            }
            catch (IOException) when (received.Length > 0)
            {
                // A reset after the answer.
            }
            var bytes = received.ToArray();
            var headerEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            var head = Encoding.Latin1.GetString(bytes, 0, headerEnd < 0 ? bytes.Length : headerEnd);
            if (!head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || head.Length < 12)
            {
                return new HostileAnswer(0, null, head, $"no HTTP answer ({bytes.Length} bytes)", clock.Elapsed.TotalMilliseconds);
            }
            var status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
            var headers = head.Split("\r\n");
            var contentType = headers.FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?.Split(':', 2)[1].Trim();
            var content = headerEnd < 0 ? [] : bytes[(headerEnd + 4)..];
            if (headers.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            {
                content = Dechunk(content);
            }
            var body = Encoding.UTF8.GetString(content);
            return new HostileAnswer(status, contentType, body, null, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return new HostileAnswer(0, null, "", $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed.TotalMilliseconds);
        }
    }

    /// <summary>The data of a chunked body (sizes in hex, each chunk followed by CRLF, a zero chunk last).</summary>
    private static byte[] Dechunk(byte[] body)
    {
        using var data = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0 || !int.TryParse(Encoding.ASCII.GetString(body, at, lineEnd).Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size == 0)
            {
                break;
            }
            var start = at + lineEnd + 2;
            data.Write(body, start, Math.Min(size, body.Length - start));
            at = start + size + 2;
        }
        return data.ToArray();
    }

    /// <summary>A raw HTTP/1.1 request: request line, Host, the given header lines, Connection: close, then the body.</summary>
    public static Func<string, string?, byte[]> Raw(string method, string target, IEnumerable<byte[]> headerLines, byte[]? body = null, bool contentLength = true)
        => (host, bearer) =>
        {
            using var bytes = new MemoryStream();
            void Line(byte[] line)
            {
                bytes.Write(line);
                bytes.Write("\r\n"u8);
            }
            Line(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1"));
            Line(Encoding.ASCII.GetBytes($"Host: {host}"));
            if (bearer is not null)
            {
                Line(Encoding.ASCII.GetBytes($"Authorization: Bearer {bearer}"));
            }
            foreach (var line in headerLines)
            {
                Line(line);
            }
            if (body is not null && contentLength)
            {
                Line(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}"));
            }
            Line("Connection: close"u8.ToArray());
            bytes.Write("\r\n"u8);
            if (body is not null)
            {
                bytes.Write(body);
            }
            return bytes.ToArray();
        };

    public static byte[] Header(string name, string value) => Encoding.UTF8.GetBytes($"{name}: {value}");

    public static byte[] Header(string name, byte[] value) => [.. Encoding.ASCII.GetBytes($"{name}: "), .. value];

    public static AuthenticationHeaderValue Bearer(string credential) => new("Bearer", credential);

    /// <summary>A stream whose length HttpClient cannot know, so the body goes chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
