namespace Auth.Functions;

/// <summary>
/// Settings under <c>Auth:Lockout</c>. From the <see cref="MaxFailures"/>th failed password in a row, the
/// account is locked for <see cref="Duration"/>, doubling with each further failure up to
/// <see cref="MaxDuration"/>; a successful sign-in resets the count.
/// </summary>
public sealed class LockoutOptions
{
    public const string Section = "Auth:Lockout";

    public int MaxFailures { get; set; } = 5;

    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(15);
}
