using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Auth.Functions;

/// <summary>The cost of one Argon2id hash. Stored inside every hash, so raising it later only affects new hashes.</summary>
public sealed record Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism)
{
    /// <summary>OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane): about 50-100 ms here.</summary>
    public static Argon2Parameters Current { get; } = new(19 * 1024, 2, 1);

    public bool IsWeakerThan(Argon2Parameters other)
        => MemoryKiB < other.MemoryKiB || Iterations < other.Iterations || Parallelism != other.Parallelism;
}

public readonly record struct PasswordCheck(bool Valid, bool NeedsRehash);

/// <summary>
/// Argon2id password hashes in the PHC string format, <c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c>
/// (unpadded base64), so every stored hash says how it was made and verification uses those numbers.
/// </summary>
public sealed class PasswordHasher : IDisposable
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const int Version = 19;

    /// <summary>
    /// Each hash holds its memory (19 MiB) and a core for its duration; a burst of logins waits here
    /// instead of growing memory without bound.
    /// </summary>
    private readonly SemaphoreSlim _slots = new(Math.Max(1, Environment.ProcessorCount));

    public async Task<string> HashAsync(string password, CancellationToken ct)
    {
        var parameters = Argon2Parameters.Current;
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = await ComputeAsync(password, salt, parameters, HashBytes, ct);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v={Version}$m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}${Unpadded(salt)}${Unpadded(hash)}");
    }

    public async Task<PasswordCheck> VerifyAsync(string password, string encoded, CancellationToken ct)
    {
        if (!TryParse(encoded, out var parameters, out var salt, out var expected))
        {
            // Not ours (or a placeholder): still spend the time, so the answer's timing says nothing.
            await DummyVerifyAsync(password, ct);
            return new PasswordCheck(false, false);
        }
        var actual = await ComputeAsync(password, salt, parameters, expected.Length, ct);
        var valid = CryptographicOperations.FixedTimeEquals(actual, expected);
        return new PasswordCheck(valid, valid && parameters.IsWeakerThan(Argon2Parameters.Current));
    }

    /// <summary>Costs what a real check costs; used when there is no account, so unknown emails answer as slowly as wrong passwords.</summary>
    public Task DummyVerifyAsync(string password, CancellationToken ct)
        => ComputeAsync(password, RandomNumberGenerator.GetBytes(SaltBytes), Argon2Parameters.Current, HashBytes, ct);

    private async Task<byte[]> ComputeAsync(string password, byte[] salt, Argon2Parameters parameters, int length, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(password))
            {
                Salt = salt,
                MemorySize = parameters.MemoryKiB,
                Iterations = parameters.Iterations,
                DegreeOfParallelism = parameters.Parallelism,
            };
            return argon2.GetBytes(length);
        }
        finally
        {
            _slots.Release();
        }
    }

    internal static bool TryParse(string encoded, out Argon2Parameters parameters, out byte[] salt, out byte[] hash)
    {
        parameters = Argon2Parameters.Current;
        salt = hash = [];
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != $"v={Version}")
        {
            return false;
        }
        int? m = null, t = null, p = null;
        foreach (var pair in parts[3].Split(','))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !int.TryParse(pair.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }
            switch (pair[..eq])
            {
                case "m": m = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
                default: return false;
            }
        }
        // Bounds keep a tampered row from asking for gigabytes or hours.
        if (m is not (>= 8 and <= 1024 * 1024) || t is not (>= 1 and <= 100) || p is not (>= 1 and <= 16))
        {
            return false;
        }
        if (!TryDecode(parts[4], out salt) || !TryDecode(parts[5], out hash) || salt.Length < 8 || hash.Length < 16)
        {
            return false;
        }
        parameters = new Argon2Parameters(m.Value, t.Value, p.Value);
        return true;
    }

    private static string Unpadded(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string unpadded, out byte[] bytes)
    {
        var padded = unpadded.PadRight(unpadded.Length + (4 - unpadded.Length % 4) % 4, '=');
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }
        bytes = [];
        return false;
    }

    public void Dispose() => _slots.Dispose();
}
