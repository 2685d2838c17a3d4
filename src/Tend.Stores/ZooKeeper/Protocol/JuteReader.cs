using System.Buffers.Binary;
using System.Text;

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>Reads jute records (big-endian) from one received frame; running past its end is a protocol error.</summary>
internal ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public bool ReadBool() => Take(1)[0] != 0;

    public string? ReadString()
    {
        int length = ReadInt();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public byte[] ReadBuffer()
    {
        int length = ReadInt();
        return length < 0 ? [] : Take(length).ToArray();
    }

    public List<string> ReadStrings()
    {
        int count = ReadInt();
        if (count < 0)
        {
            return [];
        }

        // Each string needs at least its four length bytes: a larger count is garbage, not a huge allocation.
        if (count > Remaining / 4)
        {
            throw new ZooKeeperProtocolException($"A vector claims {count} strings but only {Remaining} bytes are left.");
        }

        var list = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(ReadString() ?? string.Empty);
        }

        return list;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ZooKeeperProtocolException($"A record needs {count} bytes but only {Remaining} are left in the frame.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
