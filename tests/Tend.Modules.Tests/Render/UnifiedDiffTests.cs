using Tend.Modules.Render;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class UnifiedDiffTests
{
    [Fact]
    public void Create_Equal_Empty()
    {
        Assert.Equal(string.Empty, UnifiedDiff.Create("a\nb\n", "a\nb\n", "x", "y"));
    }

    [Fact]
    public void Create_NewFile_AllAdded()
    {
        Assert.Equal("--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n", UnifiedDiff.Create(string.Empty, "a\nb\n", "x", "y"));
    }

    [Fact]
    public void Create_ChangesFarApart_TwoHunksWithContext()
    {
        var old = string.Join('\n', Enumerable.Range(1, 20)) + "\n";
        var @new = old.Replace("\n2\n", "\ntwo\n", StringComparison.Ordinal).Replace("\n19\n", "\n", StringComparison.Ordinal);

        var diff = UnifiedDiff.Create(old, @new, "x", "y");

        Assert.Equal("--- x\n+++ y\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -16,5 +16,4 @@\n 16\n 17\n 18\n-19\n 20\n", diff);
    }
}
