using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Fathom.RateLimiting;

/// <summary>The address a per-IP budget is kept for.</summary>
public static class ClientAddress
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>
    /// The connection's remote address, or X-Forwarded-For's first hop when the proxy in front is trusted to
    /// set it. Never a later hop: those are proxies, and every client behind them would share one budget.
    /// </summary>
    public static IPAddress? Resolve(HttpContext http, bool trustForwardedFor)
    {
        if (trustForwardedFor)
        {
            var header = http.Request.Headers[ForwardedForHeader].ToString();
            var first = header.Split(',', 2)[0].Trim();
            if (IPAddress.TryParse(first, out var forwarded))
            {
                return forwarded;
            }
        }
        return http.Connection.RemoteIpAddress;
    }

    /// <summary>
    /// The budget's name for an address. An IPv6 client usually holds a whole /64 and can hop between its
    /// addresses at will, so the /64 is the unit; IPv4 mapped into IPv6 counts as the IPv4 address.
    /// </summary>
    public static string BudgetName(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
