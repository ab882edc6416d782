using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Fathom.RateLimiting;

/// <summary>The address a per-IP budget is kept for.</summary>
public static class ClientAddress
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>
    /// The connection's remote address; when that is a trusted proxy, the nearest address in X-Forwarded-For
    /// that is not one (walking from the right: each proxy appends the address it saw, while anything to the
    /// left of the first untrusted hop may have been written by the client itself).
    /// </summary>
    public static IPAddress? Resolve(HttpContext http, IReadOnlyList<IPNetwork> trustedProxies)
    {
        var remote = http.Connection.RemoteIpAddress;
        if (remote is null || !IsTrusted(remote, trustedProxies))
        {
            return remote;
        }
        var hops = http.Request.Headers[ForwardedForHeader].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop))
            {
                // A hop that is not an address: nothing to its left can be believed.
                break;
            }
            if (!IsTrusted(hop, trustedProxies))
            {
                return hop;
            }
        }
        return remote;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return trusted.Any(n => n.Contains(plain));
    }

    /// <summary>Parses "10.0.0.0/8, 127.0.0.1, ::1" (a lone address is a network of one).</summary>
    public static bool TryParseNetworks(string? text, out List<IPNetwork> networks, out string? bad)
    {
        networks = [];
        bad = null;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (IPNetwork.TryParse(part, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(part, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                bad = part;
                return false;
            }
        }
        return true;
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
