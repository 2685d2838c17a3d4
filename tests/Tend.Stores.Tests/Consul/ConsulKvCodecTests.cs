using System.Text;
using System.Text.Json;
using Tend.Stores.Consul;
using Tend.Stores.Consul.Wire;
using Xunit;

namespace Tend.Stores.Tests.Consul;

public sealed class ConsulKvCodecTests
{
    [Fact]
    public void ReadEntries_IndentedListing_KeysValuesIndexesSession()
    {
        var json = """
            [
                {
                    "LockIndex": 1,
                    "Key": "app/x",
                    "Flags": 0,
                    "Value": "aMOpbGxv",
                    "Session": "s-1",
                    "CreateIndex": 7,
                    "ModifyIndex": 9
                },
                { "Key": "app/empty", "Value": null, "CreateIndex": 3, "ModifyIndex": 3, "Extra": {"nested": [1, 2]} }
            ]
            """;

        var entries = ConsulKvCodec.ReadEntries(Encoding.UTF8.GetBytes(json));

        Assert.Equal(2, entries.Count);
        Assert.Equal(new RawEntry("app/x", "héllo", 7, 9, "s-1"), entries[0]);
        Assert.Equal(new RawEntry("app/empty", string.Empty, 3, 3, null), entries[1]);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"Value\": \"aGk=\"}]")]
    [InlineData("[{\"Key\": \"k\", \"Value\": \"***\"}]")]
    public void ReadEntries_NotAListing_JsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => ConsulKvCodec.ReadEntries(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void EncodeDecodeValue_AnyText_RoundTripsThroughUtf8Bytes()
    {
        const string value = "line1\nline2 \u00e9\u4e2d\ud83d\ude00 \"quoted\"";
        Assert.Equal(value, ConsulKvCodec.DecodeValue(ConsulKvCodec.EncodeValue(value)));
        Assert.Equal(Encoding.UTF8.GetBytes(value), Convert.FromBase64String(ConsulKvCodec.EncodeValue(value)));
    }

    [Theory]
    [InlineData("/", "")]
    [InlineData("/a", "a")]
    [InlineData("/a/b c/d", "a/b c/d")]
    public void ToConsul_TendKeys_LeadingSlashDropped(string key, string consul)
    {
        Assert.Equal(consul, ConsulKeys.ToConsul(key));
    }

    [Theory]
    [InlineData("a/b", "/a/b")]
    [InlineData("a/", null)]
    [InlineData("a//b", null)]
    [InlineData("", null)]
    public void FromConsul_ConsulKeys_PathOrNull(string consul, string? key)
    {
        Assert.Equal(key, ConsulKeys.FromConsul(consul));
    }

    [Fact]
    public void UrlPath_SpecialCharacters_EachSegmentEscaped()
    {
        Assert.Equal("/v1/kv/a%20b/c%3Fd/%25", ConsulKeys.UrlPath("/v1/kv/", "a b/c?d/%"));
    }
}
