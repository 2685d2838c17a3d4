using System.Net;

namespace Tend.Stores.Consul.Http;

/// <summary>A Consul answer the caller interprets (200, 404, 409, 413); the connection turned everything else into exceptions.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Index">X-Consul-Index, 0 when absent.</param>
/// <param name="Body">The body.</param>
/// <param name="Endpoint">The endpoint that answered.</param>
internal sealed record ConsulResponse(HttpStatusCode Status, long Index, byte[] Body, Uri Endpoint)
{
    public bool IsOk => Status == HttpStatusCode.OK;

    public bool IsNotFound => Status == HttpStatusCode.NotFound;

    /// <summary>The body as text (Consul's errors are plain text), trimmed, at most 500 characters.</summary>
    public string Text
    {
        get
        {
            var text = System.Text.Encoding.UTF8.GetString(Body).Trim();
            return text.Length > 500 ? text[..500] + "…" : text;
        }
    }
}
