using System.Text;
using Tend.Core.Kv;
using Tend.Stores.Files;
using Xunit;

namespace Tend.Stores.Tests.Files;

public sealed class PlainYamlReaderTests
{
    [Theory]
    [InlineData("hosts:\n  host000001: 10.0.0.1\n  host000002: 10.0.0.2\n")]
    [InlineData("# data\n\na:\n  b:\n    c: 1\n  d: -2\n\ne: http://x:80/p\nf:\ng: null\n")]
    [InlineData("a: one two\nb: 0800\nc: 3.50\n/d/e: yes\n")]
    [InlineData("  a: 1\n  b:\n      c: 2\n  d: 3\n")]
    [InlineData("")]
    public void TryFlatten_PlainBlockMaps_AcceptedWithTheGeneralParsersPairs(string text)
    {
        var fast = new List<KvPair>();
        Assert.True(PlainYamlReader.TryFlatten(text, fast));
        Assert.Equal(General(text), fast);
    }

    [Theory]
    [InlineData("a: [1, 2]\n")]
    [InlineData("a:\n  - x\n")]
    [InlineData("a: \"q\"\n")]
    [InlineData("a: b # note\n")]
    [InlineData("a: b\n  c\n")]
    [InlineData("a: &x 1\nb: *x\n")]
    [InlineData("a: |\n  text\n")]
    [InlineData("a: 1\r\nb: 2\r\n")]
    [InlineData("a:\tb\n")]
    [InlineData("a: 1\na: 2\n")]
    [InlineData("---\na: 1\n")]
    [InlineData("a: 1\n b: 2\n")]
    [InlineData("a: café\n")]
    [InlineData("a: ~\n")]
    [InlineData("a:b\n")]
    [InlineData("a: x:\n")]
    [InlineData("just text\n")]
    public void TryFlatten_OutsideThePlainShape_DeclinesAndAppendsNothing(string text)
    {
        var pairs = new List<KvPair> { new("/kept", "x") };
        Assert.False(PlainYamlReader.TryFlatten(text, pairs));
        Assert.Equal([new KvPair("/kept", "x")], pairs);
    }

    [Fact]
    public void TryFlatten_GeneratedDocuments_AcceptedOnlyWhenEqualToTheGeneralParser()
    {
        // Random documents from pieces that are plain and pieces that are not (quotes, colons,
        // comments, odd indentation); whenever the fast path accepts one it must agree exactly.
        var random = new Random(20261203);
        string[] words = ["a", "web1", "10.0.0.1", "x:y", "x: y", "-1", "-", "#c", "a #c", "'q'", "null", "~", "a  b", "v/1", "..", "", "[x]", "k.v", "80"];
        int accepted = 0;
        for (int n = 0; n < 3000; n++)
        {
            var text = new StringBuilder();
            var indents = new List<int> { random.Next(3) == 0 ? 2 : 0 };
            for (int line = 0, lines = random.Next(1, 12); line < lines; line++)
            {
                switch (random.Next(10))
                {
                    case 0:
                        text.Append('\n');
                        continue;
                    case 1:
                        text.Append(' ', indents[^1]).Append("# comment\n");
                        continue;
                    case 2 when indents.Count > 1:
                        indents.RemoveAt(indents.Count - 1);
                        break;
                }

                string key = random.Next(8) == 0 ? words[random.Next(words.Length)] : "k" + random.Next(6);
                int indent = random.Next(20) == 0 ? indents[^1] + 1 : indents[^1];
                if (random.Next(4) == 0)
                {
                    text.Append(' ', indent).Append(key).Append(":\n");
                    indents.Add(indents[^1] + (random.Next(2) == 0 ? 2 : 4));
                }
                else
                {
                    text.Append(' ', indent).Append(key).Append(": ").Append(words[random.Next(words.Length)]).Append('\n');
                }
            }

            var doc = text.ToString();
            List<KvPair>? general;
            try
            {
                general = General(doc);
            }
            catch (FileStoreFormatException)
            {
                general = null;
            }

            var fast = new List<KvPair>();
            if (PlainYamlReader.TryFlatten(doc, fast))
            {
                accepted++;
                Assert.True(general is not null, "accepted a document the YAML parser rejects:\n" + doc);
                Assert.True(general.SequenceEqual(fast), "pairs differ for:\n" + doc);
            }
        }

        // The generator must exercise the fast path, not only the fallback.
        Assert.InRange(accepted, 300, 3000);
    }

    private static List<KvPair> General(string text)
    {
        var pairs = new List<KvPair>();
        YamlFlattener.Flatten("/data.yaml", text, pairs);
        return pairs;
    }
}
