using System.Buffers.Binary;
using System.Text;

namespace Tend.Stores.ZooKeeper.Protocol;

/// <summary>
/// Writes jute records (big-endian) into one length-prefixed frame. The first four bytes are
/// reserved for the frame length and filled in by <see cref="ToFrame"/>.
/// </summary>
internal sealed class JuteWriter
{
    private byte[] _buffer;
    private int _length;

    public JuteWriter(int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, 16)];
        _length = 4;
    }

    /// <summary>Bytes written after the length prefix.</summary>
    public int BodyLength => _length - 4;

    public void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);

    public void WriteLong(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);

    public void WriteBool(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>A jute <c>ustring</c>: length then UTF-8; <c>null</c> is length -1.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }

        int count = Encoding.UTF8.GetByteCount(value);
        WriteInt(count);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    /// <summary>A jute <c>buffer</c>: length then bytes.</summary>
    public void WriteBuffer(ReadOnlySpan<byte> value)
    {
        WriteInt(value.Length);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteStrings(IReadOnlyCollection<string> values)
    {
        WriteInt(values.Count);
        foreach (var v in values)
        {
            WriteString(v);
        }
    }

    /// <summary>Completes the frame: fills the length prefix and returns the bytes to send.</summary>
    public ReadOnlyMemory<byte> ToFrame()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - 4);
        return _buffer.AsMemory(0, _length);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
