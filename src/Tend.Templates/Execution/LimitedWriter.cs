using System.Text;

namespace Tend.Templates.Execution;

/// <summary>Passes a render's output through, failing the render once it exceeds its bound (counted in characters, before they are written).</summary>
internal sealed class LimitedWriter(TextWriter inner, long max, ExecState state) : TextWriter(inner.FormatProvider)
{
    private long _left = max;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        Take(1);
        inner.Write(value);
    }

    public override void Write(string? value)
    {
        if (value is not null)
        {
            Take(value.Length);
            inner.Write(value);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Take(buffer.Length);
        inner.Write(buffer);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Take(count);
        inner.Write(buffer, index, count);
    }

    public override void Flush() => inner.Flush();

    private void Take(int n)
    {
        _left -= n;
        if (_left < 0)
        {
            throw state.OutputExceeded();
        }
    }
}
