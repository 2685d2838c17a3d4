using Grpc.Core;
using Tend.Core.Kv;

namespace Tend.Stores.Etcd;

/// <summary>
/// What etcd's errors mean, for both transports (the gateway passes gRPC's code and message through):
/// which call for a new token, which are authentication problems, which mean "try another member".
/// </summary>
internal static class EtcdErrors
{
    public static bool IsTokenProblem(EtcdError error) =>
        error.Message.Contains("invalid auth token", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("user name is empty", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("auth token", StringComparison.OrdinalIgnoreCase);

    public static bool IsAuthProblem(EtcdError error) =>
        error.Code is StatusCode.PermissionDenied or StatusCode.Unauthenticated
        || error.Message.Contains("authentication failed", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
        || IsTokenProblem(error);

    // Unavailable covers "no leader", "leader changed", "request timed out"; DeadlineExceeded is the server's own deadline.
    public static bool IsUnavailable(EtcdError error) =>
        error.Code is StatusCode.Unavailable or StatusCode.DeadlineExceeded
        || error.Message.Contains("no leader", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("leader changed", StringComparison.OrdinalIgnoreCase)
        || error.Message.Contains("request timed out", StringComparison.OrdinalIgnoreCase);

    /// <summary>The typed exception for a refusal by the server.</summary>
    public static KvStoreException ToException(string name, string? username, string what, EtcdError error)
    {
        if (IsAuthProblem(error))
        {
            return new KvAuthenticationException(
                !string.IsNullOrEmpty(username)
                    ? $"{name}: etcd refused user '{username}': {error.Message}"
                    : $"{name}: etcd requires authentication ({error.Message}); set a user name and password");
        }

        var text = $"{name}: {what} failed: {error.Message} (code {(int)error.Code})";
        if (IsUnavailable(error))
        {
            return new KvStoreUnavailableException(text);
        }

        return new EtcdServerException(text, (int)error.Code, error.Message);
    }

    /// <summary>An exception chain as one line, without repeating messages that contain each other.</summary>
    public static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (parts.Count == 0 || !parts[^1].Contains(e.Message, StringComparison.Ordinal))
            {
                parts.Add(e.Message);
            }
        }

        return string.Join(" → ", parts);
    }

    /// <summary>True when the request surely never reached a server (so even a write may go to another endpoint).</summary>
    public static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;
}
