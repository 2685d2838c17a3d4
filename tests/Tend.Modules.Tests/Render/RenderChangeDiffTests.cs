using Tend.Modules.Render;
using Tend.Modules.Render.Config;
using Tend.Stores.Memory;
using Tend.Testing;
using Xunit;

namespace Tend.Modules.Tests.Render;

/// <summary>The last change of each template as a diff (for /status and the status page), and what it never shows.</summary>
public sealed class RenderChangeDiffTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly MemoryKvStore _store = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunOnce_ValueChanged_StatusHoldsTheDiffOfTheWrite()
    {
        await _store.PutAsync("/hosts/web1", "10.0.0.1");
        var r = Resource("0644");
        await using var module = Module(r);
        Assert.Null(module.Status[0].LastDiff);

        Assert.True(await module.RunOnceAsync());
        Assert.Contains("+web1 10.0.0.1\n", module.Status[0].LastDiff, StringComparison.Ordinal);

        await _store.PutAsync("/hosts/web1", "10.0.0.9");
        Assert.True(await module.RunOnceAsync());
        var diff = module.Status[0].LastDiff!;
        Assert.StartsWith($"--- {r.Destination}\n", diff, StringComparison.Ordinal);
        Assert.Contains("-web1 10.0.0.1\n+web1 10.0.0.9\n", diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnce_ChangeDiffsOff_WritesTheFileAndKeepsNoDiff()
    {
        await _store.PutAsync("/hosts/web1", "10.0.0.1");
        var r = Resource("0644");
        await using var module = Module(r);
        module.KeepChangeDiffs = false;

        Assert.True(await module.RunOnceAsync());

        Assert.Equal("web1 10.0.0.1\n", await File.ReadAllTextAsync(r.Destination));
        Assert.Null(module.Status[0].LastDiff);
        Assert.NotNull(module.Status[0].LastWrite);
    }

    [Fact]
    public async Task RunOnce_FileNotWorldReadable_NoDiffKept()
    {
        await _store.PutAsync("/hosts/web1", "s3cr3t-value");
        var r = Resource("0640");
        await using var module = Module(r);

        Assert.True(await module.RunOnceAsync());

        Assert.DoesNotContain("s3cr3t-value", module.Status[0].LastDiff, StringComparison.Ordinal);
        Assert.Contains("not world-readable", module.Status[0].LastDiff, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_CredentialLookingLines_WithheldKeepingTheirMark()
    {
        var diff = "--- a\n+++ b\n@@ -1,3 +1,3 @@\n bind 0.0.0.0\n-password = old\n+password = new\n+api_key: abc\n"
            + "+-----BEGIN RSA PRIVATE KEY-----\n+MIIEabc\n+-----END RSA PRIVATE KEY-----\n+server web1\n";

        var redacted = RenderChangeDiff.Redact(diff);

        Assert.DoesNotContain("old", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("new", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("MIIE", redacted, StringComparison.Ordinal);
        Assert.Contains("-[line withheld: it looks like a credential]\n+[line withheld", redacted, StringComparison.Ordinal);
        Assert.Contains(" bind 0.0.0.0\n", redacted, StringComparison.Ordinal);
        Assert.EndsWith("+server web1\n", redacted, StringComparison.Ordinal);
    }

    private RenderResourceOptions Resource(string mode) => new()
    {
        Id = "hosts",
        Source = _dir.File("templates/hosts.tmpl", "{{range gets \"/hosts/*\"}}{{base .Key}} {{.Value}}\n{{end}}"),
        Destination = Path.Combine(_dir.Path, "out", "hosts"),
        Keys = ["/hosts"],
        Prefix = "/",
        CreateDestDirs = true,
        Mode = (UnixFileMode)Convert.ToInt32(mode, 8),
    };

    private RenderModule Module(RenderResourceOptions r) =>
        new(new RenderOptions { Templates = [r] }, _store, null, new FakeCommandRunner(), GoTemplateCompiler.Instance);
}
