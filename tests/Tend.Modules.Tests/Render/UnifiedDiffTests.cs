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

    [Fact]
    public void Create_TwoLinesChangedInLargeFile_TwoSmallHunks()
    {
        // Before DiffPlex, a middle part this large was printed as one replaced block (~10,000 lines).
        var lines = Enumerable.Range(1, 5000).Select(n => $"line {n}").ToArray();
        var old = string.Join('\n', lines) + "\n";
        lines[9] = "changed 10";
        lines[4989] = "changed 4990";
        var @new = string.Join('\n', lines) + "\n";

        var diff = UnifiedDiff.Create(old, @new, "x", "y");

        Assert.Equal(
            "--- x\n+++ y\n"
            + "@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+changed 10\n line 11\n line 12\n line 13\n"
            + "@@ -4987,7 +4987,7 @@\n line 4987\n line 4988\n line 4989\n-line 4990\n+changed 4990\n line 4991\n line 4992\n line 4993\n",
            diff);
    }

    [Fact]
    public void Create_LineRemovedAtStart_ContextOnlyAfter()
    {
        Assert.Equal("--- x\n+++ y\n@@ -1,4 +1,3 @@\n-a\n b\n c\n d\n", UnifiedDiff.Create("a\nb\nc\nd\ne\n", "b\nc\nd\ne\n", "x", "y"));
    }

    [Fact]
    public void Create_AllRemoved_EmptyNewRange()
    {
        Assert.Equal("--- x\n+++ y\n@@ -1,2 +0,0 @@\n-a\n-b\n", UnifiedDiff.Create("a\nb\n", string.Empty, "x", "y"));
    }

    [Fact]
    public void Create_CrLfLines_CarriageReturnKeptInLine()
    {
        Assert.Equal("--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n", UnifiedDiff.Create("a\r\nb\r\n", "a\r\nc\r\n", "x", "y"));
    }

    [Fact]
    public void Create_ChangesSixLinesApart_OneHunk()
    {
        var old = string.Join('\n', Enumerable.Range(1, 20)) + "\n";
        var @new = old.Replace("\n5\n", "\nfive\n", StringComparison.Ordinal).Replace("\n12\n", "\ntwelve\n", StringComparison.Ordinal);

        var diff = UnifiedDiff.Create(old, @new, "x", "y");

        Assert.Equal("--- x\n+++ y\n@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+twelve\n 13\n 14\n 15\n", diff);
    }
}
