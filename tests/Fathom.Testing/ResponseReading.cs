using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace Fathom.Testing;

/// <summary>Reads a response the way a test means it: the status it expects first, then the body as a typed value.</summary>
public static class ResponseReading
{
    /// <summary>
    /// The body as <typeparamref name="T"/> once the status is <paramref name="expected"/>; otherwise the test fails
    /// naming the request, the status and the body the server sent (a problem's detail says why, a bare
    /// KeyNotFoundException from the JSON does not).
    /// </summary>
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {response.StatusCode}, expected {(int)expected} {expected}: {body}");
        }
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }
}
