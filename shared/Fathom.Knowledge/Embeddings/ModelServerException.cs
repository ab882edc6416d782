namespace Fathom.Knowledge.Embeddings;

/// <summary>
/// An OpenAI-compatible model server refused a call or could not be reached: <see cref="Status"/> is its HTTP status
/// (null when no answer came), and the message says what the server said.
/// </summary>
public sealed class ModelServerException(string message, int? status, Exception? inner = null) : Exception(message, inner)
{
    public int? Status { get; } = status;
}
