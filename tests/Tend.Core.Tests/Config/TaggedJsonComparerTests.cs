using System.Text.Json;
using Xunit;

using Tend.Testing;

namespace Tend.Core.Tests.Config;

/// <summary>The conformance test is only as strict as its comparer, so check that it notices differences.</summary>
public sealed class TaggedJsonComparerTests
{
    [Theory]
    [InlineData("""{"a":{"type":"datetime","value":"1979-05-27T07:32:00Z"}}""", """{"a":{"type":"datetime","value":"1979-05-27 00:32:00-07:00"}}""")]
    [InlineData("""{"a":{"type":"float","value":"1e3"}}""", """{"a":{"type":"float","value":"1000"}}""")]
    [InlineData("""{"a":{"type":"float","value":"nan"}}""", """{"a":{"type":"float","value":"nan"}}""")]
    [InlineData("""{"a":{"type":"time-local","value":"07:32:00.1234567899"}}""", """{"a":{"type":"time-local","value":"07:32:00.1234567"}}""")]
    [InlineData("""{"b":[],"a":{}}""", """{"a":{},"b":[]}""")]
    public void Difference_EquivalentValues_ReturnsNull(string expected, string actual)
    {
        Assert.Null(Compare(expected, actual));
    }

    [Theory]
    [InlineData("""{"a":{"type":"integer","value":"1"}}""", """{"a":{"type":"float","value":"1"}}""")]
    [InlineData("""{"a":{"type":"string","value":"x"}}""", """{"a":{"type":"string","value":"x "}}""")]
    [InlineData("""{"a":{"type":"float","value":"inf"}}""", """{"a":{"type":"float","value":"-inf"}}""")]
    [InlineData("""{"a":{"type":"datetime","value":"1979-05-27T07:32:00Z"}}""", """{"a":{"type":"datetime","value":"1979-05-27T07:32:00+01:00"}}""")]
    [InlineData("""{"a":{"type":"datetime-local","value":"1979-05-27T07:32:00"}}""", """{"a":{"type":"datetime-local","value":"1979-05-27T07:32:00.5"}}""")]
    [InlineData("""{"a":{}}""", """{"a":{},"b":{}}""")]
    [InlineData("""{"a":[{"type":"bool","value":"true"}]}""", """{"a":[]}""")]
    [InlineData("""{"a":[]}""", """{"a":{}}""")]
    public void Difference_DifferentValues_DescribesDifference(string expected, string actual)
    {
        Assert.NotNull(Compare(expected, actual));
    }

    private static string? Compare(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        return TaggedJsonComparer.Difference(e.RootElement, a.RootElement, "$");
    }
}
