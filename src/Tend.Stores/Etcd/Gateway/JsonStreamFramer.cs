namespace Tend.Stores.Etcd.Gateway;

/// <summary>
/// Splits a byte stream of concatenated JSON objects (the gateway's streaming answers, one
/// <c>{"result":…}</c> per message) into whole objects, without parsing them: it tracks brace depth
/// outside strings, so a message can be handed to the codec as soon as its last byte arrived.
/// </summary>
internal sealed class JsonStreamFramer
{
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _scan;
    private int _depth;
    private bool _inString;
    private bool _escaped;

    public JsonStreamFramer(int initialCapacity = 16 * 1024)
    {
        _buffer = new byte[initialCapacity];
    }

    /// <summary>Free space to read the next bytes into (grows when a message outgrows the buffer).</summary>
    public Memory<byte> GetWriteMemory()
    {
        if (_start > 0 && _end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _scan -= _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Records that <paramref name="count"/> bytes were written into the memory from <see cref="GetWriteMemory"/>.</summary>
    public void Advance(int count) => _end += count;

    /// <summary>The next complete top-level object, if one has arrived; valid until the next call.</summary>
    public bool TryReadObject(out ReadOnlyMemory<byte> json)
    {
        for (; _scan < _end; _scan++)
        {
            byte b = _buffer[_scan];
            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (b == (byte)'\\')
                {
                    _escaped = true;
                }
                else if (b == (byte)'"')
                {
                    _inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'{':
                    if (_depth == 0)
                    {
                        // Whitespace or newlines between messages are dropped here.
                        _start = _scan;
                    }

                    _depth++;
                    break;
                case (byte)'}':
                    _depth--;
                    if (_depth == 0)
                    {
                        json = _buffer.AsMemory(_start, _scan + 1 - _start);
                        _scan++;
                        _start = _scan;
                        return true;
                    }

                    break;
            }
        }

        if (_depth == 0)
        {
            // Only whitespace is pending; drop it so the buffer does not fill with separators.
            _start = _scan;
        }

        json = default;
        return false;
    }
}
