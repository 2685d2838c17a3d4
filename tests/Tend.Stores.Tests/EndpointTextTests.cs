using Xunit;

namespace Tend.Stores.Tests;

public sealed class EndpointTextTests
{
    [Theory]
    [InlineData("http://127.0.0.1:2379", "http://127.0.0.1:2379")]
    [InlineData("http://ops:s3cret@10.0.0.1:2379", "http://ops:***@10.0.0.1:2379")]
    [InlineData("https://ops@10.0.0.1:8500/", "https://ops@10.0.0.1:8500/")]
    [InlineData("ops:p@ss@10.0.0.1:8500", "ops:***@10.0.0.1:8500")]
    [InlineData("http://[::1]:2379/path?x=a@b", "http://[::1]:2379/path?x=a@b")]
    [InlineData("http://u:pw@host/p@th", "http://u:***@host/p@th")]
    [InlineData("", "")]
    public void Redact_Endpoint_PasswordReplacedEverythingElseKept(string endpoint, string expected)
    {
        Assert.Equal(expected, EndpointText.Redact(endpoint));
    }

    [Fact]
    public void Join_SeveralEndpoints_EachRedacted()
    {
        Assert.Equal("http://a:***@h1:1,http://h2:2", EndpointText.Join(["http://a:b@h1:1", "http://h2:2"]));
    }
}
