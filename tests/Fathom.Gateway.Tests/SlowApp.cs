using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fathom.Gateway.Tests;

/// <summary>
/// Stands in for an app that is slow to answer: it accepts connections on the app's port at once, then answers
/// each request only after <c>delay(n)</c> for the n-th request (or never). The gateway runs a placeholder process
/// (<c>sleep</c>) as the app; this listener is what its probes and proxied requests reach.
/// </summary>
public sealed class SlowApp : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<int, TimeSpan> _delay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    public SlowApp(int port, Func<int, TimeSpan> delay)
    {
        _delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Requests => Volatile.Read(ref _requests);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = AnswerAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                // One request per connection is enough for probes and the calls the tests make: read its head.
                var read = 0;
                while (read < buffer.Length && !Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n0 = await stream.ReadAsync(buffer.AsMemory(read), _stop.Token);
                    if (n0 == 0)
                    {
                        return;
                    }
                    read += n0;
                }
                var n = Interlocked.Increment(ref _requests);
                await Task.Delay(_delay(n), _stop.Token);
                var body = "slow but fine"u8.ToArray();
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(head, _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
