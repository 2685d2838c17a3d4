using Tend.Core.Kv;
using Xunit;

namespace Tend.Core.Tests.Kv;

public sealed class KeyPathTests
{
    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("a", "/a")]
    [InlineData("/a/", "/a")]
    [InlineData("//a///b//", "/a/b")]
    [InlineData("/a/b", "/a/b")]
    public void Normalize_VariousForms_CanonicalPath(string input, string expected) =>
        Assert.Equal(expected, KeyPath.Normalize(input));

    [Theory]
    [InlineData("/a/../b")]
    [InlineData("/a/./b")]
    [InlineData("/a\0b")]
    public void Normalize_UnsafeSegments_Rejected(string input) =>
        Assert.Throws<ArgumentException>(() => KeyPath.Normalize(input));

    [Theory]
    [InlineData("/a//b", "empty segment")]
    [InlineData("//a", "empty segment")]
    [InlineData("/a/", "ends with '/'")]
    [InlineData("/a/../b", "'..' segment")]
    [InlineData("/a/./b", "'.' segment")]
    [InlineData("a/b", "does not start with '/'")]
    [InlineData("/a\0b", "NUL")]
    public void Problem_KeyNotNormalised_SaysWhy(string key, string expected) =>
        Assert.Contains(expected, KeyPath.Problem(key), StringComparison.Ordinal);

    [Theory]
    [InlineData("/")]
    [InlineData("/a/b")]
    [InlineData("/a.b/..c")]
    public void Problem_NormalisedKey_Null(string key) => Assert.Null(KeyPath.Problem(key));

    [Theory]
    [InlineData("/app", "/app", true)]
    [InlineData("/app/x", "/app", true)]
    [InlineData("/apple", "/app", false)]
    [InlineData("/app-x", "/app", false)]
    [InlineData("/anything", "/", true)]
    public void IsUnder_PathSemantics_NotStringPrefix(string key, string prefix, bool expected) =>
        Assert.Equal(expected, KeyPath.IsUnder(key, prefix));

    [Fact]
    public void JoinAndRelative_RoundTrip()
    {
        Assert.Equal("/prod/app/x", KeyPath.Join("/prod", "app/x"));
        Assert.Equal("/app", KeyPath.Join("/", "/app"));
        Assert.Equal("/prod", KeyPath.Join("/prod", "/"));
        Assert.Equal("/app/x", KeyPath.Relative("/prod/app/x", "/prod"));
        Assert.Equal("/", KeyPath.Relative("/prod", "/prod"));
        Assert.Throws<ArgumentException>(() => KeyPath.Relative("/production", "/prod"));
    }

    [Fact]
    public void ParentAndName_Segments()
    {
        Assert.Equal("/a", KeyPath.Parent("/a/b"));
        Assert.Equal("/", KeyPath.Parent("/a"));
        Assert.Equal("b", KeyPath.Name("/a/b"));
    }
}
