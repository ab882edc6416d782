using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

// slow-app <first-delay-ms> <later-delay-ms>: listens on ASPNETCORE_URLS (as the gateway sets it) and answers every
// request with 200 after the first delay for the first request and the later delay for the rest; -1 never answers.
var first = int.Parse(args[0], CultureInfo.InvariantCulture);
var later = int.Parse(args[1], CultureInfo.InvariantCulture);
var url = new Uri(Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? throw new InvalidOperationException("ASPNETCORE_URLS is not set."));
var listener = new TcpListener(IPAddress.Loopback, url.Port);
listener.Start();
var requests = 0;
while (true)
{
    var client = await listener.AcceptTcpClientAsync();
    _ = AnswerAsync(client, Interlocked.Increment(ref requests) == 1 ? first : later);
}

static async Task AnswerAsync(TcpClient client, int delay)
{
    using (client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = 0;
            while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    return;
                }
                read += n;
            }
            await Task.Delay(delay);
            var body = "slow but fine"u8.ToArray();
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
        }
        catch (IOException)
        {
        }
    }
}
