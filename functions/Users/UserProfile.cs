using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Functions;
using Fathom.Http;

namespace Users.Functions;

/// <summary>The owner's view of a profile (and what the cache holds).</summary>
public sealed record UserProfile(Guid Id, string Email, string DisplayName, string Bio, DateTimeOffset CreatedAt)
{
    public PublicProfile ToPublic() => new(Id, DisplayName, Bio, CreatedAt);
}

/// <summary>What other users see: no email.</summary>
public sealed record PublicProfile(Guid Id, string DisplayName, string Bio, DateTimeOffset CreatedAt);

/// <summary>Only the fields present change.</summary>
public sealed record UpdateProfileRequest(string? DisplayName, string? Bio) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (DisplayName is not null)
        {
            errors.Text("displayName", DisplayName, 1, 100);
        }
        errors.Text("bio", Bio ?? "", 0, 2000);
    }
}

[JsonSerializable(typeof(UserProfile))]
[JsonSerializable(typeof(PublicProfile))]
[JsonSerializable(typeof(UpdateProfileRequest))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class UsersJson : JsonSerializerContext;
