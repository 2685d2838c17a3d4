using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Tend.Daemon;
using Xunit;

namespace Tend.Cli.Tests.Daemon;

/// <summary>The status page as served: one file, nothing fetched from elsewhere, a policy that admits only its own code.</summary>
public sealed partial class StatusPageTests
{
    [Fact]
    public void Load_EmbeddedPage_IsSelfContained()
    {
        var html = Encoding.UTF8.GetString(StatusPage.Load().Html);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<script"));
    }

    [Fact]
    public void Load_Policy_AllowsExactlyThePagesOwnScriptAndStyle()
    {
        var (bytes, policy) = StatusPage.Load();
        var html = Encoding.UTF8.GetString(bytes);
        var script = html[(html.IndexOf("<script>", StringComparison.Ordinal) + 8)..html.IndexOf("</script>", StringComparison.Ordinal)];
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));

        Assert.Contains($"script-src 'sha256-{hash}'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
    }

    [GeneratedRegex("(src|href)\\s*=|@import|url\\(|https?://", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
