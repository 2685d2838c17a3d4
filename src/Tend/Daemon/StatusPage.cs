using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tend.Daemon;

/// <summary>
/// <c>GET /</c>: one self-contained HTML page (inline CSS and script, no other request than <c>/status</c>)
/// showing what <c>/status</c> says and following it every second. The page is an embedded resource; its
/// Content-Security-Policy allows exactly its own script and style (by hash) and fetches to this listener only.
/// </summary>
internal static class StatusPage
{
    private const string ResourceName = "Tend.Daemon.StatusPage.html";

    private static readonly Lazy<(byte[] Html, string Policy)> Page = new(Load);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) =>
        {
            var (html, policy) = Page.Value;
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            return Results.Bytes(html, "text/html; charset=utf-8");
        });
    }

    /// <summary>The page and its policy: the SHA-256 of its one inline script and one inline style.</summary>
    internal static (byte[] Html, string Policy) Load()
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the status page ({ResourceName}) is not embedded in this build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var script = Hash(Between(text, "<script>", "</script>"));
        var style = Hash(Between(text, "<style>", "</style>"));
        var policy = $"default-src 'none'; script-src '{script}'; style-src '{style}'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return (Encoding.UTF8.GetBytes(text), policy);
    }

    private static string Between(string text, string open, string close)
    {
        int start = text.IndexOf(open, StringComparison.Ordinal) + open.Length;
        int end = text.IndexOf(close, start, StringComparison.Ordinal);
        return text[start..end];
    }

    private static string Hash(string content) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
}
