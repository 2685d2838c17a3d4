using System.Text;
using Tend.Stores.Etcd;
using Tend.Stores.Etcd.Gateway;
using Xunit;

namespace Tend.Stores.Tests.Etcd;

public sealed class JsonStreamFramerTests
{
    private static List<string> Feed(JsonStreamFramer framer, params string[] chunks)
    {
        var objects = new List<string>();
        foreach (var chunk in chunks)
        {
            var bytes = Encoding.UTF8.GetBytes(chunk);
            int offset = 0;
            while (offset < bytes.Length)
            {
                var memory = framer.GetWriteMemory();
                int n = Math.Min(memory.Length, bytes.Length - offset);
                bytes.AsSpan(offset, n).CopyTo(memory.Span);
                framer.Advance(n);
                offset += n;
                while (framer.TryReadObject(out var json))
                {
                    objects.Add(Encoding.UTF8.GetString(json.Span));
                }
            }
        }

        return objects;
    }

    [Fact]
    public void TryReadObject_ObjectsSplitAcrossChunks_ReassembledWhole()
    {
        var objects = Feed(new JsonStreamFramer(), "{\"result\":{\"a\":", "1}}\n{\"res", "ult\":{}}\n");
        Assert.Equal(["{\"result\":{\"a\":1}}", "{\"result\":{}}"], objects);
    }

    [Fact]
    public void TryReadObject_BracesAndEscapedQuotesInStrings_NotCounted()
    {
        var objects = Feed(new JsonStreamFramer(), "{\"s\":\"}{\\\"}\"}", "{\"t\":\"\\\\\"}");
        Assert.Equal(["{\"s\":\"}{\\\"}\"}", "{\"t\":\"\\\\\"}"], objects);
    }

    [Fact]
    public void TryReadObject_ObjectLargerThanBuffer_BufferGrows()
    {
        var big = "{\"v\":\"" + new string('x', 100_000) + "\"}";
        var objects = Feed(new JsonStreamFramer(initialCapacity: 64), "{}", big, "{\"z\":1}");
        Assert.Equal(["{}", big, "{\"z\":1}"], objects);
    }

    [Fact]
    public void TryReadObject_IncompleteObject_NotYielded()
    {
        Assert.Empty(Feed(new JsonStreamFramer(), "{\"a\":{\"b\":1}"));
    }
}
