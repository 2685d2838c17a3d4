using System.Buffers.Binary;
using Tend.Stores.ZooKeeper.Protocol;
using Xunit;

namespace Tend.Stores.Tests.ZooKeeper;

public sealed class JuteCodecTests
{
    [Fact]
    public void CreateRequest_Write_BigEndianJuteLayout()
    {
        var w = new JuteWriter();
        new RequestHeader(7, OpCode.Create).Write(w);
        new CreateRequest(OpCode.Create, "/a", new byte[] { 0xAB }, ZooKeeperAcl.OpenUnsafe, CreateMode.EphemeralSequential).Write(w);
        var frame = w.ToFrame().ToArray();

        byte[] expected =
        [
            0, 0, 0, 50,                       // frame length
            0, 0, 0, 7, 0, 0, 0, 1,            // xid, type
            0, 0, 0, 2, (byte)'/', (byte)'a',  // path
            0, 0, 0, 1, 0xAB,                  // data
            0, 0, 0, 1, 0, 0, 0, 31,           // one ACL, perms all
            0, 0, 0, 5, (byte)'w', (byte)'o', (byte)'r', (byte)'l', (byte)'d',
            0, 0, 0, 6, (byte)'a', (byte)'n', (byte)'y', (byte)'o', (byte)'n', (byte)'e',
            0, 0, 0, 3,                        // flags
        ];
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void MultiResponse_Read_ErrorResultsAndEnd()
    {
        var w = new JuteWriter();
        new MultiHeader(-1, false, 0).Write(w);
        w.WriteInt(0);
        new MultiHeader(-1, false, -103).Write(w);
        w.WriteInt(-103);
        new MultiHeader(-1, true, -1).Write(w);
        var body = w.ToFrame()[4..].ToArray();

        var r = new JuteReader(body);
        var results = MultiResponse.Read(ref r);
        Assert.Equal([ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.BadVersion], results.Select(x => x.Error));
        Assert.Equal(0, r.Remaining);
    }

    [Fact]
    public void Reader_VectorCountBeyondFrame_ProtocolError()
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(body, 1_000_000);
        var ex = Record.Exception(() =>
        {
            var r = new JuteReader(body);
            r.ReadStrings();
        });
        Assert.IsType<ZooKeeperProtocolException>(ex);
    }

    [Fact]
    public void DigestId_KnownUser_MatchesServerFormula()
    {
        // base64(sha1("super:secret")), as ZooKeeper's DigestAuthenticationProvider computes it.
        var hash = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData("super:secret"u8));
        Assert.Equal("super:" + hash, ZooKeeperAcl.DigestId("super", "secret"));
    }
}
