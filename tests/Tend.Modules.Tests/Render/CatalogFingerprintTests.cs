using Tend.Modules.Render;
using Tend.Templates.Catalog;
using Xunit;

namespace Tend.Modules.Tests.Render;

public sealed class CatalogFingerprintTests
{
    [Fact]
    public void Of_NodeAnswerWithoutNode_EqualToTheSameAnswerAndNotToANode()
    {
        // node's answer for a node the catalog does not have: its Node field is a typed nil pointer to templates.
        var missing = CatalogFingerprint.Of(new CatalogNode());

        Assert.Equal(missing, CatalogFingerprint.Of(new CatalogNode()));
        Assert.NotEqual(missing, CatalogFingerprint.Of(new CatalogNode { Node = new NodeInfo { Node = "n1", Address = "10.0.0.1" } }));
    }
}
